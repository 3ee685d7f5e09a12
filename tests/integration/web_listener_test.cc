// SPDX-License-Identifier: MIT
// The HTTP listener end to end, driven by curl over TCP as any client would: nothing but
// /healthz without a token, Host and Origin checks, viewers read only, GET on an action is
// 405, security headers, `vigil token` (and --rotate), `vigil web` login links with the
// session cookie and its CSRF token, unix-socket-only routes, oversized requests, and a
// cross-site WebSocket upgrade refused.
#include <fstream>
#include <nlohmann/json.hpp>

#include "harness.h"

namespace vigil::testing {
namespace {

using nlohmann::json;

struct Reply {
  int status = 0;
  std::string headers;  // lowercase names
  std::string body;
  std::string Header(const std::string& name) const {
    const std::string key = "\n" + name + ": ";
    const size_t at = headers.find(key);
    if (at == std::string::npos) return "";
    const size_t start = at + key.size();
    return headers.substr(start, headers.find('\r', start) - start);
  }
};

class WebListenerTest : public VigilTest {
 protected:
  void SetUp() override {
    VigilTest::SetUp();
    port_ = FreeTcpPort();
    WriteConfig("[http]\nlisten = \"127.0.0.1:" + std::to_string(port_) + "\"\n\n[program.web]\ncommand = [\"" +
                Child() + "\", \"idle\"]\nstart_seconds = \"0s\"\n\n[task.tidy]\nschedule = \"daily 03:00\"\n"
                "command = [\"true\"]\n");
    StartDaemon();
    ASSERT_TRUE(WaitForState("web", "RUNNING"));
  }

  std::string Base() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // curl over TCP; `extra` are more curl arguments (-H "...").
  Reply Curl(const std::string& method, const std::string& path, std::vector<std::string> extra = {},
             const std::string& body = "") {
    std::vector<std::string> argv = {"curl", "-s", "-D", "-", "-o", "-", "-X", method, Base() + path};
    for (std::string& e : extra) argv.push_back(std::move(e));
    if (!body.empty()) {
      argv.insert(argv.end(), {"-H", "Content-Type: application/json", "--data-binary", body});
    }
    CommandResult r = RunCommand(argv);
    Reply reply;
    const size_t split = r.out.find("\r\n\r\n");
    if (split == std::string::npos) return reply;
    std::string head = r.out.substr(0, split + 2);
    // Lowercase the field names (not the values) for Header().
    size_t line = 0;
    while ((line = head.find("\r\n", line)) != std::string::npos) {
      line += 2;
      for (size_t i = line; i < head.size() && head[i] != ':' && head[i] != '\r'; ++i) {
        head[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(head[i])));
      }
    }
    reply.headers = "\n" + head;
    reply.status = std::atoi(r.out.c_str() + r.out.find(' ') + 1);
    reply.body = r.out.substr(split + 4);
    return reply;
  }
  std::string Token(const std::string& role = "admin") {
    CommandResult r = Vigil(role == "admin" ? std::vector<std::string>{"token"}
                                            : std::vector<std::string>{"token", "--viewer"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out.substr(0, r.out.find('\n'));
  }
  std::vector<std::string> Bearer(const std::string& token) { return {"-H", "Authorization: Bearer " + token}; }

  int port_ = 0;
};

TEST_F(WebListenerTest, NothingButHealthzWithoutAToken) {
  Reply r = Curl("GET", "/healthz");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "{\"status\":\"ok\"}\n");
  for (const char* path : {"/v1/programs", "/v1/info", "/v1/events", "/v1/web/session"}) {
    r = Curl("GET", path);
    EXPECT_EQ(r.status, 401) << path;
    EXPECT_EQ(r.Header("www-authenticate"), "Bearer realm=\"vigil\"") << path;
  }
  EXPECT_EQ(Curl("POST", "/v1/programs/web/stop").status, 401);
  EXPECT_EQ(Curl("GET", "/v1/programs", Bearer("0123")).status, 401);
  EXPECT_EQ(State("web"), "RUNNING");
}

TEST_F(WebListenerTest, EveryResponseCarriesTheSecurityHeaders) {
  for (const Reply& r : {Curl("GET", "/healthz"), Curl("GET", "/v1/programs"), Curl("GET", "/v1/programs", Bearer(Token()))}) {
    EXPECT_EQ(r.Header("content-security-policy"),
              "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
    EXPECT_EQ(r.Header("x-content-type-options"), "nosniff");
    EXPECT_EQ(r.Header("referrer-policy"), "no-referrer");
    EXPECT_EQ(r.Header("access-control-allow-origin"), "") << "no CORS";
  }
}

TEST_F(WebListenerTest, HostAndOriginMustBeVigildsOwn) {
  const std::string token = Token();
  std::vector<std::string> args = Bearer(token);
  args.insert(args.end(), {"-H", "Host: rebound.example:" + std::to_string(port_)});
  EXPECT_EQ(Curl("GET", "/v1/programs", args).status, 403);
  args = Bearer(token);
  args.insert(args.end(), {"-H", "Origin: http://attacker.example"});
  EXPECT_EQ(Curl("POST", "/v1/programs/web/stop", args).status, 403);
  EXPECT_EQ(State("web"), "RUNNING");
  args = Bearer(token);
  args.insert(args.end(), {"-H", "Host: localhost:" + std::to_string(port_), "-H", "Origin: " + Base()});
  EXPECT_EQ(Curl("GET", "/v1/programs", args).status, 200);
}

TEST_F(WebListenerTest, AViewerReadsAnAdminActsAndAGetOnAnActionIs405) {
  const std::string viewer = Token("viewer");
  Reply r = Curl("GET", "/v1/programs", Bearer(viewer));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body)["programs"][0]["name"], "web");
  r = Curl("POST", "/v1/programs/web/stop", Bearer(viewer));
  EXPECT_EQ(r.status, 403);
  EXPECT_NE(r.body.find("a viewer may only read"), std::string::npos) << r.body;
  EXPECT_EQ(State("web"), "RUNNING");

