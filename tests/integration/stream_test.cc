// SPDX-License-Identifier: MIT
// GET /v1/stream end to end: the real vigild, driven with the real vigil CLI and a
// WebSocket client (Beast's client side) over the unix socket and the HTTP listener:
// status, events and logs as they happen, log history with seqs that REST can fetch
// again, a slow client during a log flood (bounded memory, `dropped` ranges, every line
// in the file), and the listener's Origin and token rules on upgrades.
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "harness.h"
#include "ws_client.h"

namespace vigil::testing {
namespace {

using nlohmann::json;

constexpr int kFloodLines = 200000;  // 100 bytes each (vigil-test-child flood)
// vigild's growth during the flood with one slow client: its queues (1 MiB of lines) and
// the messages in flight, about 3 MB in a release build. ASan keeps freed memory in
// quarantine (and pads every allocation), so the same bound is looser there: it measures
// the sanitizer, not the queues.
#if defined(__SANITIZE_ADDRESS__)
constexpr long kFloodGrowthKb = 64 * 1024;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr long kFloodGrowthKb = 64 * 1024;
#else
constexpr long kFloodGrowthKb = 16 * 1024;
#endif
#else
constexpr long kFloodGrowthKb = 16 * 1024;
#endif

long RssKb(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

class StreamTest : public VigilTest {
 protected:
  void SetUp() override {
    VigilTest::SetUp();
    port_ = FreeTcpPort();
    WriteConfig("[http]\nlisten = \"127.0.0.1:" + std::to_string(port_) +
                "\"\n\n"
                "[program.ticker]\n"
                "command = [\"/bin/sh\", \"-c\", \"i=0; while :; do i=$((i+1)); echo \\\"INFO tick $i\\\"; "
                "echo \\\"ERROR tock $i\\\" >&2; sleep 0.05; done\"]\n"
                "start_seconds = \"0s\"\n\n"
                "[program.flood]\n"
                "command = [\"" + Child() + "\", \"flood\", \"" + std::to_string(kFloodLines) + "\"]\n"
                "autostart = false\nstart_seconds = \"0s\"\nstdout = { max_size = \"64MB\" }\n");
    StartDaemon();
    ASSERT_TRUE(WaitForState("ticker", "RUNNING"));
  }

  std::unique_ptr<WsClient> Connect(WsClient::Options options = {}) {
    auto result = WsClient::ConnectUnix(socket_, "/v1/stream", options);
    EXPECT_TRUE(result.client) << result.status << " " << result.error;
    if (!result.client) return nullptr;
    auto hello = result.client->Read();
    EXPECT_TRUE(hello && (*hello)["type"] == "hello") << (hello ? hello->dump() : "nothing");
    return std::move(result.client);
  }

  static auto Type(const std::string& type) {
    return [type](const json& m) { return m["type"] == type; };
  }

  int port_ = 0;
};

TEST_F(StreamTest, StatusAndEventsArriveAsProgramsChange) {
  auto ws = Connect();
  ASSERT_TRUE(ws);
  ws->Send({{"op", "subscribe"}, {"topic", "status"}});
  ws->Send({{"op", "subscribe"}, {"topic", "events"}});
  auto full = ws->ReadUntil([](const json& m) { return m["type"] == "status" && m.value("full", false); });
  ASSERT_TRUE(full);
  std::set<std::string> names;
  for (auto& p : (*full)["programs"]) names.insert(p["name"]);
  EXPECT_EQ(names, (std::set<std::string>{"flood", "ticker"}));

  ASSERT_EQ(Vigil({"stop", "ticker"}).exit_code, 0);
  auto stopped = ws->ReadUntil([](const json& m) {
    if (m["type"] != "status") return false;
    for (auto& p : m["programs"])
      if (p["name"] == "ticker" && p["state"] == "STOPPED") return true;
    return false;
  });
  EXPECT_TRUE(stopped);
  auto event = ws->ReadUntil([](const json& m) {
    return m["type"] == "event" && m["event"]["subject"] == "ticker" &&
           m["event"]["message"].get<std::string>().find("STOPPED") != std::string::npos;
  });
  ASSERT_TRUE(event);
  EXPECT_GT((*event)["event"]["id"].get<int64_t>(), 0);
}

TEST_F(StreamTest, LogHistoryThenLiveLinesWhoseSeqsRestCanFetchAgain) {
  ASSERT_TRUE(WaitFor([&] { return ReadFile(log_dir_ / "ticker.out.log").find("tick 5\n") != std::string::npos; }));
  auto ws = Connect();
  ASSERT_TRUE(ws);
  ws->Send({{"op", "subscribe"}, {"topic", "logs"}, {"program", "ticker"}, {"level", "INFO"}, {"last", 3}});
  ASSERT_TRUE(ws->ReadUntil(Type("ack")));
  std::vector<json> lines;
  ws->ReadUntil(
      [&](const json&) { return lines.size() >= 10; }, std::chrono::seconds(15), [&](const json& m) {
        if (m["type"] != "logs") return;
        EXPECT_EQ(m["stream"], "stdout");
        for (auto& l : m["lines"]) lines.push_back(l);
      });
  ASSERT_GE(lines.size(), 10u);
  // The history first (no time), then live lines (with their time), seqs one by one.
  EXPECT_FALSE(lines[0].contains("time_ms"));
  EXPECT_TRUE(lines.back().contains("time_ms"));
  for (size_t i = 1; i < lines.size(); ++i) EXPECT_EQ(lines[i]["seq"], lines[i - 1]["seq"].get<int64_t>() + 1);
  for (auto& l : lines) {
    EXPECT_EQ(l["level"], "INFO");
    EXPECT_EQ(l["text"].get<std::string>().rfind("INFO tick ", 0), 0u);
  }
  const int64_t from = lines[2]["seq"], to = lines[6]["seq"];
  auto [status, body] =
      Http("GET", "/v1/programs/ticker/logs?from_seq=" + std::to_string(from) + "&to_seq=" + std::to_string(to));
  ASSERT_EQ(status, 200) << body;
  json fetched = json::parse(body);
  EXPECT_EQ(fetched["from_seq"], from);
  ASSERT_EQ(fetched["lines"].size(), 5u);
  for (size_t i = 0; i < 5; ++i) EXPECT_EQ(fetched["lines"][i], lines[2 + i]["text"]);

  // stderr has its own lines, and the level filter lets ERROR through at WARNING.
  ws->Send({{"op", "subscribe"}, {"topic", "logs"}, {"program", "ticker"}, {"stream", "stderr"}, {"level", "WARNING"}});
  auto errors = ws->ReadUntil([](const json& m) { return m["type"] == "logs" && m["stream"] == "stderr"; });
  ASSERT_TRUE(errors);
  EXPECT_EQ((*errors)["lines"][0]["level"], "ERROR");
}

TEST_F(StreamTest, SlowClientDuringAFloodGetsDroppedRangesWhileMemoryStaysBounded) {
  WsClient::Options options;
  options.receive_buffer = 4096;
  auto ws = Connect(options);
  ASSERT_TRUE(ws);
  ws->Send({{"op", "subscribe"}, {"topic", "logs"}, {"program", "flood"}});
  ASSERT_TRUE(ws->ReadUntil(Type("ack")));
  const long rss_before = RssKb(daemon_pid_);
  ASSERT_EQ(Vigil({"start", "flood"}).exit_code, 0);
  // The client reads nothing until the whole flood is in the file.
  const auto log = log_dir_ / "flood.out.log";
  ASSERT_TRUE(WaitFor(
      [&] {
        std::error_code ec;
        return std::filesystem::file_size(log, ec) >= static_cast<uintmax_t>(kFloodLines) * 100;
      },
      std::chrono::seconds(60)));
  const long rss_after = RssKb(daemon_pid_);
  EXPECT_LT(rss_after - rss_before, kFloodGrowthKb) << "vigild grew from " << rss_before << " kB to " << rss_after << " kB";

  // Now read it all: every seq is either delivered or inside a dropped range, in order.
  int64_t next = 1;
  uint64_t delivered = 0, dropped = 0;
  bool in_order = true;
  auto last = ws->ReadUntil(
      [&](const json&) { return next > kFloodLines; }, std::chrono::seconds(60), [&](const json& m) {
        if (m["type"] == "logs") {
          for (auto& l : m["lines"]) {
            in_order = in_order && l["seq"] == next;
            ++next;
            ++delivered;
          }
        } else if (m["type"] == "dropped") {
          in_order = in_order && m["from_seq"] == next;
          dropped += m["count"].get<uint64_t>();
          next = m["to_seq"].get<int64_t>() + 1;
        }
      });
  ASSERT_TRUE(last) << "got to seq " << next;
  EXPECT_TRUE(in_order);
  EXPECT_GT(dropped, 0u);
  EXPECT_EQ(delivered + dropped, static_cast<uint64_t>(kFloodLines));
  // The file kept every line, whatever the stream dropped.
  EXPECT_EQ(std::filesystem::file_size(log), static_cast<uintmax_t>(kFloodLines) * 100);
  auto [status, metrics] = Http("GET", "/metrics");
  ASSERT_EQ(status, 200);
  EXPECT_NE(metrics.find("vigil_stream_dropped_lines_total " + std::to_string(dropped)), std::string::npos);
  EXPECT_NE(metrics.find("vigil_stream_connections 1"), std::string::npos);
}

TEST_F(StreamTest, PlainGetIs426AndBadMessagesClose) {
  auto [status, body] = Http("GET", "/v1/stream");
  EXPECT_EQ(status, 426) << body;
  auto ws = Connect();
  ASSERT_TRUE(ws);
  ws->Send({{"op", "subscribe"}, {"topic", "weather"}});
  auto error = ws->ReadUntil(Type("error"));
  ASSERT_TRUE(error);
  EXPECT_NE((*error)["message"].get<std::string>().find("unknown topic"), std::string::npos);
  ws->Send("just a string");
  ws->ReadUntil([](const json&) { return false; }, std::chrono::seconds(5));
  EXPECT_TRUE(ws->closed());
  EXPECT_EQ(ws->close_code(), 1008);
}

TEST_F(StreamTest, ListenerUpgradesNeedOurOriginAndAToken) {
  const std::string origin = "http://127.0.0.1:" + std::to_string(port_);
  CommandResult token = Vigil({"token"});
  ASSERT_EQ(token.exit_code, 0);
  std::string bearer = token.out.substr(0, token.out.find('\n'));
  WsClient::Options no_origin;
  no_origin.headers = {{"Authorization", "Bearer " + bearer}};
  EXPECT_EQ(WsClient::ConnectTcp(port_, "/v1/stream", no_origin).status, 403);
  WsClient::Options cross_site;
  cross_site.headers = {{"Origin", "http://evil.example"}, {"Authorization", "Bearer " + bearer}};
  EXPECT_EQ(WsClient::ConnectTcp(port_, "/v1/stream", cross_site).status, 403);
  WsClient::Options no_token;
  no_token.headers = {{"Origin", origin}};
  EXPECT_EQ(WsClient::ConnectTcp(port_, "/v1/stream", no_token).status, 401);
  WsClient::Options good;
  good.headers = {{"Origin", origin}, {"Authorization", "Bearer " + bearer}};
  auto ok = WsClient::ConnectTcp(port_, "/v1/stream", good);
  ASSERT_TRUE(ok.client) << ok.status << " " << ok.error;
  auto hello = ok.client->Read();
  ASSERT_TRUE(hello);
  EXPECT_EQ((*hello)["type"], "hello");
}

TEST_F(StreamTest, LogoutAndANewTokenEndTheStreamsTheyOpened) {
  const std::string base = "http://127.0.0.1:" + std::to_string(port_);
  CommandResult token = Vigil({"token"});
  ASSERT_EQ(token.exit_code, 0);
  const std::string admin = token.out.substr(0, token.out.find('\n'));
  // A browser session: its cookie and CSRF token from POST /v1/web/login.
  CommandResult login = RunCommand({"curl", "-s", "-D", "-", "-H", "Origin: " + base, "-H",
                                    "Content-Type: application/json", "--data-binary",
                                    json{{"token", admin}}.dump(), base + "/v1/web/login"});
  const size_t at = login.out.find("vigil_session=");
  ASSERT_NE(at, std::string::npos) << login.out;
  const std::string cookie = login.out.substr(at, login.out.find(';', at) - at);
  const std::string csrf = json::parse(login.out.substr(login.out.find("\r\n\r\n") + 4))["csrf"];

  WsClient::Options browser;
  browser.headers = {{"Origin", base}, {"Cookie", cookie}};
  auto by_session = WsClient::ConnectTcp(port_, "/v1/stream", browser);
  ASSERT_TRUE(by_session.client) << by_session.status << " " << by_session.error;
  WsClient::Options api_client;
  api_client.headers = {{"Origin", base}, {"Authorization", "Bearer " + admin}};
  auto by_token = WsClient::ConnectTcp(port_, "/v1/stream", api_client);
  ASSERT_TRUE(by_token.client);
  ASSERT_TRUE(by_session.client->Read());  // hello
  ASSERT_TRUE(by_token.client->Read());

  CommandResult logout = RunCommand({"curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", "-H",
                                     "Origin: " + base, "-H", "Cookie: " + cookie, "-H", "X-CSRF-Token: " + csrf,
                                     base + "/v1/web/logout"});
  EXPECT_EQ(logout.out, "200");
  by_session.client->ReadUntil([](const json&) { return false; }, std::chrono::seconds(5));
  EXPECT_TRUE(by_session.client->closed());
  EXPECT_EQ(by_session.client->close_code(), 4003);
  by_token.client->Read(std::chrono::milliseconds(500));  // nothing comes: it stays open
  EXPECT_FALSE(by_token.client->closed());  // a token's stream outlives someone else's logout

  ASSERT_EQ(Vigil({"token", "--rotate"}).exit_code, 0);
  by_token.client->ReadUntil([](const json&) { return false; }, std::chrono::seconds(5));
  EXPECT_TRUE(by_token.client->closed());
  EXPECT_EQ(by_token.client->close_code(), 4003);
}

}  // namespace
}  // namespace vigil::testing
