// SPDX-License-Identifier: MIT
// Tests of HttpProber on a real event::Loop against a small HTTP server of the test's own:
// blocking sockets on a thread, one canned answer per connection. Each test waits for the
// outcome against a deadline, never with a fixed sleep.
#include "probe/http_probe.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "probe/http_probe_test_util.h"
#include "probe/tcp_probe_test_util.h"

namespace vigil::probe {
namespace {

using health::Level;
using std::chrono::milliseconds;
using testing::ClosedPort;
using testing::Listen;
using testing::LoopCounter;
using testing::RunUntil;
using testing::ThreadedServer;

// What the test server does with each connection once it has read the request head.
enum class Then {
  kAnswer,  // sends the canned answer, then a FIN
  kHangUp,  // sends a FIN without a word
  kHold,    // says nothing and keeps the connection open until the client leaves
};

// A server on a thread of its own, with blocking sockets. It reports to the loop, so tests
// can wait for "request read" and "client gone".
class TestServer {
 public:
  TestServer(event::Loop& loop, Then then, std::string answer = "", const char* address = "127.0.0.1")
      : then_(then),
        answer_(std::move(answer)),
        requests_read_(loop),
        server_(loop, address, [this](int fd) { Handle(fd); }) {}
  // Answers each connection with `answer`.
  TestServer(event::Loop& loop, std::string answer, const char* address = "127.0.0.1")
      : TestServer(loop, Then::kAnswer, std::move(answer), address) {}

  bool listening() const { return server_.listening(); }
  uint16_t port() const { return server_.port(); }
  // Counted on the loop thread, from the server's posts.
  int requests_read() const { return requests_read_.value(); }
  int clients_gone() const { return server_.clients_gone(); }
  // The head of each request read so far.
  std::vector<std::string> requests() {
    std::lock_guard<std::mutex> lock(mutex_);
    return requests_;
  }

 private:
  void Handle(int fd) {
    std::string head = ReadHead(fd);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      requests_.push_back(head);
    }
    requests_read_.Add();
    if (then_ == Then::kAnswer) SendAll(fd, answer_);
    if (then_ != Then::kHold) ::shutdown(fd, SHUT_WR);
  }

  static std::string ReadHead(int fd) {
    std::string head;
    char buffer[1024];
    while (head.find("\r\n\r\n") == std::string::npos && head.size() < 64 * 1024) {
      ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
      if (n <= 0) break;
      head.append(buffer, static_cast<size_t>(n));
    }
    return head;
  }

  static void SendAll(int fd, std::string_view data) {
    while (!data.empty()) {
      // MSG_NOSIGNAL: a probe that stopped reading (a long body) must not SIGPIPE the test.
      ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return;
      data.remove_prefix(static_cast<size_t>(n));
    }
  }

