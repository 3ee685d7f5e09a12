// SPDX-License-Identifier: MIT
// End-to-end: the HTTP API on the unix socket answers with JSON, and with fitting 4xx
// codes for bad requests (malicious ones included, which must never take vigild down);
// the socket is private to its owner.
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fmt/format.h>
#include <string_view>

#include "harness.h"

namespace vigil::testing {
namespace {

// A client that sends bytes exactly as given, for requests curl will not make. Every
// blocking call gives up after kIoDeadline, so a test fails instead of hanging.
class RawClient {
 public:
  explicit RawClient(const std::filesystem::path& socket_path) {
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, socket_path.c_str(), sizeof(addr.sun_path) - 1);
    timeval deadline{kIoDeadlineSeconds, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &deadline, sizeof(deadline));
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &deadline, sizeof(deadline));
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
    EXPECT_TRUE(connected_) << std::strerror(errno);
  }
  ~RawClient() { ::close(fd_); }

  // False once vigild has closed the connection (or the deadline passed).
  bool Send(std::string_view bytes) {
    while (connected_ && !bytes.empty()) {
      ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<size_t>(n));
    }
    return connected_;
  }

  // All vigild sends until it closes the connection.
  std::string ReadToEof() {
    std::string all;
    char chunk[4096];
    for (;;) {
      ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return all;
      all.append(chunk, static_cast<size_t>(n));
    }
  }

 private:
  static constexpr int kIoDeadlineSeconds = 30;
  int fd_ = -1;
  bool connected_ = false;
};

// Resident memory of a process in KiB, from /proc/PID/status; -1 if unknown.
long RssKb(pid_t pid) {
  std::string status = ReadFile("/proc/" + std::to_string(pid) + "/status");
  auto at = status.find("VmRSS:");
  if (at == std::string::npos) return -1;
  return std::strtol(status.c_str() + at + 6, nullptr, 10);
}

// A chunked POST /v1/start whose body ({}) is complete: what follows is its trailer.
constexpr std::string_view kChunkedUpToTrailer =
    "POST /v1/start HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n"
    "2\r\n{}\r\n0\r\n";

class ApiTest : public VigilTest {
 protected:
  void SetUp() override {
    VigilTest::SetUp();
    WriteConfig(fmt::format("[program.web]\ncommand = [\"{}\", \"idle\"]\nstart_seconds = \"100ms\"\n", Child()));
    StartDaemon();
  }
};

TEST_F(ApiTest, ListsProgramsAsJson) {
  ASSERT_TRUE(WaitForState("web", "RUNNING"));
  auto [code, body] = Http("GET", "/v1/programs");
  EXPECT_EQ(code, 200);
  auto j = nlohmann::json::parse(body);
  EXPECT_EQ(j["programs"][0]["name"], "web");
  EXPECT_EQ(j["programs"][0]["state"], "RUNNING");
}

// A program's process lifetimes, newest first and paged: each kill -9 ends one (with its
// exit status) and the restart begins the next.
TEST_F(ApiTest, LifetimesArePagedNewestFirst) {
  ASSERT_TRUE(WaitForState("web", "RUNNING"));
  for (int i = 0; i < 2; ++i) {
    const pid_t pid = Program("web")["pid"].get<pid_t>();
    ASSERT_EQ(::kill(pid, SIGKILL), 0);
    ASSERT_TRUE(WaitFor([&] {
      auto p = Program("web");
      return p["state"] == "RUNNING" && p["pid"].get<pid_t>() != pid;
    }));
  }
  nlohmann::json page;
  ASSERT_TRUE(WaitFor([&] {  // the history writer records them on its own thread
    page = nlohmann::json::parse(Http("GET", "/v1/programs/web/lifetimes?limit=2").second, nullptr, false);
    return page.is_object() && page["lifetimes"].size() == 2 && page["lifetimes"][1]["ended_ms"] != -1;
  })) << page.dump();
  EXPECT_EQ(page["lifetimes"][0]["pid"], Program("web")["pid"]);
  EXPECT_EQ(page["lifetimes"][0]["ended_ms"], -1);
  EXPECT_EQ(page["lifetimes"][1]["exit_status"], "killed by SIGKILL");
  ASSERT_TRUE(page["next_before"].is_number()) << page.dump();
  auto [code, body] = Http("GET", "/v1/programs/web/lifetimes?limit=2&before=" + page["next_before"].dump());
  EXPECT_EQ(code, 200);
  const auto older = nlohmann::json::parse(body);
  ASSERT_EQ(older["lifetimes"].size(), 1u) << body;
  EXPECT_EQ(older["next_before"], nullptr);
  EXPECT_EQ(Http("GET", "/v1/programs/nope/lifetimes").first, 404);
  EXPECT_EQ(Http("GET", "/v1/programs/web/lifetimes?limit=0").first, 400);
}