  const std::string admin = Token();
  EXPECT_EQ(Curl("GET", "/v1/programs/web/stop", Bearer(admin)).status, 405);
  EXPECT_EQ(State("web"), "RUNNING");
  r = Curl("POST", "/v1/programs/web/stop", Bearer(admin));
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(State("web"), "STOPPED");
}

TEST_F(WebListenerTest, RotatingATokenRetiresTheOldOne) {
  const std::string old = Token();
  ASSERT_EQ(old.size(), 64u);
  CommandResult rotated = Vigil({"token", "--rotate"});
  ASSERT_EQ(rotated.exit_code, 0) << rotated.err;
  const std::string fresh = rotated.out.substr(0, rotated.out.find('\n'));
  EXPECT_NE(fresh, old);
  EXPECT_EQ(Token(), fresh);
  EXPECT_EQ(Curl("GET", "/v1/programs", Bearer(old)).status, 401);
  EXPECT_EQ(Curl("GET", "/v1/programs", Bearer(fresh)).status, 200);
}

TEST_F(WebListenerTest, ALoginLinkGivesABrowserASessionWhoseChangesNeedTheCsrfToken) {
  CommandResult web = Vigil({"web"});
  ASSERT_EQ(web.exit_code, 0) << web.err;
  const std::string url = web.out.substr(0, web.out.find('\n'));
  ASSERT_EQ(url.rfind(Base() + "/login?code=", 0), 0u) << url;
  Reply login = Curl("GET", url.substr(Base().size()));
  ASSERT_EQ(login.status, 303) << login.body;
  EXPECT_EQ(login.Header("location"), "/");
  const std::string cookie = login.Header("set-cookie");
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos) << cookie;
  const std::string pair = cookie.substr(0, cookie.find(';'));
  EXPECT_EQ(Curl("GET", url.substr(Base().size())).status, 401) << "a link logs in once";

  Reply session = Curl("GET", "/v1/web/session", {"-H", "Cookie: " + pair});
  ASSERT_EQ(session.status, 200) << session.body;
  const std::string csrf = json::parse(session.body)["csrf"];
  EXPECT_EQ(Curl("POST", "/v1/programs/web/stop", {"-H", "Cookie: " + pair}).status, 403);
  EXPECT_EQ(State("web"), "RUNNING");
  EXPECT_EQ(Curl("POST", "/v1/programs/web/stop", {"-H", "Cookie: " + pair, "-H", "X-CSRF-Token: " + csrf}).status,
            200);
  EXPECT_EQ(State("web"), "STOPPED");
  EXPECT_EQ(Curl("POST", "/v1/web/logout", {"-H", "Cookie: " + pair}).status, 200);
  EXPECT_EQ(Curl("GET", "/v1/programs", {"-H", "Cookie: " + pair}).status, 401);
}

TEST_F(WebListenerTest, TokensAndLoginLinksAreOnlyHandedOutOnTheUnixSocket) {
  const std::string admin = Token();
  EXPECT_EQ(Curl("GET", "/v1/token", Bearer(admin)).status, 403);
  EXPECT_EQ(Curl("POST", "/v1/token/rotate", Bearer(admin)).status, 403);
  EXPECT_EQ(Curl("POST", "/v1/web/login-link", Bearer(admin)).status, 403);
  EXPECT_EQ(Token(), admin);
}

