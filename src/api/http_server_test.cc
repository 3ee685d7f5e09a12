// SPDX-License-Identifier: MIT
// HttpServer end to end: a real unix socket, a FakeController, and a blocking Beast
// client on its own thread while the loop runs on the test thread.
#include "api/http_server.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>
#include <thread>

#include "api/fake_controller_test_util.h"

namespace vigil::api {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using nlohmann::json;
using namespace std::chrono_literals;

constexpr auto kDeadline = 10s;

ProgramInfo MakeProgram(const std::string& name) {
  ProgramInfo p;
  p.name = name;
  p.state = "STOPPED";
  p.want = "down";
  p.stdout_log = "/logs/" + name + ".out";
  p.stderr_log = "/logs/" + name + ".err";
  return p;
}

// Client sockets, so a test that hits its deadline can unblock its client thread.
class ClientRegistry {
 public:
  void Add(int fd) {
    std::lock_guard lock(mu_);
    fds_.insert(fd);
  }
  void Remove(int fd) {
    std::lock_guard lock(mu_);
    fds_.erase(fd);
  }
  void ShutdownAll() {
    std::lock_guard lock(mu_);
    for (int fd : fds_) ::shutdown(fd, SHUT_RDWR);
  }

 private:
  std::mutex mu_;
  std::set<int> fds_;
};

struct Reply {
  int status = 0;  // 0: no response (connection error)
  std::string content_type;
  std::string allow;
  std::string body;
  json body_json;
};

// A blocking HTTP/1.1 client for the client thread.
class Client {
 public:
  Client(const std::filesystem::path& socket_path, ClientRegistry& registry)
      : socket_(io_), registry_(registry) {
    beast::error_code ec;
    socket_.connect(asio::local::stream_protocol::endpoint(socket_path.string()), ec);
    EXPECT_FALSE(ec) << ec.message();
    if (!ec) registry_.Add(socket_.native_handle());
  }
  ~Client() { Close(); }

  void Close() {
    if (!socket_.is_open()) return;
    registry_.Remove(socket_.native_handle());
    beast::error_code ignored;
    socket_.close(ignored);
  }

  Reply Send(const std::string& method, const std::string& target, const std::string& body = "") {
    http::request<http::string_body> request;
    request.method_string(method);
    request.target(target);
    request.version(11);
    request.set(http::field::host, "localhost");
    request.body() = body;
    request.prepare_payload();
    beast::error_code ec;
    http::write(socket_, request, ec);
    if (ec) return {};
    return Read();
  }

  Reply Read() {
    http::response<http::string_body> response;
    beast::error_code ec;
    http::read(socket_, buffer_, response, ec);
    if (ec) return {};
    Reply reply;
    reply.status = response.result_int();
    reply.content_type = std::string(response[http::field::content_type]);
    reply.allow = std::string(response[http::field::allow]);
    reply.body = response.body();
    reply.body_json = json::parse(reply.body, nullptr, /*allow_exceptions=*/false);
    return reply;
  }

  void WriteRaw(std::string_view bytes) {
    beast::error_code ec;
    asio::write(socket_, asio::buffer(bytes.data(), bytes.size()), ec);
    EXPECT_FALSE(ec) << ec.message();
  }

  // For requests the server may refuse before it has read them: false once it has closed.
  bool TryWriteRaw(std::string_view bytes) {
    beast::error_code ec;
    asio::write(socket_, asio::buffer(bytes.data(), bytes.size()), ec);
    return !ec;
  }

  // Reads until the server closes the connection.
  std::string ReadUntilEof() {
    std::string all;
    char chunk[4096];
    beast::error_code ec;
    while (!ec) {
      size_t n = socket_.read_some(asio::buffer(chunk), ec);
      all.append(chunk, n);
    }
    return all;
  }

  // Starts reading a streaming response; then ReadBodyUntil() reads more of it.
  int ReadStreamHeader() {
    parser_.body_limit(boost::none);
    beast::error_code ec;
    http::read_header(socket_, buffer_, parser_, ec);
    if (ec) return 0;
    return parser_.get().result_int();
  }
  std::string StreamContentType() { return std::string(parser_.get()[http::field::content_type]); }
  // Reads chunks until the decoded body contains `text`. False if the stream ends first.
  bool ReadBodyUntil(std::string_view text) {
    while (parser_.get().body().find(text) == std::string::npos) {
      beast::error_code ec;
      http::read_some(socket_, buffer_, parser_, ec);
      if (ec) return false;
    }
    return true;
  }

