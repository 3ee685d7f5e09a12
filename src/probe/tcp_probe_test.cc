// SPDX-License-Identifier: MIT
// Tests of TcpProber against real loopback sockets on a real event::Loop: a connect that
// succeeds, one refused, one that hangs until the timeout, and cancellation.
#include "probe/tcp_probe.h"

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <chrono>
#include <vector>

#include "probe/tcp_probe_test_util.h"

namespace vigil::probe {
namespace {

using health::Level;
using std::chrono::milliseconds;
using testing::ClosedPort;
using testing::Listen;
using testing::Listener;
using testing::Outcomes;
using testing::RunFor;
using testing::RunUntil;

TcpProbeSpec Spec(const std::string& host, uint16_t port, base::Duration timeout = std::chrono::seconds(5)) {
  TcpProbeSpec spec;
  spec.target = {host, port};
  spec.timeout = timeout;
  return spec;
}

// Fills the accept queue of a listener made with a backlog of 0: the kernel then drops
// further SYNs (tcp_conn_request: "LISTENOVERFLOWS"), so a connect to it hangs.
std::vector<base::UniqueFd> FillAcceptQueue(const Listener& listener) {
  std::vector<base::UniqueFd> fillers;
  for (int i = 0; i < 3; ++i) {
    base::UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    sockaddr_in sin{};
    sin.sin_family = AF_INET;
    sin.sin_port = htons(listener.port);
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    // EINPROGRESS for the ones the queue has no room for; they stay half-open.
    (void)::connect(fd.get(), reinterpret_cast<sockaddr*>(&sin), sizeof sin);
    fillers.push_back(std::move(fd));
  }
  return fillers;
}

TEST(TcpProbeTest, ConnectsToAListener) {
  event::Loop loop;
  auto listener = Listen("127.0.0.1");
  ASSERT_TRUE(listener);
  TcpProber prober(loop);
  Outcomes outcomes;
  auto handle = prober.Probe(Spec("127.0.0.1", listener->port), outcomes.Fn());
  EXPECT_FALSE(outcomes.any()) << "done was called from inside Probe()";
  ASSERT_TRUE(RunUntil(loop, [&] { return outcomes.any(); }));
  loop.Poll();
  ASSERT_EQ(outcomes.seen.size(), 1u);
  const Outcome& outcome = outcomes.seen[0];
  EXPECT_EQ(outcome.level, Level::kOk);
  EXPECT_TRUE(outcome.message.starts_with("connected in ") && outcome.message.ends_with(" ms")) << outcome.message;
  ASSERT_TRUE(outcome.value.has_value());
  EXPECT_GE(*outcome.value, 0.0);
}

TEST(TcpProbeTest, ResolvesNames) {
  event::Loop loop;
  auto listener = Listen("127.0.0.1");
  ASSERT_TRUE(listener);
  TcpProber prober(loop);
  Outcomes outcomes;
  auto handle = prober.Probe(Spec("localhost", listener->port), outcomes.Fn());
  ASSERT_TRUE(RunUntil(loop, [&] { return outcomes.any(); }));
  EXPECT_EQ(outcomes.seen[0].level, Level::kOk) << outcomes.seen[0].message;
}

TEST(TcpProbeTest, ConnectsOverIpv6) {
  auto listener = Listen("::1");
  if (!listener) GTEST_SKIP() << "no IPv6 loopback here";
  event::Loop loop;
  TcpProber prober(loop);
  Outcomes outcomes;
  auto handle = prober.Probe(Spec("::1", listener->port), outcomes.Fn());
  ASSERT_TRUE(RunUntil(loop, [&] { return outcomes.any(); }));
  EXPECT_EQ(outcomes.seen[0].level, Level::kOk) << outcomes.seen[0].message;
}

TEST(TcpProbeTest, ReportsARefusedConnection) {
  event::Loop loop;
  TcpProber prober(loop);
  Outcomes outcomes;
  auto handle = prober.Probe(Spec("127.0.0.1", ClosedPort()), outcomes.Fn());
  EXPECT_FALSE(outcomes.any());
  ASSERT_TRUE(RunUntil(loop, [&] { return outcomes.any(); }));
  loop.Poll();
  ASSERT_EQ(outcomes.seen.size(), 1u);
  EXPECT_EQ(outcomes.seen[0].level, Level::kCrit);
  EXPECT_EQ(outcomes.seen[0].message, "connection refused");
  EXPECT_FALSE(outcomes.seen[0].value.has_value());
}

TEST(TcpProbeTest, ReportsAnUnresolvableName) {
  event::Loop loop;
  TcpProber prober(loop);
  Outcomes outcomes;
  // .invalid never resolves (RFC 6761); without a DNS server the timeout answers instead.
  auto handle = prober.Probe(Spec("vigil-test.invalid", 9, std::chrono::seconds(3)), outcomes.Fn());
  ASSERT_TRUE(RunUntil(loop, [&] { return outcomes.any(); }));
  EXPECT_EQ(outcomes.seen[0].level, Level::kCrit);
  const std::string& message = outcomes.seen[0].message;
  EXPECT_TRUE(message.starts_with("cannot resolve vigil-test.invalid: ") || message == "no answer within 3s")
      << message;
}

TEST(TcpProbeTest, TimesOutWhenTheConnectHangs) {
  event::Loop loop;
  auto listener = Listen("127.0.0.1", /*backlog=*/0);
  ASSERT_TRUE(listener);
  auto fillers = FillAcceptQueue(*listener);
  TcpProber prober(loop);
  Outcomes outcomes;
  auto started = std::chrono::steady_clock::now();
  auto handle = prober.Probe(Spec("127.0.0.1", listener->port, milliseconds(200)), outcomes.Fn());
  ASSERT_TRUE(RunUntil(loop, [&] { return outcomes.any(); }));
  EXPECT_GE(std::chrono::steady_clock::now() - started, milliseconds(200));
  EXPECT_EQ(outcomes.seen[0].level, Level::kCrit);
  EXPECT_EQ(outcomes.seen[0].message, "no answer within 200ms");
  loop.Poll();
  EXPECT_EQ(outcomes.seen.size(), 1u);
}

TEST(TcpProbeTest, CancelledProbeNeverAnswers) {
  event::Loop loop;
  auto listener = Listen("127.0.0.1", /*backlog=*/0);
  ASSERT_TRUE(listener);
  auto fillers = FillAcceptQueue(*listener);
  TcpProber prober(loop);
  Outcomes outcomes;
  auto handle = prober.Probe(Spec("127.0.0.1", listener->port, milliseconds(100)), outcomes.Fn());
  loop.Poll();  // the connect is under way
  handle.reset();
  RunFor(loop, milliseconds(300));  // well past the probe's timeout
  EXPECT_FALSE(outcomes.any());
}

TEST(TcpProbeTest, CancelledResolveNeverAnswers) {
  event::Loop loop;
  auto listener = Listen("127.0.0.1");
  ASSERT_TRUE(listener);
  TcpProber prober(loop);
  Outcomes outcomes;
  auto handle = prober.Probe(Spec("localhost", listener->port, milliseconds(100)), outcomes.Fn());
  handle.reset();
  RunFor(loop, milliseconds(300));
  EXPECT_FALSE(outcomes.any());
}

TEST(TcpProbeTest, HandleMayBeDestroyedFromDone) {
  event::Loop loop;
  TcpProber prober(loop);
  event::HandlePtr handle;
  int calls = 0;
  handle = prober.Probe(Spec("127.0.0.1", ClosedPort()), [&](Outcome) {
    ++calls;
    handle.reset();
  });
  ASSERT_TRUE(RunUntil(loop, [&] { return calls > 0; }));
  loop.Poll();
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(handle, nullptr);
}

}  // namespace
}  // namespace vigil::probe
