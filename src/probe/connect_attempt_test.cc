// SPDX-License-Identifier: MIT
// Tests of ConnectAttempt through a minimal subclass, on real loopback sockets: what a
// subclass sees (its hook once connected, never after a failure) and how a throwing
// handler ends as UNKNOWN. The probes' own tests cover timeouts, names and cancelling.
#include "probe/connect_attempt.h"

#include <gtest/gtest.h>

#include <boost/asio/error.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "probe/tcp_probe_test_util.h"

namespace vigil::probe {
namespace {

using health::Level;
using testing::ClosedPort;
using testing::Listen;
using testing::Outcomes;
using testing::RunUntil;

// Once connected, finishes OK with "hook ran", or throws if asked to.
class TestAttempt final : public ConnectAttempt {
 public:
  TestAttempt(event::Loop& loop, uint16_t port, bool throws, int& hook_calls, DoneFn done)
      : ConnectAttempt(loop, base::HostPort{"127.0.0.1", port}, std::chrono::seconds(5), std::move(done)),
        throws_(throws),
        hook_calls_(hook_calls) {}

  using ConnectAttempt::Words;

 private:
  void OnConnected() override {
    ++hook_calls_;
    if (throws_) throw std::runtime_error("boom");
    Finish(Level::kOk, "hook ran", ElapsedMs());
  }

  const bool throws_;
  int& hook_calls_;
};

struct Probed {
  int hook_calls = 0;
  Outcome outcome;
};

// Probes 127.0.0.1:port with a TestAttempt; checks that done is called once and never
// from inside Start().
Probed ProbeOnce(uint16_t port, bool throws) {
  event::Loop loop;
  Outcomes outcomes;
  Probed probed;
  auto handle =
      ConnectAttempt::Start(std::make_shared<TestAttempt>(loop, port, throws, probed.hook_calls, outcomes.Fn()));
  EXPECT_FALSE(outcomes.any()) << "done was called from inside Start()";
  EXPECT_TRUE(RunUntil(loop, [&] { return outcomes.any(); }));
  loop.Poll();
  EXPECT_EQ(outcomes.seen.size(), 1u);
  if (!outcomes.seen.empty()) probed.outcome = outcomes.seen[0];
  return probed;
}

// The hook's own Finish, or an exception from it turned into UNKNOWN by Guarded.
TEST(ConnectAttemptTest, CallsTheHookOnceConnected) {
  struct Case {
    bool throws;
    Level level;
    std::string message;
    bool has_value;
  };
  for (const Case& c :
       {Case{false, Level::kOk, "hook ran", true}, Case{true, Level::kUnknown, "internal error: boom", false}}) {
    SCOPED_TRACE(c.message);
    auto listener = Listen("127.0.0.1");
    ASSERT_TRUE(listener);
    Probed probed = ProbeOnce(listener->port, c.throws);
    EXPECT_EQ(probed.hook_calls, 1);
    EXPECT_EQ(probed.outcome.level, c.level);
    EXPECT_EQ(probed.outcome.message, c.message);
    EXPECT_EQ(probed.outcome.value.has_value(), c.has_value);
  }
}

TEST(ConnectAttemptTest, FailedConnectNeverCallsTheHook) {
  Probed probed = ProbeOnce(ClosedPort(), /*throws=*/false);
  EXPECT_EQ(probed.hook_calls, 0);
  EXPECT_EQ(probed.outcome.level, Level::kCrit);
  EXPECT_EQ(probed.outcome.message, "connection refused");
}

// An error category whose one message starts with an acronym.
class AcronymCategory final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "acronym"; }
  std::string message(int) const override { return "EOF in the middle"; }
};

TEST(ConnectAttemptTest, WordsLowerCaseTheFirstLetterButNotAnAcronym) {
  EXPECT_EQ(TestAttempt::Words(boost::asio::error::connection_refused), "connection refused");
  static const AcronymCategory acronym;
  EXPECT_EQ(TestAttempt::Words(boost::system::error_code(1, acronym)), "EOF in the middle");
}

}  // namespace
}  // namespace vigil::probe