 private:
  asio::io_context io_;
  asio::local::stream_protocol::socket socket_;
  ClientRegistry& registry_;
  beast::flat_buffer buffer_;
  http::response_parser<http::string_body> parser_;
};

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/vigil-api-XXXXXX";
    ASSERT_NE(::mkdtemp(dir), nullptr);
    dir_ = dir;
    socket_path_ = dir_ / "run" / "vigil.sock";
    fake_.programs = {MakeProgram("web:0"), MakeProgram("web:1"), MakeProgram("worker")};
    fake_.info.version = "0.1.0";
    fake_.info.pid = 42;
    fake_.info.socket = socket_path_;
  }

  void TearDown() override {
    if (client_thread_.joinable()) {
      registry_.ShutdownAll();
      client_thread_.join();
    }
    server_.reset();
    loop_.Poll();
    std::filesystem::remove_all(dir_);
  }

  std::unique_ptr<HttpServer> MakeServer() {
    return std::make_unique<HttpServer>(
        loop_, fake_,
        [this](const std::filesystem::path& path,
               size_t n) -> base::Result<std::vector<std::string>> {
          tail_requests_.emplace_back(path, n);
          if (!tail_status_.ok()) return tail_status_;
          return tail_lines_;
        },
        options_);
  }

  void Listen() {
    server_ = MakeServer();
    base::Status status = server_->ListenUnix(socket_path_);
    ASSERT_TRUE(status.ok()) << status.message();
  }

  // Runs the loop until `done()` holds; on the deadline, fails and unblocks the client.
  bool RunUntil(const std::function<bool()>& done) {
    bool expired = false;
    auto timer = loop_.AddTimer(kDeadline, [&] { expired = true; });
    while (!done() && !expired) loop_.RunOne();
    if (expired) {
      ADD_FAILURE() << "deadline passed";
      registry_.ShutdownAll();
      return false;
    }
    return true;
  }

  void StartClient(std::function<void()> fn) {
    client_done_ = std::make_shared<std::atomic<bool>>(false);
    client_thread_ = std::thread([this, fn = std::move(fn), done = client_done_] {
      fn();
      // Wakes the loop, which may be blocked in RunOne().
      loop_.Post([done] { done->store(true); });
    });
  }
  void JoinClient() {
    auto done = client_done_;
    RunUntil([&] { return done->load(); });
    client_thread_.join();
  }
  void RunClient(std::function<void()> fn) {
    StartClient(std::move(fn));
    JoinClient();
  }

  // One request on a fresh connection.
  Reply Fetch(const std::string& method, const std::string& target, const std::string& body = "") {
    Reply reply;
    RunClient([&] {
      Client client(socket_path_, registry_);
      reply = client.Send(method, target, body);
    });
    return reply;
  }

  event::Loop loop_;
  FakeController fake_;
  HttpServerOptions options_;
  std::filesystem::path dir_;
  std::filesystem::path socket_path_;
  std::unique_ptr<HttpServer> server_;
  ClientRegistry registry_;
  std::thread client_thread_;
  std::shared_ptr<std::atomic<bool>> client_done_;
  std::vector<std::string> tail_lines_;
  base::Status tail_status_;
  std::vector<std::pair<std::filesystem::path, size_t>> tail_requests_;
};

void ExpectError(const Reply& reply, int status) {
  EXPECT_EQ(reply.status, status) << reply.body;
  EXPECT_EQ(reply.content_type, "application/json");
  ASSERT_TRUE(reply.body_json.is_object()) << reply.body;
  ASSERT_TRUE(reply.body_json.contains("error")) << reply.body;
  EXPECT_TRUE(reply.body_json["error"].is_string());
  EXPECT_EQ(reply.body_json.size(), 1u) << reply.body;
}

std::set<std::string> Keys(const json& object) {
  std::set<std::string> keys;
  for (const auto& [key, value] : object.items()) keys.insert(key);
  return keys;
}

const std::set<std::string> kProgramKeys = {"name",      "state",          "want",      "autostart", "pid",
                                            "uptime_ms", "state_since_ms", "restarts",  "last_exit",
                                            "reason",    "status",         "stdout_log",     "stderr_log"};

