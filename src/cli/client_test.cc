// SPDX-License-Identifier: MIT
// Tests of the Beast client, and of commands end to end, against a fake vigild: a tiny
// synchronous Beast server on a temporary unix socket, serving canned replies on a thread.
#include "cli/client.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <filesystem>
#include <future>
#include <mutex>
#include <sstream>
#include <thread>

#include "cli/commands.h"
#include "cli/exit_codes.h"

namespace vigil::cli {
namespace {

namespace net = boost::asio;
namespace http = boost::beast::http;
using local = net::local::stream_protocol;
using namespace std::chrono_literals;

struct SeenRequest {
  std::string method;
  std::string target;
  std::string content_type;
  std::string body;
};

// Accepts connections one at a time and passes each request to `handler`, which writes the
// reply on the socket. Handlers run on the server thread. A handler may move the socket into
// Hold() to keep the connection open without replying.
class FakeServer {
 public:
  using Handler = std::function<void(const SeenRequest&, local::socket&)>;

  explicit FakeServer(Handler handler) : handler_(std::move(handler)) {
    char dir_template[] = "/tmp/vigil-cli-test-XXXXXX";
    dir_ = mkdtemp(dir_template);
    path_ = dir_ + "/vigil.sock";
    acceptor_.open(local());
    acceptor_.bind(local::endpoint(path_));
    acceptor_.listen();
    thread_ = std::thread([this] { Serve(); });
  }

  ~FakeServer() {
    stopping_ = true;
    // Wake the blocking accept() with one last connection.
    local::socket waker(ioc_);
    boost::system::error_code ec;
    waker.connect(local::endpoint(path_), ec);
    thread_.join();
    held_.clear();
    std::filesystem::remove_all(dir_);
  }

  const std::string& path() const { return path_; }
  const std::string& dir() const { return dir_; }

  std::vector<SeenRequest> requests() {
    std::lock_guard lock(mu_);
    return requests_;
  }

  void Hold(local::socket socket) { held_.push_back(std::move(socket)); }

 private:
  void Serve() {
    while (true) {
      local::socket socket(ioc_);
      boost::system::error_code ec;
      acceptor_.accept(socket, ec);
      if (stopping_ || ec) return;
      boost::beast::flat_buffer buffer;
      http::request<http::string_body> req;
      http::read(socket, buffer, req, ec);
      if (ec) continue;
      SeenRequest seen{std::string(req.method_string()), std::string(req.target()),
                       std::string(req[http::field::content_type]), req.body()};
      {
        std::lock_guard lock(mu_);
        requests_.push_back(seen);
      }
      handler_(seen, socket);
    }
  }

  Handler handler_;
  std::string dir_, path_;
  net::io_context ioc_;
  local::acceptor acceptor_{ioc_};
  std::atomic<bool> stopping_{false};
  std::thread thread_;
  std::mutex mu_;
  std::vector<SeenRequest> requests_;
  std::vector<local::socket> held_;
};

void WriteReply(local::socket& socket, int status, const std::string& body) {
  http::response<http::string_body> res{static_cast<http::status>(status), 11};
  res.set(http::field::content_type, "application/json");
  res.body() = body;
  res.prepare_payload();
  boost::system::error_code ec;
  http::write(socket, res, ec);
}

void WriteRaw(local::socket& socket, const std::string& bytes) {
  boost::system::error_code ec;
  net::write(socket, net::buffer(bytes), ec);
}

std::string Chunk(const std::string& data) {
  std::ostringstream out;
  out << std::hex << data.size() << "\r\n" << data << "\r\n";
  return out.str();
}

constexpr char kChunkedHeader[] =
    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n";

TEST(ClientTest, GetReturnsStatusAndBody) {
  FakeServer server([](const SeenRequest&, local::socket& s) { WriteReply(s, 200, R"({"a":1})"); });
  auto client = MakeUnixSocketClient(server.path());
  auto reply = client->Send({HttpMethod::kGet, "/v1/info", ""});
  ASSERT_TRUE(reply.has_value()) << reply.error().message();
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(reply->body, R"({"a":1})");
  auto seen = server.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].method, "GET");
  EXPECT_EQ(seen[0].target, "/v1/info");
}

