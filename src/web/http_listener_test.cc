// SPDX-License-Identifier: MIT
// The listener's own routes, handed requests directly (the sockets, headers and limits are
// the end-to-end tests' part, tests/integration/web_listener_test.cc): /healthz, login by
// token and by one-time code, the session's CSRF token, logout, rotation ending sessions,
// and the API behind the gate.
#include "web/http_listener.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "api/fake_controller_test_util.h"
#include "config/http_parse.h"
#include "fakes/fake_clock.h"
#include "util/temp_dir.h"

namespace vigil::web {
namespace {

using nlohmann::json;

class HttpListenerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    spec_.listen = {*config::ParseListenAddress("127.0.0.1:7411")};
    listener_ = std::make_unique<HttpListener>(loop_, clock_, spec_, temp_.path() / "http-tokens", fake_,
                                               [](const std::filesystem::path&, size_t) {
                                                 return base::Result<std::vector<std::string>>(
                                                     std::vector<std::string>{});
                                               });
    ASSERT_TRUE(listener_->LoadTokens().ok());  // as Start() does, without listening
  }

  api::Response Send(const std::string& method, const std::string& target, api::RequestHeaders headers = {},
                     std::string body = "") {
    api::Request r;
    r.method = method;
    r.target = target;
    if (headers.host.empty()) headers.host = "127.0.0.1:7411";
    r.headers = std::move(headers);
    r.body = std::move(body);
    std::optional<api::Response> out;
    listener_->Handle(std::move(r), [&](api::Response response) { out = std::move(response); });
    EXPECT_TRUE(out) << "answered at once";
    return out ? *out : api::Response{};
  }
  static api::RequestHeaders Bearer(const std::string& token) {
    api::RequestHeaders h;
    h.authorization = "Bearer " + token;
    return h;
  }
  static api::RequestHeaders Cookie(const std::string& id, const std::string& csrf = "") {
    api::RequestHeaders h;
    h.cookie = "vigil_session=" + id;
    h.csrf_token = csrf;
    return h;
  }
  static std::string Header(const api::Response& r, const std::string& name) {
    for (const auto& [k, v] : r.headers) {
      if (k == name) return v;
    }
    return "";
  }
  std::string Token(const std::string& role) { return listener_->Token(role, false)->token; }

  vigil::testing::TempDir temp_;
  event::Loop loop_;
  event::FakeClock clock_{std::chrono::sys_days{std::chrono::year{2026} / 12 / 1}};
  api::FakeController fake_;
  config::HttpSpec spec_;
  std::unique_ptr<HttpListener> listener_;
};

TEST_F(HttpListenerTest, HealthzAnswersAnyoneAndSaysNothingElse) {
  api::Response r = Send("GET", "/healthz");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "{\"status\":\"ok\"}\n");
  EXPECT_EQ(Send("POST", "/healthz").status, 405);
}

TEST_F(HttpListenerTest, TheApiNeedsACredentialAndSaysHow) {
  api::Response r = Send("GET", "/v1/info");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(Header(r, "WWW-Authenticate"), "Bearer realm=\"vigil\"");
  r = Send("GET", "/v1/info", Bearer(Token("viewer")));
  EXPECT_EQ(r.status, 200) << r.body;
  // A decoded path is judged: an escaped /v1/token is still only on the unix socket.
  EXPECT_EQ(Send("GET", "/v1/%74oken", Bearer(Token("admin"))).status, 403);
}