TEST_F(HttpServerTest, ListsProgramsWithEveryField) {
  fake_.programs[2].state = "RUNNING";
  fake_.programs[2].pid = 1234;
  fake_.programs[2].uptime_ms = 5000;
  fake_.programs[2].last_exit = "exit 1";
  Listen();
  Reply reply = Fetch("GET", "/v1/programs");
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.content_type, "application/json");
  ASSERT_TRUE(reply.body_json["programs"].is_array()) << reply.body;
  ASSERT_EQ(reply.body_json["programs"].size(), 3u);
  const json& worker = reply.body_json["programs"][2];
  EXPECT_EQ(Keys(worker), kProgramKeys);
  EXPECT_EQ(worker["name"], "worker");
  EXPECT_EQ(worker["state"], "RUNNING");
  EXPECT_EQ(worker["pid"], 1234);
  EXPECT_EQ(worker["uptime_ms"], 5000);
  EXPECT_EQ(worker["last_exit"], "exit 1");
  EXPECT_EQ(worker["stdout_log"], "/logs/worker.out");
}

TEST_F(HttpServerTest, GetsOneProgramByEncodedOrPlainInstanceName) {
  Listen();
  Reply encoded = Fetch("GET", "/v1/programs/web%3A1");
  EXPECT_EQ(encoded.status, 200) << encoded.body;
  EXPECT_EQ(encoded.body_json["name"], "web:1");
  EXPECT_EQ(Keys(encoded.body_json), kProgramKeys);
  Reply plain = Fetch("GET", "/v1/programs/web:0");
  EXPECT_EQ(plain.body_json["name"], "web:0");
}

TEST_F(HttpServerTest, ReportsDaemonInfo) {
  fake_.info.problems = {"log dir /x not writable"};
  Listen();
  Reply reply = Fetch("GET", "/v1/info");
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(Keys(reply.body_json),
            (std::set<std::string>{"version", "pid", "started_at_ms", "config_path", "socket",
                                   "log_dir", "state_dir", "problems"}));
  EXPECT_EQ(reply.body_json["pid"], 42);
  EXPECT_EQ(reply.body_json["socket"], socket_path_.string());
  EXPECT_EQ(reply.body_json["problems"][0], "log dir /x not writable");
}

TEST_F(HttpServerTest, UnknownProgramIs404) {
  Listen();
  Reply reply = Fetch("GET", "/v1/programs/nope");
  ExpectError(reply, 404);
  EXPECT_EQ(reply.body_json["error"], "unknown program \"nope\"");
  ExpectError(Fetch("POST", "/v1/start", R"({"programs":["web","nope"]})"), 404);
  EXPECT_TRUE(fake_.actions.empty());
  ExpectError(Fetch("GET", "/v1/programs/nope/logs"), 404);
}

TEST_F(HttpServerTest, UnknownRouteIs404) {
  Listen();
  ExpectError(Fetch("GET", "/v1/nothing"), 404);
  ExpectError(Fetch("GET", "/v2/info"), 404);
  ExpectError(Fetch("GET", "/"), 404);
  ExpectError(Fetch("POST", "/v1/programs/web:0/explode"), 404);
  ExpectError(Fetch("GET", "/v1/programs/web:0/logs/extra"), 404);
}

TEST_F(HttpServerTest, WrongMethodIs405WithAllow) {
  Listen();
  Reply get_start = Fetch("GET", "/v1/start");
  ExpectError(get_start, 405);
  EXPECT_EQ(get_start.allow, "POST");
  Reply post_programs = Fetch("POST", "/v1/programs");
  ExpectError(post_programs, 405);
  EXPECT_EQ(post_programs.allow, "GET");
  ExpectError(Fetch("DELETE", "/v1/programs/web:0"), 405);
  ExpectError(Fetch("GET", "/v1/programs/web:0/restart"), 405);
  EXPECT_TRUE(fake_.actions.empty());
}

TEST_F(HttpServerTest, MalformedJsonAndBadParametersAre400) {
  Listen();
  ExpectError(Fetch("POST", "/v1/start", "{nope"), 400);
  ExpectError(Fetch("POST", "/v1/start", ""), 400);
  ExpectError(Fetch("POST", "/v1/start", "[]"), 400);
  ExpectError(Fetch("POST", "/v1/start", R"({"programs":[]})"), 400);
  ExpectError(Fetch("POST", "/v1/start", R"({"programs":"web"})"), 400);
  ExpectError(Fetch("POST", "/v1/stop", R"({"programs":["web"],"wait":"yes"})"), 400);
  ExpectError(Fetch("POST", "/v1/stop", R"({"programs":["web"],"wiat":false})"), 400);
  ExpectError(Fetch("POST", "/v1/programs/web/restart?wait=maybe"), 400);
  ExpectError(Fetch("POST", "/v1/signal", R"({"programs":["web"],"signal":"NOPE"})"), 400);
  ExpectError(Fetch("POST", "/v1/programs/web:0/signal", R"({"signal":0})"), 400);
  ExpectError(Fetch("POST", "/v1/programs/web:0/signal", R"({})"), 400);
  ExpectError(Fetch("GET", "/v1/programs/web:0/logs?lines=abc"), 400);
  ExpectError(Fetch("GET", "/v1/programs/web:0/logs?lines=100001"), 400);
  ExpectError(Fetch("GET", "/v1/programs/web:0/logs?stream=stdin"), 400);
  ExpectError(Fetch("GET", "/v1/programs/web%zz"), 400);
  EXPECT_TRUE(fake_.actions.empty());
  EXPECT_TRUE(fake_.signals.empty());
}

