// SPDX-License-Identifier: MIT
// The gate, one rule at a time: Host and Origin (DNS rebinding, cross-site requests and
// WebSocket hijacking), public and unix-socket-only paths, tokens and sessions, viewers
// read only, CSRF on a session's state changes, and the limit on wrong tokens.
#include "web/gate.h"

#include <gtest/gtest.h>

#include "config/http_parse.h"
#include "util/temp_dir.h"

namespace vigil::web {
namespace {

using std::chrono::hours;
using std::chrono::seconds;

const base::SteadyTime kNow{hours(100)};

config::HttpSpec Spec(std::vector<std::string> listen, std::vector<std::string> hosts = {}) {
  config::HttpSpec spec;
  for (const std::string& l : listen) spec.listen.push_back(*config::ParseListenAddress(l));
  spec.allowed_hosts = std::move(hosts);
  return spec;
}

TEST(OriginPolicyTest, TheListenersNamesAndLocalhostWithTheirPort) {
  const OriginPolicy p(Spec({"127.0.0.1:7411", "[::1]:7412"}, {"vigil.example.com"}));
  for (const char* ok : {"127.0.0.1:7411", "localhost:7411", "LOCALHOST:7411", "[::1]:7411", "[::1]:7412",
                         "vigil.example.com:7411", "vigil.example.com"}) {
    EXPECT_TRUE(p.HostAllowed(ok)) << ok;
  }
  for (const char* bad : {"", "127.0.0.1", "127.0.0.1:80", "attacker.example:7411", "localhost:7413",
                          "127.0.0.1:7411.evil"}) {
    EXPECT_FALSE(p.HostAllowed(bad)) << bad;
  }
  EXPECT_TRUE(p.OriginAllowed("http://127.0.0.1:7411"));
  EXPECT_TRUE(p.OriginAllowed("https://vigil.example.com"));
  for (const char* bad : {"null", "http://attacker.example:7411", "http://127.0.0.1:7411/x", "ftp://127.0.0.1:7411",
                          "127.0.0.1:7411", "http://"}) {
    EXPECT_FALSE(p.OriginAllowed(bad)) << bad;
  }
  const OriginPolicy port80(Spec({"127.0.0.1:80"}));
  EXPECT_TRUE(port80.HostAllowed("localhost"));
  EXPECT_TRUE(port80.HostAllowed("127.0.0.1"));
}

TEST(OriginPolicyTest, AnyAddressNeedsTheMachinesNamesInAllowedHosts) {
  const OriginPolicy p(Spec({"0.0.0.0:7411"}, {"box.lan"}));
  EXPECT_TRUE(p.HostAllowed("box.lan:7411"));
  EXPECT_TRUE(p.HostAllowed("localhost:7411"));
  EXPECT_FALSE(p.HostAllowed("0.0.0.0:7411"));
  EXPECT_FALSE(p.HostAllowed("192.168.1.9:7411"));
}

TEST(GateTest, SessionCookieIsFoundAmongOthers) {
  EXPECT_EQ(SessionCookie("a=1; vigil_session=abc; b=2"), "abc");
  EXPECT_EQ(SessionCookie("vigil_session=abc"), "abc");
  EXPECT_EQ(SessionCookie("vigil_sessionx=abc; x=vigil_session=y"), "");
  EXPECT_EQ(SessionCookie(""), "");
}

TEST(GateTest, PathsAndWhatTheyNeed) {
  EXPECT_EQ(AccessOf("/healthz", false), PathAccess::kPublic);
  EXPECT_EQ(AccessOf("/", false), PathAccess::kPublic);
  EXPECT_EQ(AccessOf("/login", false), PathAccess::kPublic);
  EXPECT_EQ(AccessOf("/v1/web/login", false), PathAccess::kPublic);
  EXPECT_EQ(AccessOf("/v1/programs", false), PathAccess::kCredential);
  EXPECT_EQ(AccessOf("/v1", false), PathAccess::kCredential);
  EXPECT_EQ(AccessOf("/metrics", false), PathAccess::kCredential);
  EXPECT_EQ(AccessOf("/metrics", true), PathAccess::kPublic);
  EXPECT_EQ(AccessOf("/v1/token", false), PathAccess::kSocketOnly);
  EXPECT_EQ(AccessOf("/v1/token/rotate", false), PathAccess::kSocketOnly);
  EXPECT_EQ(AccessOf("/v1/web/login-link", false), PathAccess::kSocketOnly);
}

class GateCheckTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(tokens_.Load().ok()); }

  api::Request Get(std::string path) {
    api::Request r;
    r.method = "GET";
    r.target = std::move(path);
    r.headers.host = "127.0.0.1:7411";
    return r;
  }
  api::Request Post(std::string path) {
    api::Request r = Get(std::move(path));
    r.method = "POST";
    return r;
  }
  Verdict Check(const api::Request& r) { return gate_.Check(r, r.target, kNow); }
  std::string Bearer(Role role) { return "Bearer " + tokens_.token(role); }