TEST_F(HttpListenerTest, LoginWithTheTokenGivesASessionCookieAndItsCsrfToken) {
  EXPECT_EQ(Send("POST", "/v1/web/login", {}, R"({"token":"wrong"})").status, 401);
  EXPECT_EQ(Send("POST", "/v1/web/login", {}, "not json").status, 400);
  api::Response r = Send("POST", "/v1/web/login", {}, json{{"token", Token("admin")}}.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string cookie = Header(r, "Set-Cookie");
  EXPECT_NE(cookie.find("; Path=/; HttpOnly; SameSite=Strict"), std::string::npos) << cookie;
  const std::string id = cookie.substr(cookie.find('=') + 1, 64);
  const std::string csrf = json::parse(r.body)["csrf"];

  r = Send("GET", "/v1/web/session", Cookie(id));
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(json::parse(r.body)["role"], "admin");
  EXPECT_EQ(json::parse(r.body)["csrf"], csrf);
  EXPECT_EQ(Send("POST", "/v1/reload", Cookie(id)).status, 403);
  EXPECT_NE(Send("POST", "/v1/reload", Cookie(id, csrf)).status, 403);

  r = Send("POST", "/v1/web/logout", Cookie(id));
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(Header(r, "Set-Cookie").find("Max-Age=0"), std::string::npos);
  EXPECT_EQ(Send("GET", "/v1/info", Cookie(id)).status, 401);
}

TEST_F(HttpListenerTest, ALoginLinkWorksOnce) {
  auto url = listener_->LoginLink("viewer");
  ASSERT_TRUE(url) << url.error().message();
  ASSERT_EQ(url->rfind("http://127.0.0.1:7411/login?code=", 0), 0u) << *url;
  const std::string target = url->substr(std::string("http://127.0.0.1:7411").size());
  api::Response r = Send("GET", target);
  EXPECT_EQ(r.status, 303);
  EXPECT_EQ(Header(r, "Location"), "/");
  const std::string cookie = Header(r, "Set-Cookie");
  const std::string id = cookie.substr(cookie.find('=') + 1, 64);
  r = Send("GET", "/v1/web/session", Cookie(id));
  EXPECT_EQ(json::parse(r.body)["role"], "viewer");
  EXPECT_EQ(Send("GET", target).status, 401) << "used up";
  EXPECT_FALSE(listener_->LoginLink("root"));
}

TEST_F(HttpListenerTest, RotatingATokenEndsItsSessions) {
  api::Response r = Send("POST", "/v1/web/login", {}, json{{"token", Token("admin")}}.dump());
  const std::string cookie = Header(r, "Set-Cookie");
  const std::string id = cookie.substr(cookie.find('=') + 1, 64);
  const std::string old = Token("admin");
  auto rotated = listener_->Token("admin", /*rotate=*/true);
  ASSERT_TRUE(rotated);
  EXPECT_NE(rotated->token, old);
  EXPECT_EQ(Send("GET", "/v1/info", Cookie(id)).status, 401);
  EXPECT_EQ(Send("GET", "/v1/info", Bearer(old)).status, 401);
  EXPECT_EQ(Send("GET", "/v1/info", Bearer(rotated->token)).status, 200);
}

TEST_F(HttpListenerTest, TheDashboardAndTheLoginPageNeedNoCredentials) {
  api::Response r = Send("GET", "/");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
  EXPECT_NE(r.body.find("/assets/app.js"), std::string::npos);
  const std::string etag = Header(r, "ETag");
  EXPECT_FALSE(etag.empty());
  EXPECT_EQ(Header(r, "Cache-Control"), "no-cache");

  api::RequestHeaders again;
  again.if_none_match = etag;
  r = Send("GET", "/", again);
  EXPECT_EQ(r.status, 304);
  EXPECT_EQ(r.body, "");

  r = Send("GET", "/login");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
  EXPECT_NE(r.body.find("/assets/login.js"), std::string::npos);
  EXPECT_EQ(Send("GET", "/login?code=nope").status, 401) << "a code is still redeemed";

  r = Send("GET", "/assets/app.css");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/css; charset=utf-8");
  EXPECT_EQ(Send("GET", "/assets/vendor/chart.js").status, 200);
  EXPECT_EQ(Send("GET", "/assets/nope.js").status, 404);
  EXPECT_EQ(Send("GET", "/index.html").status, 404) << "the page is at /";
  EXPECT_EQ(Send("GET", "/nope").status, 404);
  r = Send("POST", "/");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.allow, "GET");
  EXPECT_EQ(Send("POST", "/assets/app.js").status, 405);
}

// The caller's role reaches the router: a viewer reads the config with its secrets hidden
// and may not save it; an admin may.
TEST_F(HttpListenerTest, TheConfigEditorKnowsWhoAsks) {
  fake_.programs = {api::ProgramInfo{}};
  fake_.programs[0].name = "web";
  api::Response r = Send("GET", "/v1/programs/web/config", Bearer(Token("viewer")));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body)["read_only"], true);
  r = Send("GET", "/v1/programs/web/config", Bearer(Token("admin")));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body)["read_only"], false);
  ASSERT_EQ(fake_.config_reads.size(), 2u);
  EXPECT_TRUE(fake_.config_reads[0].second) << "hidden for the viewer";
  EXPECT_FALSE(fake_.config_reads[1].second);

  const std::string body = R"({"toml":"[program.web]\n","revision":"r"})";
  r = Send("PUT", "/v1/programs/web/config", Bearer(Token("viewer")), body);
  EXPECT_EQ(r.status, 403);
  r = Send("POST", "/v1/programs/web/config/validate", Bearer(Token("viewer")), R"({"toml":""})");
  EXPECT_EQ(r.status, 403);
  EXPECT_TRUE(fake_.config_saves.empty());
  EXPECT_TRUE(fake_.config_checks.empty());
  r = Send("PUT", "/v1/programs/web/config", Bearer(Token("admin")), body);
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(fake_.config_saves.size(), 1u);
}

}  // namespace
}  // namespace vigil::web