TEST_F(HttpServerTest, MalformedHttpIs400AndCloses) {
  Listen();
  std::string raw;
  RunClient([&] {
    Client client(socket_path_, registry_);
    client.WriteRaw("THIS IS NOT HTTP\r\n\r\n");
    raw = client.ReadUntilEof();
  });
  EXPECT_EQ(raw.rfind("HTTP/1.1 400 ", 0), 0u) << raw;
  EXPECT_NE(raw.find("\"error\""), std::string::npos) << raw;
}

TEST_F(HttpServerTest, OversizedBodyIs413) {
  options_.request_limits.max_body_bytes = 1024;
  Listen();
  std::string body = R"({"programs":[")" + std::string(2048, 'x') + R"("]})";
  ExpectError(Fetch("POST", "/v1/start", body), 413);
  EXPECT_TRUE(fake_.actions.empty());
}

const std::string kChunkedStart =
    "POST /v1/start HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
    "1e\r\n{\"programs\":[\"worker\"],\"wait\":\r\n5\r\nfalse\r\n1\r\n}\r\n0\r\n";

TEST_F(HttpServerTest, ChunkedBodyWithSmallTrailerIsServed) {
  Listen();
  std::string raw;
  RunClient([&] {
    Client client(socket_path_, registry_);
    client.WriteRaw(kChunkedStart + "X-Checksum: 1234\r\nX-Other: x\r\n\r\n");
    Reply reply = client.Read();
    EXPECT_EQ(reply.status, 200) << reply.body;
    // The connection stays usable after a chunked request.
    EXPECT_EQ(client.Send("GET", "/v1/info").status, 200);
  });
  ASSERT_EQ(fake_.actions.size(), 1u);
  EXPECT_EQ(fake_.actions[0].names, std::vector<std::string>{"worker"});
  EXPECT_FALSE(fake_.actions[0].wait);
}

// Regression test for issue 8, item 9: one trailer field this large made Beast's fields
// container throw length_error out of the read handler, which ended vigild.
TEST_F(HttpServerTest, HugeTrailerFieldIs400AndTheServerGoesOn) {
  Listen();
  std::string raw;
  RunClient([&] {
    Client client(socket_path_, registry_);
    client.TryWriteRaw(kChunkedStart + "X-T: " + std::string(70000, 'a') + "\r\n\r\n");
    raw = client.ReadUntilEof();
  });
  EXPECT_EQ(raw.rfind("HTTP/1.1 400 ", 0), 0u) << raw.substr(0, 300);
  EXPECT_NE(raw.find("request trailer too large"), std::string::npos) << raw.substr(0, 300);
  EXPECT_TRUE(fake_.actions.empty());
  EXPECT_EQ(Fetch("GET", "/v1/info").status, 200);
}

// Regression test for issue 8, item 10: trailer fields were buffered and stored without
// limit (5 million of them took vigild to 489 MB). Now the request is refused once the
// trailer passes its limit, long before the client has sent it all.
TEST_F(HttpServerTest, EndlessTrailerFieldsAreRefusedEarly) {
  Listen();
  std::string raw;
  size_t sent = 0;
  RunClient([&] {
    Client client(socket_path_, registry_);
    ASSERT_TRUE(client.TryWriteRaw(kChunkedStart));
    std::string block;
    while (block.size() < 64 * 1024) block += "X-a: b\r\n";
    while (sent < (32u << 20) && client.TryWriteRaw(block)) sent += block.size();
    raw = client.ReadUntilEof();
  });
  EXPECT_EQ(raw.rfind("HTTP/1.1 400 ", 0), 0u) << raw.substr(0, 300);
  EXPECT_NE(raw.find("request trailer"), std::string::npos) << raw.substr(0, 300);
  // What the socket buffers hold, not the 32 MiB offered.
  EXPECT_LT(sent, 4u << 20);
  EXPECT_TRUE(fake_.actions.empty());
  EXPECT_EQ(Fetch("GET", "/v1/info").status, 200);
}