  const Then then_;
  const std::string answer_;
  std::mutex mutex_;
  std::vector<std::string> requests_;
  LoopCounter requests_read_;
  // Last, so that it serves only once the members above are built and stops before they go.
  ThreadedServer server_;
};

std::string Answer(std::string_view status_line, std::string_view body) {
  return std::string(status_line) + "\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\nContent-Type: text/plain\r\n\r\n" + std::string(body);
}

HttpProbeSpec Spec(const std::string& url, base::Duration timeout = std::chrono::seconds(5)) {
  auto parsed = base::ParseHttpUrl(url);
  EXPECT_TRUE(parsed.has_value()) << url;
  HttpProbeSpec spec;
  if (parsed) spec.url = *parsed;
  spec.timeout = timeout;
  return spec;
}

std::string Url(const TestServer& server, std::string_view target = "/") {
  return "http://127.0.0.1:" + std::to_string(server.port()) + std::string(target);
}

class HttpProbeTest : public testing::HttpProberFixture {};

TEST_F(HttpProbeTest, OkWithTheResponseTime) {
  TestServer server(loop_, Answer("HTTP/1.1 200 OK", "ok"));
  ASSERT_TRUE(server.listening());
  Outcome outcome = ProbeOnce(Spec(Url(server, "/health?x=1")));
  EXPECT_EQ(outcome.level, Level::kOk);
  EXPECT_TRUE(outcome.message.starts_with("HTTP 200 in ") && outcome.message.ends_with(" ms")) << outcome.message;
  ASSERT_TRUE(outcome.value.has_value());
  EXPECT_GE(*outcome.value, 0.0);
}

TEST_F(HttpProbeTest, SendsAClosingGetWithHostAndUserAgent) {
  auto server = std::make_unique<TestServer>(loop_, Answer("HTTP/1.1 200 OK", "ok"));
  ASSERT_TRUE(server->listening());
  ProbeOnce(Spec(Url(*server, "/health?x=1")));
  ASSERT_TRUE(RunUntil(loop_, [&] { return server->clients_gone() == 1; }));
  std::vector<std::string> requests = server->requests();
  ASSERT_EQ(requests.size(), 1u);
  const std::string& head = requests[0];
  EXPECT_TRUE(head.starts_with("GET /health?x=1 HTTP/1.1\r\n")) << head;
  EXPECT_NE(head.find("\r\nHost: 127.0.0.1:" + std::to_string(server->port()) + "\r\n"), std::string::npos) << head;
  EXPECT_NE(head.find("\r\nUser-Agent: vigil-health-check\r\n"), std::string::npos) << head;
  EXPECT_NE(head.find("\r\nConnection: close\r\n"), std::string::npos) << head;
}

TEST_F(HttpProbeTest, WrongStatusIsCritical) {
  TestServer server(loop_, Answer("HTTP/1.1 503 Service Unavailable", "down"));
  ASSERT_TRUE(server.listening());
  HttpProbeSpec spec = Spec(Url(server));
  spec.expect_status = 200;
  Outcome outcome = ProbeOnce(spec);
  EXPECT_EQ(outcome.level, Level::kCrit);
  EXPECT_EQ(outcome.message, "HTTP 503 (expected 200)");
}

TEST_F(HttpProbeTest, AnyStatusBut2xxOr3xxIsCriticalByDefault) {
  TestServer server(loop_, Answer("HTTP/1.1 404 Not Found", ""));
  ASSERT_TRUE(server.listening());
  Outcome outcome = ProbeOnce(Spec(Url(server)));
  EXPECT_EQ(outcome.level, Level::kCrit);
  EXPECT_EQ(outcome.message, "HTTP 404 (expected 2xx or 3xx)");
}

TEST_F(HttpProbeTest, RedirectIsOkByDefaultAndNotFollowed) {
  TestServer server(loop_, "HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:1/\r\nContent-Length: 0\r\n\r\n");
  ASSERT_TRUE(server.listening());
  Outcome outcome = ProbeOnce(Spec(Url(server)));
  EXPECT_EQ(outcome.level, Level::kOk) << outcome.message;
  EXPECT_TRUE(outcome.message.starts_with("HTTP 302 in ")) << outcome.message;
}

TEST_F(HttpProbeTest, ExpectedStatusMayBeAnError) {
  TestServer server(loop_, Answer("HTTP/1.1 401 Unauthorized", ""));
  ASSERT_TRUE(server.listening());
  HttpProbeSpec spec = Spec(Url(server));
  spec.expect_status = 401;
  Outcome outcome = ProbeOnce(spec);
  EXPECT_EQ(outcome.level, Level::kOk) << outcome.message;
}

TEST_F(HttpProbeTest, BodyContainingTheTextIsOk) {
  TestServer server(loop_, Answer("HTTP/1.1 200 OK", R"({"status": "ready"})"));
  ASSERT_TRUE(server.listening());
  HttpProbeSpec spec = Spec(Url(server));
  spec.body_contains = "ready";
  Outcome outcome = ProbeOnce(spec);
  EXPECT_EQ(outcome.level, Level::kOk) << outcome.message;
}

TEST_F(HttpProbeTest, BodyLackingTheTextIsCritical) {
  TestServer server(loop_, Answer("HTTP/1.1 200 OK", R"({"status": "starting"})"));
  ASSERT_TRUE(server.listening());
  HttpProbeSpec spec = Spec(Url(server));
  spec.body_contains = "ok";
  Outcome outcome = ProbeOnce(spec);
  EXPECT_EQ(outcome.level, Level::kCrit);
  EXPECT_EQ(outcome.message, "HTTP 200 but the body lacks \"ok\"");
  EXPECT_TRUE(outcome.value.has_value());
}

TEST_F(HttpProbeTest, EmptyBodyLacksTheText) {
  TestServer server(loop_, "HTTP/1.1 204 No Content\r\n\r\n");
  ASSERT_TRUE(server.listening());
  HttpProbeSpec spec = Spec(Url(server));
  spec.body_contains = "a\"b\n";
  Outcome outcome = ProbeOnce(spec);
  EXPECT_EQ(outcome.level, Level::kCrit);
  EXPECT_EQ(outcome.message, R"(HTTP 204 but the body lacks "a\"b\n")");
}

TEST_F(HttpProbeTest, ReadsChunkedAndCloseDelimitedBodies) {
  {
    TestServer server(loop_,
                      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                      "4\r\nall \r\n5\r\nready\r\n0\r\n\r\n");
    ASSERT_TRUE(server.listening());
    HttpProbeSpec spec = Spec(Url(server));
    spec.body_contains = "all ready";
    EXPECT_EQ(ProbeOnce(spec).level, Level::kOk);
  }
  {
    TestServer server(loop_, "HTTP/1.0 200 OK\r\n\r\nall ready");
    ASSERT_TRUE(server.listening());
    HttpProbeSpec spec = Spec(Url(server));
    spec.body_contains = "all ready";
    EXPECT_EQ(ProbeOnce(spec).level, Level::kOk);
  }
}

TEST_F(HttpProbeTest, LongBodyIsSearchedInItsFirst64KiB) {
  std::string body = "ready" + std::string(100 * 1024, 'x') + "late";
  TestServer server(loop_, Answer("HTTP/1.1 200 OK", body));
  ASSERT_TRUE(server.listening());
  HttpProbeSpec spec = Spec(Url(server));
  spec.body_contains = "ready";
  Outcome outcome = ProbeOnce(spec);
  EXPECT_EQ(outcome.level, Level::kOk) << outcome.message;

  spec.body_contains = "late";
  outcome = ProbeOnce(spec);
  EXPECT_EQ(outcome.level, Level::kCrit);
  EXPECT_EQ(outcome.message, "HTTP 200 but the body lacks \"late\"");
}

TEST_F(HttpProbeTest, TextAtTheEndOfThe64KiBIsFound) {
  std::string body = std::string(kMaxHttpBodyBytes - 5, 'x') + "ready" + std::string(1000, 'y');
  TestServer server(loop_, "HTTP/1.1 200 OK\r\n\r\n" + body);  // close-delimited
  ASSERT_TRUE(server.listening());
  HttpProbeSpec spec = Spec(Url(server));
  spec.body_contains = "ready";
  EXPECT_EQ(ProbeOnce(spec).level, Level::kOk);
}

TEST_F(HttpProbeTest, RefusedConnectionIsCritical) {
  Outcome outcome = ProbeOnce(Spec("http://127.0.0.1:" + std::to_string(ClosedPort()) + "/"));
  EXPECT_EQ(outcome.level, Level::kCrit);
  EXPECT_EQ(outcome.message, "connection refused");
  EXPECT_FALSE(outcome.value.has_value());
}

TEST_F(HttpProbeTest, SilentServerTimesOut) {
  // Accepted by the kernel's backlog, read by nobody.
  auto listener = Listen("127.0.0.1");
  ASSERT_TRUE(listener);
  auto started = std::chrono::steady_clock::now();
  Outcome outcome = ProbeOnce(Spec("http://127.0.0.1:" + std::to_string(listener->port) + "/", milliseconds(200)));
  EXPECT_GE(std::chrono::steady_clock::now() - started, milliseconds(200));
  EXPECT_EQ(outcome.level, Level::kCrit);
  EXPECT_EQ(outcome.message, "no answer within 200ms");
}

TEST_F(HttpProbeTest, GarbageIsABadAnswer) {
  TestServer server(loop_, "SSH-2.0-OpenSSH_9.2\r\n\r\n");
  ASSERT_TRUE(server.listening());
  Outcome outcome = ProbeOnce(Spec(Url(server)));
  EXPECT_EQ(outcome.level, Level::kCrit);
  EXPECT_TRUE(outcome.message.starts_with("bad HTTP answer: ")) << outcome.message;
}

TEST_F(HttpProbeTest, TruncatedBodyIsABadAnswer) {
  TestServer server(loop_, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this");
  ASSERT_TRUE(server.listening());
  HttpProbeSpec spec = Spec(Url(server));
  spec.body_contains = "whatever";
  Outcome outcome = ProbeOnce(spec);
  EXPECT_EQ(outcome.level, Level::kCrit);
  EXPECT_EQ(outcome.message, "bad HTTP answer: partial message");
}

TEST_F(HttpProbeTest, ServerClosingWithoutAWordIsCritical) {
  TestServer server(loop_, Then::kHangUp);
  ASSERT_TRUE(server.listening());
  Outcome outcome = ProbeOnce(Spec(Url(server)));
  EXPECT_EQ(outcome.level, Level::kCrit);
  EXPECT_EQ(outcome.message, "connection closed without an answer");
}

TEST_F(HttpProbeTest, ResolvesNames) {
  TestServer server(loop_, Answer("HTTP/1.1 200 OK", "ok"));
  ASSERT_TRUE(server.listening());
  Outcome outcome = ProbeOnce(Spec("http://localhost:" + std::to_string(server.port()) + "/"));
  EXPECT_EQ(outcome.level, Level::kOk) << outcome.message;
}

TEST_F(HttpProbeTest, UnresolvableNameIsCritical) {
  // .invalid never resolves (RFC 6761); without a DNS server the timeout answers instead.
  Outcome outcome = ProbeOnce(Spec("http://vigil-test.invalid/", std::chrono::seconds(3)));
  EXPECT_EQ(outcome.level, Level::kCrit);
  EXPECT_TRUE(outcome.message.starts_with("cannot resolve vigil-test.invalid: ") ||
              outcome.message == "no answer within 3s")
      << outcome.message;
}

TEST_F(HttpProbeTest, WorksOverIpv6) {
  TestServer server(loop_, Answer("HTTP/1.1 200 OK", "ok"), "::1");
  if (!server.listening()) GTEST_SKIP() << "no IPv6 loopback here";
  Outcome outcome = ProbeOnce(Spec("http://[::1]:" + std::to_string(server.port()) + "/"));
  EXPECT_EQ(outcome.level, Level::kOk) << outcome.message;
}

TEST_F(HttpProbeTest, CancelWhileWaitingClosesTheSocketAndNeverAnswers) {
  TestServer server(loop_, Then::kHold);
  ASSERT_TRUE(server.listening());
  CancelAndExpectNoAnswer(
      Spec(Url(server), milliseconds(200)), milliseconds(400), [&] { return server.requests_read() == 1; },
      [&] { return server.clients_gone() == 1; });
}

TEST_F(HttpProbeTest, CancelRightAwayNeverAnswers) {
  TestServer server(loop_, Answer("HTTP/1.1 200 OK", "ok"));
  ASSERT_TRUE(server.listening());
  CancelAndExpectNoAnswer(Spec(Url(server), milliseconds(100)), milliseconds(300));
}

TEST_F(HttpProbeTest, CancelWhileResolvingNeverAnswers) {
  CancelAndExpectNoAnswer(Spec("http://localhost:1/", milliseconds(100)), milliseconds(300));
}

TEST_F(HttpProbeTest, HandleMayBeDestroyedFromDoneAndOutliveTheProber) {
  TestServer server(loop_, Answer("HTTP/1.1 200 OK", "ok"));
  ASSERT_TRUE(server.listening());
  event::HandlePtr handle;
  int calls = 0;
  {
    HttpProber prober(loop_);
    handle = prober.Probe(Spec(Url(server)), [&](Outcome outcome) {
      ++calls;
      EXPECT_EQ(outcome.level, Level::kOk) << outcome.message;
      handle.reset();
    });
  }
  ASSERT_TRUE(RunUntil(loop_, [&] { return calls > 0; }));
  loop_.Poll();
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(handle, nullptr);
}

}  // namespace
}  // namespace vigil::probe