TEST(ClientTest, PostSendsJsonBodyAndErrorStatusIsAValue) {
  FakeServer server([](const SeenRequest&, local::socket& s) {
    WriteReply(s, 404, R"({"error":"unknown program x"})");
  });
  auto client = MakeUnixSocketClient(server.path());
  auto reply = client->Send({HttpMethod::kPost, "/v1/start", R"({"programs":["x"]})"});
  ASSERT_TRUE(reply.has_value()) << reply.error().message();
  EXPECT_EQ(reply->status, 404);
  EXPECT_EQ(reply->body, R"({"error":"unknown program x"})");
  auto seen = server.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].method, "POST");
  EXPECT_EQ(seen[0].content_type, "application/json");
  EXPECT_EQ(seen[0].body, R"({"programs":["x"]})");
}

TEST(ClientTest, MissingSocketIsUnavailable) {
  FakeServer server([](const SeenRequest&, local::socket&) {});
  auto client = MakeUnixSocketClient(server.dir() + "/absent.sock");
  auto reply = client->Send({HttpMethod::kGet, "/v1/info", ""});
  ASSERT_FALSE(reply.has_value());
  EXPECT_EQ(reply.error().code(), base::StatusCode::kUnavailable);
  EXPECT_EQ(reply.error().message(), "No such file or directory");
}

TEST(ClientTest, OverlongSocketPathIsUnavailable) {
  auto client = MakeUnixSocketClient("/tmp/" + std::string(200, 'x'));
  auto reply = client->Send({HttpMethod::kGet, "/v1/info", ""});
  ASSERT_FALSE(reply.has_value());
  EXPECT_EQ(reply.error().code(), base::StatusCode::kUnavailable);
}

TEST(ClientTest, SilentServerTimesOut) {
  FakeServer* self = nullptr;
  FakeServer server([&self](const SeenRequest&, local::socket& s) { self->Hold(std::move(s)); });
  self = &server;
  auto client = MakeUnixSocketClient(server.path());
  auto start = std::chrono::steady_clock::now();
  auto reply = client->Send({HttpMethod::kGet, "/v1/programs", "", 200ms});
  auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(reply.has_value());
  EXPECT_EQ(reply.error().code(), base::StatusCode::kIoError);
  EXPECT_NE(reply.error().message().find("no reply"), std::string::npos);
  EXPECT_GE(elapsed, 200ms);
  EXPECT_LT(elapsed, 10s);
}

TEST(ClientTest, StreamDeliversEachChunkAsItArrives) {
  std::promise<void> first_seen;
  std::future<void> first_seen_future = first_seen.get_future();
  std::atomic<bool> client_saw_first_before_second{false};
  FakeServer server([&](const SeenRequest&, local::socket& s) {
    WriteRaw(s, kChunkedHeader);
    WriteRaw(s, Chunk("line1\n"));
    // The second chunk is sent only once the client has handed on the first: proof that
    // the client does not wait for the whole body.
    client_saw_first_before_second = first_seen_future.wait_for(10s) == std::future_status::ready;
    WriteRaw(s, Chunk("line2\n"));
    WriteRaw(s, "0\r\n\r\n");
  });
  auto client = MakeUnixSocketClient(server.path());
  std::string received;
  bool signalled = false;
  auto reply = client->Stream("/v1/programs/web/logs?follow=1", [&](std::string_view data) {
    received += data;
    if (!signalled) {
      signalled = true;
      first_seen.set_value();
    }
  });
  ASSERT_TRUE(reply.has_value()) << reply.error().message();
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(received, "line1\nline2\n");
  EXPECT_FALSE(reply->ended_early);
  EXPECT_TRUE(client_saw_first_before_second);
}

TEST(ClientTest, StreamEndsQuietlyWhenServerCloses) {
  FakeServer server([](const SeenRequest&, local::socket& s) {
    WriteRaw(s, kChunkedHeader);
    WriteRaw(s, Chunk("partial"));
  });
  auto client = MakeUnixSocketClient(server.path());
  std::string received;
  auto reply = client->Stream("/x", [&](std::string_view data) { received += data; });
  ASSERT_TRUE(reply.has_value()) << reply.error().message();
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(received, "partial");
  EXPECT_TRUE(reply->ended_early);
}