TEST_F(HttpServerTest, OverlongChunkHeaderIs400) {
  Listen();
  std::string raw;
  RunClient([&] {
    Client client(socket_path_, registry_);
    client.TryWriteRaw(
        "POST /v1/start HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2;ext=" +
        std::string(100000, 'e'));
    raw = client.ReadUntilEof();
  });
  EXPECT_EQ(raw.rfind("HTTP/1.1 400 ", 0), 0u) << raw.substr(0, 300);
  EXPECT_NE(raw.find("chunk header"), std::string::npos) << raw.substr(0, 300);
}

TEST_F(HttpServerTest, PipelinedRequestsAreAnsweredInOrder) {
  Listen();
  std::string raw;
  RunClient([&] {
    Client client(socket_path_, registry_);
    client.WriteRaw(
        "GET /v1/programs/worker HTTP/1.1\r\nHost: x\r\n\r\n"
        "POST /v1/programs/web:1/stop?wait=0 HTTP/1.1\r\nHost: x\r\n\r\n"
        "GET /v1/info HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    raw = client.ReadUntilEof();
  });
  size_t worker = raw.find("\"name\":\"worker\"");
  size_t stopped = raw.find("\"name\":\"web:1\"");
  size_t info = raw.find("\"version\"");
  ASSERT_NE(worker, std::string::npos) << raw;
  ASSERT_NE(stopped, std::string::npos) << raw;
  ASSERT_NE(info, std::string::npos) << raw;
  EXPECT_LT(worker, stopped);
  EXPECT_LT(stopped, info);
  ASSERT_EQ(fake_.actions.size(), 1u);
  EXPECT_EQ(fake_.actions[0].names, std::vector<std::string>{"web:1"});
}

// A Controller that throws where the transport calls it back: after a response is written
// (the shutdown hook) and when a log follow starts.
class ThrowingController : public FakeController {
 public:
  void Shutdown() override { throw std::runtime_error("shutdown blew up"); }
  base::Result<event::HandlePtr> FollowLog(const std::string&, Stream, std::function<void(std::string_view)>,
                                           std::function<void(std::string_view)>) override {
    throw std::runtime_error("follow blew up");
  }
};

// Regression test for issue 8, item 9 (no exception escapes onto the loop thread): an
// exception thrown inside a completion handler of ours closes that one connection.
TEST_F(HttpServerTest, ExceptionInAHandlerClosesOnlyThatConnection) {
  ThrowingController throwing;
  throwing.programs = fake_.programs;
  auto server = std::make_unique<HttpServer>(
      loop_, throwing,
      [](const std::filesystem::path&, size_t) -> base::Result<std::vector<std::string>> {
        return std::vector<std::string>{"line"};
      },
      options_);
  ASSERT_TRUE(server->ListenUnix(socket_path_).ok());
  std::string follow_raw;
  Reply shutdown;
  Reply info;
  RunClient([&] {
    {
      Client client(socket_path_, registry_);
      client.WriteRaw("GET /v1/programs/worker/logs?follow=1 HTTP/1.1\r\nHost: x\r\n\r\n");
      follow_raw = client.ReadUntilEof();
    }
    {
      Client client(socket_path_, registry_);
      shutdown = client.Send("POST", "/v1/shutdown");
    }
    Client client(socket_path_, registry_);
    info = client.Send("GET", "/v1/info");
  });
  EXPECT_EQ(follow_raw, "");  // closed without a response
  EXPECT_EQ(shutdown.status, 202);  // written before the hook threw
  EXPECT_EQ(info.status, 200);
  EXPECT_TRUE(RunUntil([&] { return server->connection_count() == 0; }));
}

TEST_F(HttpServerTest, ConflictPassesThroughAs409) {
  fake_.signal_status = base::Status::Conflict("worker has no running process");
  Listen();
  Reply reply = Fetch("POST", "/v1/programs/worker/signal", R"({"signal":"HUP"})");
  ExpectError(reply, 409);
  EXPECT_EQ(reply.body_json["error"], "worker has no running process");

  fake_.action_status = base::Status::Conflict("web:0 is FATAL");
  ExpectError(Fetch("POST", "/v1/programs/web:0/start"), 409);
}

TEST_F(HttpServerTest, SignalsByNameOrNumber) {
  Listen();
  Reply reply = Fetch("POST", "/v1/signal", R"({"programs":["web"],"signal":"SIGUSR1"})");
  EXPECT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.body_json["ok"], true);
  ASSERT_EQ(reply.body_json["programs"].size(), 2u);  // "web" is both instances
  EXPECT_EQ(reply.body_json["programs"][1]["name"], "web:1");
  EXPECT_EQ(Fetch("POST", "/v1/programs/worker/signal", R"({"signal":9})").status, 200);
  EXPECT_EQ(Fetch("POST", "/v1/programs/worker/signal", R"({"signal":"term"})").status, 200);
  ASSERT_EQ(fake_.signals.size(), 3u);
  EXPECT_EQ(fake_.signals[0], (std::pair<std::vector<std::string>, int>{{"web"}, SIGUSR1}));
  EXPECT_EQ(fake_.signals[1].second, SIGKILL);
  EXPECT_EQ(fake_.signals[2].second, SIGTERM);
}