// The auto-start switch: off, the program goes on running but stays down when vigild
// starts again; on, it starts again. Neither is a start or a stop now.
TEST_F(ApiTest, AutostartIsRememberedAcrossRestartsWithoutTouchingWhatRuns) {
  ASSERT_TRUE(WaitForState("web", "RUNNING"));
  EXPECT_EQ(Program("web")["autostart"], true);
  auto [code, body] = Http("POST", "/v1/programs/web/autostart", R"({"enabled": false})");
  ASSERT_EQ(code, 200) << body;
  EXPECT_EQ(nlohmann::json::parse(body)["programs"][0]["autostart"], false);
  EXPECT_EQ(State("web"), "RUNNING");
  EXPECT_EQ(StopDaemon(), 0);
  StartDaemon();
  EXPECT_EQ(Program("web")["autostart"], false);
  EXPECT_EQ(State("web"), "STOPPED");
  EXPECT_EQ(Http("POST", "/v1/programs/web/autostart", R"({"enabled": true})").first, 200);
  EXPECT_EQ(State("web"), "STOPPED");
  EXPECT_EQ(StopDaemon(), 0);
  StartDaemon();
  EXPECT_TRUE(WaitForState("web", "RUNNING"));
  EXPECT_EQ(Http("POST", "/v1/programs/web/autostart", R"({"enabled": "yes"})").first, 400);
  EXPECT_EQ(Http("POST", "/v1/programs/nope/autostart", R"({"enabled": true})").first, 404);
  EXPECT_EQ(Http("GET", "/v1/programs/web/autostart").first, 405);
}

TEST_F(ApiTest, UnknownProgramIs404) {
  auto [code, body] = Http("GET", "/v1/programs/nope");
  EXPECT_EQ(code, 404);
  EXPECT_TRUE(nlohmann::json::parse(body).contains("error"));
  auto [code2, body2] = Http("POST", "/v1/start", R"({"programs":["nope"]})");
  EXPECT_EQ(code2, 404) << body2;
}

TEST_F(ApiTest, BadRequestIs400) {
  auto [code, body] = Http("POST", "/v1/start", "{not json");
  EXPECT_EQ(code, 400);
  EXPECT_TRUE(nlohmann::json::parse(body).contains("error"));
  auto [code2, body2] = Http("POST", "/v1/signal", R"({"programs":["web"],"signal":"NOPE"})");
  EXPECT_EQ(code2, 400) << body2;
}

TEST_F(ApiTest, UnknownRouteIs404) {
  auto [code, body] = Http("GET", "/v1/nothing-here");
  EXPECT_EQ(code, 404);
}

TEST_F(ApiTest, SocketIsPrivate) {
  struct stat st {};
  ASSERT_EQ(::stat(socket_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
}

// Regression test for issue 8, item 9: this request made Beast throw length_error out of
// the read handler, which aborted vigild and left its programs without a parent.
TEST_F(ApiTest, HugeTrailerFieldIs400AndVigildKeepsSupervising) {
  ASSERT_TRUE(WaitForState("web", "RUNNING"));
  const int web_pid = Program("web").value("pid", 0);
  ASSERT_GT(web_pid, 0);
  RawClient client(socket_);
  client.Send(std::string(kChunkedUpToTrailer) + "X-T: " + std::string(70000, 'a') + "\r\n\r\n");
  std::string reply = client.ReadToEof();
  EXPECT_EQ(reply.rfind("HTTP/1.1 400 ", 0), 0u) << reply.substr(0, 300);
  EXPECT_NE(reply.find("request trailer too large"), std::string::npos) << reply.substr(0, 300);
  if (!ProcessAlive(daemon_pid_)) {
    ::kill(web_pid, SIGKILL);  // orphaned by the crash; nobody else will stop it
    FAIL() << "vigild died";
  }
  EXPECT_EQ(Http("GET", "/v1/info").first, 200);
  // Still supervising: web kept its process, and its next crash is restarted.
  EXPECT_EQ(Program("web").value("pid", 0), web_pid);
  ::kill(web_pid, SIGKILL);
  EXPECT_TRUE(WaitFor([&] {
    auto web = Program("web");
    return web.value("state", "") == "RUNNING" && web.value("pid", 0) != web_pid;
  }));
}

// Regression test for issue 8, item 10: 5 million small trailer fields (about 60 MB) were
// all buffered and stored, taking vigild to 489 MB, which it kept after the connection
// closed. Now vigild refuses the request at its trailer limit and does not grow.
TEST_F(ApiTest, EndlessTrailerFieldsAreRefusedWithoutGrowingVigild) {
  ASSERT_TRUE(WaitForState("web", "RUNNING"));
  const long rss_before = RssKb(daemon_pid_);
  ASSERT_GT(rss_before, 0);
  RawClient client(socket_);
  ASSERT_TRUE(client.Send(kChunkedUpToTrailer));
  std::string block;
  for (int i = 0; i < 5000; ++i) block += fmt::format("X-F{:07}: v\r\n", i);
  size_t sent = 0;
  while (sent < (60u << 20) && client.Send(block)) sent += block.size();
  if (sent >= (60u << 20)) client.Send("\r\n");
  std::string reply = client.ReadToEof();
  EXPECT_EQ(reply.rfind("HTTP/1.1 400 ", 0), 0u) << reply.substr(0, 300);
  EXPECT_NE(reply.find("request trailer"), std::string::npos) << reply.substr(0, 300);
  EXPECT_LT(sent, 4u << 20) << "vigild read the trailer on and on";
  ASSERT_TRUE(ProcessAlive(daemon_pid_));
  EXPECT_EQ(Http("GET", "/v1/info").first, 200);
  const long rss_after = RssKb(daemon_pid_);
  EXPECT_LT(rss_after - rss_before, 8 * 1024) << rss_before << " KiB before, " << rss_after
                                             << " KiB after";
  EXPECT_EQ(State("web"), "RUNNING");
}

TEST_F(ApiTest, CliExitsThreeWhenDaemonIsUnreachable) {
  auto r = RunCommand({VigilBin(), "--socket", (dir_ / "no.sock").string(), "status"});
  EXPECT_EQ(r.exit_code, 3);
}

}  // namespace
}  // namespace vigil::testing