TEST(ClientTest, StreamErrorReturnsBodyWithoutCallingBack) {
  FakeServer server([](const SeenRequest&, local::socket& s) {
    WriteReply(s, 404, R"({"error":"unknown program x"})");
  });
  auto client = MakeUnixSocketClient(server.path());
  bool called = false;
  auto reply = client->Stream("/x", [&](std::string_view) { called = true; });
  ASSERT_TRUE(reply.has_value()) << reply.error().message();
  EXPECT_EQ(reply->status, 404);
  EXPECT_EQ(reply->body, R"({"error":"unknown program x"})");
  EXPECT_FALSE(called);
}

// Commands over the real client: the request path from command to socket and back.
TEST(ClientCommandTest, StatusAndFailingStartOverSocket) {
  FakeServer server([](const SeenRequest& req, local::socket& s) {
    if (req.target == "/v1/programs") {
      WriteReply(
          s, 200,
          R"({"programs":[{"name":"web","state":"BACKOFF","want":"up","pid":0,)"
          R"("uptime_ms":-1,"restarts":4,"last_exit":"exit 1","reason":"exited too quickly"}]})");
    } else {
      WriteReply(s, 409, R"({"error":"web: FATAL: exited too quickly (exit 1) 5 times"})");
    }
  });
  auto client = MakeUnixSocketClient(server.path());
  std::ostringstream out, err;
  Context ctx{*client, server.path(), out, err, false};

  Invocation status;
  status.command = "status";
  EXPECT_EQ(RunCommand(status, ctx), kExitOk);
  EXPECT_EQ(out.str(),
            "NAME  STATE    PID  UPTIME  RESTARTS  REASON\n"
            "web   BACKOFF  -    -       4         exited too quickly; last exit: exit 1\n");

  Invocation start;
  start.command = "start";
  start.names = {"web"};
  EXPECT_EQ(RunCommand(start, ctx), kExitFailed);
  EXPECT_EQ(err.str(), "vigil: web: FATAL: exited too quickly (exit 1) 5 times\n");
  auto seen = server.requests();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[1].body, R"({"programs":["web"],"wait":true})");
}

TEST(ClientCommandTest, RunWaitAndEventsOverSocket) {
  FakeServer server([](const SeenRequest& req, local::socket& s) {
    if (req.target == "/v1/tasks/backup/run?wait=1") {
      WriteReply(s, 200,
                 R"({"ok":true,"run":{"id":7,"task":"backup","trigger":"manual",)"
                 R"("started_ms":1000,"ended_ms":3500,"exit_code":2,"signal":0,)"
                 R"("timed_out":false,"interrupted":false,"result":"exit 2","output_tail":""}})");
    } else if (req.target == "/v1/runs/7/output") {
      WriteReply(s, 200, R"({"output":"disk full\n"})");
    } else {
      WriteReply(s, 503, R"({"error":"no history database"})");
    }
  });
  auto client = MakeUnixSocketClient(server.path());
  std::ostringstream out, err;
  Context ctx{*client, server.path(), out, err, false};

  Invocation run;
  run.command = "run";
  run.name = "backup";
  run.wait = true;
  EXPECT_EQ(RunCommand(run, ctx), kExitFailed);  // the run exited 2
  EXPECT_EQ(out.str(), "disk full\nbackup: run 7 exit 2 (manual, 2.5s)\n");
  EXPECT_EQ(err.str(), "");

  Invocation events;
  events.command = "events";
  events.since = "30m";
  EXPECT_EQ(RunCommand(events, ctx), kExitFailed);
  EXPECT_EQ(err.str(), "vigil: no history database\n");

  auto seen = server.requests();
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0].method, "POST");
  EXPECT_EQ(seen[1].method, "GET");
  EXPECT_EQ(seen[1].target, "/v1/runs/7/output");
  EXPECT_EQ(seen[2].target, "/v1/events?limit=100&since=30m");
}

TEST(ClientCommandTest, NoDaemonExitsThree) {
  auto client = MakeUnixSocketClient("/nonexistent-vigil-dir/vigil.sock");
  std::ostringstream out, err;
  Context ctx{*client, "/nonexistent-vigil-dir/vigil.sock", out, err, false};
  Invocation status;
  status.command = "status";
  EXPECT_EQ(RunCommand(status, ctx), kExitUnreachable);
  EXPECT_EQ(err.str(),
            "vigil: cannot reach vigild at /nonexistent-vigil-dir/vigil.sock: No such file or "
            "directory (is vigild running?)\n");
}

}  // namespace
}  // namespace vigil::cli