TEST_F(HttpServerTest, StartWaitsForDoneFnThenReportsAffectedPrograms) {
  fake_.finish_actions = false;
  Listen();
  Reply reply;
  StartClient([&] {
    Client client(socket_path_, registry_);
    reply = client.Send("POST", "/v1/start", R"({"programs":["web"]})");
  });
  ASSERT_TRUE(RunUntil([&] { return fake_.actions.size() == 1; }));
  EXPECT_EQ(fake_.actions[0].verb, "start");
  EXPECT_EQ(fake_.actions[0].names, std::vector<std::string>{"web"});
  EXPECT_TRUE(fake_.actions[0].wait);
  // Nothing is answered until the Controller says so.
  loop_.Poll();
  EXPECT_EQ(server_->connection_count(), 1u);
  for (ProgramInfo& p : fake_.programs) p.state = "RUNNING";
  fake_.actions[0].done(base::Status::Ok());
  JoinClient();
  EXPECT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.body_json["ok"], true);
  ASSERT_EQ(reply.body_json["programs"].size(), 2u);
  EXPECT_EQ(reply.body_json["programs"][0]["name"], "web:0");
  EXPECT_EQ(reply.body_json["programs"][0]["state"], "RUNNING");
}

TEST_F(HttpServerTest, ActionErrorFromDoneFnIsMapped) {
  fake_.finish_actions = false;
  Listen();
  Reply reply;
  StartClient([&] {
    Client client(socket_path_, registry_);
    reply = client.Send("POST", "/v1/restart", R"({"programs":["all"],"wait":true})");
  });
  ASSERT_TRUE(RunUntil([&] { return fake_.actions.size() == 1; }));
  fake_.actions[0].done(base::Status::Internal("spawn web:1: exec failed"));
  JoinClient();
  ExpectError(reply, 500);
  EXPECT_EQ(reply.body_json["error"], "spawn web:1: exec failed");
}

TEST_F(HttpServerTest, PerProgramActionTakesWaitFromQuery) {
  Listen();
  Reply reply = Fetch("POST", "/v1/programs/web%3A0/stop?wait=0");
  EXPECT_EQ(reply.status, 200) << reply.body;
  ASSERT_EQ(fake_.actions.size(), 1u);
  EXPECT_EQ(fake_.actions[0].verb, "stop");
  EXPECT_EQ(fake_.actions[0].names, std::vector<std::string>{"web:0"});
  EXPECT_FALSE(fake_.actions[0].wait);
  ASSERT_EQ(reply.body_json["programs"].size(), 1u);
  EXPECT_EQ(Fetch("POST", "/v1/stop", R"({"programs":["worker"],"wait":false})").status, 200);
  EXPECT_FALSE(fake_.actions[1].wait);
}

TEST_F(HttpServerTest, ClientGoneBeforeDoneFnIsDroppedSafely) {
  fake_.finish_actions = false;
  Listen();
  RunClient([&] {
    Client client(socket_path_, registry_);
    client.WriteRaw(
        "POST /v1/stop HTTP/1.1\r\nHost: x\r\nContent-Length: 22\r\n\r\n"
        R"({"programs":["web:0"]})");
  });
  // The hang-up is noticed while the Controller still works.
  ASSERT_TRUE(
      RunUntil([&] { return fake_.actions.size() == 1 && server_->connection_count() == 0; }));
  fake_.actions[0].done(base::Status::Ok());
  loop_.Poll();
  EXPECT_EQ(Fetch("GET", "/v1/info").status, 200);
}