  vigil::testing::TempDir temp_;
  config::HttpSpec spec_ = Spec({"127.0.0.1:7411"});
  OriginPolicy origins_{spec_};
  TokenStore tokens_{temp_.path() / "tokens"};
  Sessions sessions_{hours(12)};
  Gate gate_{origins_, tokens_, sessions_, /*metrics_public=*/false};
};

TEST_F(GateCheckTest, AForeignHostOrOriginIsRefusedBeforeAnythingElse) {
  api::Request r = Get("/healthz");
  r.headers.host = "rebound.example:7411";
  EXPECT_EQ(Check(r).status, 403);
  EXPECT_EQ(Check(r).message, "Host \"rebound.example:7411\" is not a name of this vigild (see [http] allowed_hosts)");
  r = Get("/v1/programs");
  r.headers.authorization = Bearer(Role::kAdmin);
  r.headers.origin = "http://attacker.example";
  EXPECT_EQ(Check(r).status, 403);
  r.headers.origin = "http://127.0.0.1:7411";
  EXPECT_EQ(Check(r).status, 0);
}

TEST_F(GateCheckTest, AWebSocketUpgradeNeedsAnOrigin) {
  api::Request r = Get("/v1/stream");
  r.headers.authorization = Bearer(Role::kViewer);
  r.headers.upgrade = "websocket";
  EXPECT_EQ(Check(r).status, 403);
  EXPECT_EQ(Check(r).message, "a WebSocket upgrade must carry an Origin header");
  r.headers.origin = "http://localhost:7411";
  EXPECT_EQ(Check(r).status, 0);
}

TEST_F(GateCheckTest, PublicPathsNeedNoCredentialOthersATokenOrASession) {
  EXPECT_EQ(Check(Get("/healthz")).status, 0);
  EXPECT_FALSE(Check(Get("/healthz")).caller);
  const Verdict none = Check(Get("/v1/programs"));
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(Check(Get("/metrics")).status, 401);
  EXPECT_EQ(Check(Get("/v1/token")).status, 403);

  api::Request r = Get("/v1/programs");
  r.headers.authorization = Bearer(Role::kViewer);
  Verdict v = Check(r);
  ASSERT_EQ(v.status, 0);
  EXPECT_EQ(v.caller->role, Role::kViewer);
  r.headers.authorization = "Basic " + tokens_.token(Role::kAdmin);
  EXPECT_EQ(Check(r).status, 401);

  auto session = sessions_.Create(Role::kAdmin, kNow);
  ASSERT_TRUE(session);
  r.headers.authorization.clear();
  r.headers.cookie = "theme=dark; vigil_session=" + session->id;
  v = Check(r);
  ASSERT_EQ(v.status, 0);
  EXPECT_EQ(v.caller->role, Role::kAdmin);
  EXPECT_EQ(v.caller->session, session->id);
  r.headers.cookie = "vigil_session=unknown";
  EXPECT_EQ(Check(r).status, 401);
  EXPECT_EQ(Check(r).message, "session expired; log in again");
}

TEST_F(GateCheckTest, AViewerOnlyReads) {
  api::Request r = Post("/v1/programs/web/stop");
  r.headers.authorization = Bearer(Role::kViewer);
  EXPECT_EQ(Check(r).status, 403);
  EXPECT_EQ(Check(r).message, "a viewer may only read");
  r.headers.authorization = Bearer(Role::kAdmin);
  EXPECT_EQ(Check(r).status, 0);
}

TEST_F(GateCheckTest, ASessionsStateChangeNeedsItsCsrfToken) {
  auto session = sessions_.Create(Role::kAdmin, kNow);
  ASSERT_TRUE(session);
  api::Request r = Post("/v1/programs/web/stop");
  r.headers.cookie = "vigil_session=" + session->id;
  EXPECT_EQ(Check(r).status, 403);
  r.headers.csrf_token = "wrong";
  EXPECT_EQ(Check(r).status, 403);
  r.headers.csrf_token = session->csrf;
  EXPECT_EQ(Check(r).status, 0);
  // A token is no ambient credential: no CSRF token needed.
  api::Request t = Post("/v1/programs/web/stop");
  t.headers.authorization = Bearer(Role::kAdmin);
  EXPECT_EQ(Check(t).status, 0);
}

TEST_F(GateCheckTest, WrongTokensAreLimited) {
  api::Request r = Get("/v1/programs");
  r.headers.authorization = "Bearer guess";
  for (size_t i = 0; i < Gate::kFailedLoginsPerMinute; ++i) ASSERT_EQ(Check(r).status, 401);
  const Verdict limited = Check(r);
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(limited.retry_after_s, 60);
  r.headers.authorization = Bearer(Role::kAdmin);
  EXPECT_EQ(Check(r).status, 429) << "even the right token waits: the limit does not tell right from wrong";
  EXPECT_EQ(gate_.Check(r, r.target, kNow + seconds(60)).status, 0);
}

}  // namespace
}  // namespace vigil::web