TEST_F(WebListenerTest, OversizedRequestsAreRefused) {
  std::vector<std::string> args = Bearer(Token());
  args.insert(args.end(), {"-H", "X-Filler: " + std::string(20000, 'x')});
  const int big_header = Curl("GET", "/v1/programs", args).status;
  EXPECT_TRUE(big_header == 400 || big_header == 431) << big_header;
  // From a file: an argument of 2 MiB is more than exec(2) takes.
  const std::filesystem::path body = dir_ / "big-body";
  {
    std::ofstream(body) << std::string(2 << 20, 'x');
  }
  args = Bearer(Token());
  args.insert(args.end(), {"-H", "Content-Type: application/json", "--data-binary", "@" + body.string()});
  const Reply big_body = Curl("POST", "/v1/reload", args);
  EXPECT_EQ(big_body.status, 413);
  EXPECT_EQ(Curl("GET", "/healthz").status, 200) << "still answering";
}

TEST_F(WebListenerTest, ACrossSiteWebSocketUpgradeIsRefused) {
  std::vector<std::string> upgrade = {"-H", "Connection: Upgrade", "-H", "Upgrade: websocket",
                                      "-H", "Sec-WebSocket-Version: 13", "-H", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=="};
  std::vector<std::string> args = Bearer(Token());
  args.insert(args.end(), upgrade.begin(), upgrade.end());
  EXPECT_EQ(Curl("GET", "/v1/stream", args).status, 403) << "no Origin";
  args.insert(args.end(), {"-H", "Origin: http://attacker.example"});
  EXPECT_EQ(Curl("GET", "/v1/stream", args).status, 403);
}

// /metrics: a token (or metrics_public), the exact content type, and output that Debian's
// promtool (the prometheus package) accepts without a lint problem.
TEST_F(WebListenerTest, MetricsPassPromtool) {
  EXPECT_EQ(Curl("GET", "/metrics").status, 401);
  CommandResult run = Vigil({"run", "tidy", "--wait"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const Reply r = Curl("GET", "/metrics", Bearer(Token("viewer")));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(r.body.find("vigil_program_up{program=\"web\"} 1\n"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("vigil_http_connections 1\n"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("vigil_task_runs_total{task=\"tidy\",result=\"success\"} 1\n"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("vigil_task_last_duration_seconds{task=\"tidy\"} "), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("\nprocess_resident_memory_bytes "), std::string::npos) << r.body;
  const std::filesystem::path file = dir_ / "metrics.txt";
  {
    std::ofstream(file) << r.body;
  }
  // promtool reads the exposition on stdin.
  CommandResult check = RunCommand({"sh", "-c", "exec promtool check metrics < \"$0\"", file.string()});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  // The same on the unix socket, without a token.
  auto [status, body] = Http("GET", "/metrics");
  EXPECT_EQ(status, 200);
  EXPECT_NE(body.find("vigil_program_state{program=\"web\",state=\"RUNNING\"} 1"), std::string::npos) << body;
}

TEST_F(VigilTest, WithoutHttpTheTokenCommandSaysHowToTurnItOn) {
  WriteConfig("");
  StartDaemon();
  CommandResult r = Vigil({"token"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("no HTTP listener: add [http] listen = \"127.0.0.1:7411\" to the config"), std::string::npos)
      << r.err;
}

TEST_F(VigilTest, ABusyPortStopsVigildWithTheAddress) {
  const int port = FreeTcpPort();
  WriteConfig("[http]\nlisten = \"127.0.0.1:" + std::to_string(port) + "\"\n");
  StartDaemon();
  // A second vigild on another socket but the same port.
  const std::filesystem::path second = dir_ / "second.toml";
  {
    std::ofstream out(second);
    out << "[vigil]\nstate_dir = \"" << (dir_ / "state2").string() << "\"\nlog_dir = \"" << (dir_ / "logs2").string()
        << "\"\nsocket = \"" << (dir_ / "second.sock").string() << "\"\n[http]\nlisten = \"127.0.0.1:" << port
        << "\"\n";
  }
  CommandResult r = RunCommand({VigildBin(), "--config", second.string()});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("cannot start the HTTP listener: 127.0.0.1:" + std::to_string(port) +
                       " is in use by another program"),
            std::string::npos)
      << r.err;
}

}  // namespace
}  // namespace vigil::testing