TEST_F(HttpServerTest, DoneFnAfterServerDestroyedIsIgnored) {
  fake_.finish_actions = false;
  Listen();
  Reply reply;
  StartClient([&] {
    Client client(socket_path_, registry_);
    reply = client.Send("POST", "/v1/start", R"({"programs":["worker"]})");
  });
  ASSERT_TRUE(RunUntil([&] { return fake_.actions.size() == 1; }));
  server_.reset();
  JoinClient();
  EXPECT_EQ(reply.status, 0);  // connection closed without a response
  fake_.actions[0].done(base::Status::Ok());
  loop_.Poll();
}

TEST_F(HttpServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  Listen();
  Reply first, second;
  RunClient([&] {
    Client client(socket_path_, registry_);
    first = client.Send("GET", "/v1/info");
    second = client.Send("GET", "/v1/programs/worker");
  });
  EXPECT_EQ(first.status, 200);
  EXPECT_EQ(second.status, 200);
  EXPECT_EQ(second.body_json["name"], "worker");
}

TEST_F(HttpServerTest, ReloadReportsSummaryOrConfigError) {
  ReloadSummary summary;
  summary.added = {"new"};
  summary.changed = {"web:0"};
  summary.unchanged = {"worker"};
  summary.tasks.changed = {"backup"};
  summary.tasks.unchanged = {"report"};
  fake_.reload = summary;
  Listen();
  Reply ok = Fetch("POST", "/v1/reload");
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body_json, json::parse(R"({"ok":true,"added":["new"],"removed":[],
      "changed":["web:0"],"unchanged":["worker"],"tasks":{"added":[],"removed":[],
      "changed":["backup"],"unchanged":["report"]}})"));

  fake_.reload = base::Status::InvalidArgument("vigil.toml:3: command: must not be empty");
  Reply bad = Fetch("POST", "/v1/reload");
  ExpectError(bad, 400);
  EXPECT_EQ(bad.body_json["error"], "vigil.toml:3: command: must not be empty");
}

TEST_F(HttpServerTest, ShutdownAnswersThenShutsDown) {
  Listen();
  Reply reply = Fetch("POST", "/v1/shutdown");
  EXPECT_EQ(reply.status, 202);
  EXPECT_EQ(reply.body_json, json::parse(R"({"ok":true})"));
  EXPECT_TRUE(RunUntil([&] { return fake_.shutdowns == 1; }));
}

TEST_F(HttpServerTest, LogsReturnTailOfTheRequestedStream) {
  tail_lines_ = {"one", "two"};
  Listen();
  Reply reply = Fetch("GET", "/v1/programs/web:0/logs?stream=stderr&lines=2");
  EXPECT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.body_json, json::parse(R"({"lines":["one","two"]})"));
  ASSERT_EQ(tail_requests_.size(), 1u);
  EXPECT_EQ(tail_requests_[0].first, "/logs/web:0.err");
  EXPECT_EQ(tail_requests_[0].second, 2u);

  EXPECT_EQ(Fetch("GET", "/v1/programs/worker/logs").status, 200);
  EXPECT_EQ(tail_requests_[1].first, "/logs/worker.out");
  EXPECT_EQ(tail_requests_[1].second, 100u);

  tail_status_ = base::Status::NotFound("no log file yet");
  Reply empty = Fetch("GET", "/v1/programs/worker/logs");
  EXPECT_EQ(empty.status, 200);
  EXPECT_EQ(empty.body_json, json::parse(R"({"lines":[]})"));
}

TEST_F(HttpServerTest, FollowStreamsTailThenLiveData) {
  tail_lines_ = {"old 1", "old 2"};
  Listen();
  std::atomic<bool> got_tail = false;
  bool got_live = false;
  std::string content_type;
  StartClient([&] {
    Client client(socket_path_, registry_);
    client.WriteRaw("GET /v1/programs/worker/logs?follow=1&lines=2 HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_EQ(client.ReadStreamHeader(), 200);
    content_type = client.StreamContentType();
    EXPECT_TRUE(client.ReadBodyUntil("old 1\nold 2\n"));
    got_tail = true;
    loop_.Post([] {});  // wake the loop to look at got_tail
    got_live = client.ReadBodyUntil("live data\n");
  });
  ASSERT_TRUE(RunUntil([&] { return got_tail.load(); }));
  EXPECT_EQ(fake_.follower_count(), 1u);
  fake_.Emit("live ");
  fake_.Emit("data\n");
  JoinClient();
  EXPECT_TRUE(got_live);
  EXPECT_EQ(content_type, "text/plain; charset=utf-8");
  // The client hung up: the follow ends and the connection is gone.
  EXPECT_TRUE(RunUntil([&] { return fake_.follower_count() == 0; }));
  EXPECT_TRUE(RunUntil([&] { return server_->connection_count() == 0; }));
}

TEST_F(HttpServerTest, FollowOfUnknownProgramIs404) {
  Listen();
  ExpectError(Fetch("GET", "/v1/programs/nope/logs?follow=1"), 404);
}

TEST_F(HttpServerTest, SlowFollowerIsDropped) {
  options_.max_follow_queue_bytes = 64 * 1024;
  Listen();
  std::atomic<bool> streaming = false;
  std::atomic<bool> release = false;
  StartClient([&] {
    Client client(socket_path_, registry_);
    client.WriteRaw("GET /v1/programs/worker/logs?follow=1&lines=0 HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_EQ(client.ReadStreamHeader(), 200);
    streaming = true;
    loop_.Post([] {});
    // Stop reading, like a stuck terminal, until the server has given up on us.
    while (!release) std::this_thread::yield();
    client.ReadUntilEof();
  });
  ASSERT_TRUE(RunUntil([&] { return streaming.load(); }));
  const std::string block(16 * 1024, 'x');
  size_t sent = 0;
  // Far more than socket buffers plus the queue cap can hold.
  while (fake_.follower_count() > 0 && sent < (64u << 20)) {
    fake_.Emit(block);
    sent += block.size();
    loop_.Poll();
  }
  EXPECT_EQ(fake_.follower_count(), 0u) << "still following after " << sent << " bytes";
  EXPECT_LT(sent, 16u << 20);
  release = true;
  JoinClient();
  EXPECT_EQ(server_->connection_count(), 0u);
}

TEST_F(HttpServerTest, IdleAndSlowRequestsTimeOut) {
  options_.read_timeout = 100ms;
  Listen();
  std::string raw;
  RunClient([&] {
    Client client(socket_path_, registry_);
    client.WriteRaw("GET /v1/info HTTP/1.1\r\nHost: x\r\n");  // never finished
    raw = client.ReadUntilEof();
  });
  EXPECT_EQ(raw, "");
  EXPECT_EQ(server_->connection_count(), 0u);
}

TEST_F(HttpServerTest, SocketIsPrivate) {
  Listen();
  struct stat st;
  ASSERT_EQ(::stat(socket_path_.c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat(socket_path_.parent_path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
}

TEST_F(HttpServerTest, StaleSocketIsReplaced) {
  std::filesystem::create_directories(socket_path_.parent_path());
  // A socket file whose server is gone: bound, never listening, closed.
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, socket_path_.c_str(), sizeof(addr.sun_path) - 1);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ::close(fd);
  Listen();
  EXPECT_EQ(Fetch("GET", "/v1/info").status, 200);
}

TEST_F(HttpServerTest, SecondServerOnLiveSocketIsRefused) {
  Listen();
  auto second = MakeServer();
  base::Status status = second->ListenUnix(socket_path_);
  EXPECT_EQ(status.code(), base::StatusCode::kUnavailable);
  EXPECT_EQ(status.message(), "another vigild is already listening on " + socket_path_.string());
  second.reset();
  // The refused server left the first one's socket alone.
  EXPECT_EQ(Fetch("GET", "/v1/info").status, 200);
}

TEST_F(HttpServerTest, RefusesToReplaceARegularFile) {
  std::filesystem::create_directories(socket_path_.parent_path());
  std::ofstream(socket_path_) << "precious";
  server_ = MakeServer();
  EXPECT_EQ(server_->ListenUnix(socket_path_).code(), base::StatusCode::kInvalidArgument);
  EXPECT_TRUE(std::filesystem::is_regular_file(socket_path_));
}

TEST_F(HttpServerTest, CloseRemovesSocketAndDropsConnections) {
  fake_.finish_actions = false;
  Listen();
  Reply reply;
  StartClient([&] {
    Client client(socket_path_, registry_);
    reply = client.Send("POST", "/v1/start", R"({"programs":["worker"]})");
  });
  ASSERT_TRUE(RunUntil([&] { return fake_.actions.size() == 1; }));
  server_->Close();
  JoinClient();
  EXPECT_EQ(reply.status, 0);
  EXPECT_FALSE(std::filesystem::exists(socket_path_));
  EXPECT_EQ(server_->connection_count(), 0u);
  fake_.actions[0].done(base::Status::Ok());
  loop_.Poll();
}

}  // namespace
}  // namespace vigil::api
