// SPDX-License-Identifier: MIT
// Every (state, event) pair of the lifecycle, checked against a table.
#include "supervise/transitions.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace vigil::supervise {
namespace {

using S = ProgramState;
using E = Event;
using config::AutoRestart;

struct Row {
  S state;
  E event;
  Facts facts;
  std::optional<Outcome> want;  // nullopt: the event cannot happen in this state
};

constexpr std::nullopt_t kImpossible = std::nullopt;

Facts F(AutoRestart ar = AutoRestart::kOnFailure, bool expected = false, int failures = 0, int retries = 5) {
  return Facts{ar, expected, failures, retries};
}

constexpr uint32_t kStartActions = kCancelTimers | kResetFailures | kSpawn;
constexpr uint32_t kFail = kCancelTimers | kCountFailure;

const std::vector<Row>& Table() {
  static const std::vector<Row> rows = {
      // kStart
      {S::kStopped, E::kStart, F(), Outcome{S::kStarting, kStartActions}},
      {S::kStarting, E::kStart, F(), kImpossible},
      {S::kRunning, E::kStart, F(), kImpossible},
      {S::kBackoff, E::kStart, F(), Outcome{S::kStarting, kStartActions}},
      {S::kStopping, E::kStart, F(), kImpossible},
      {S::kExited, E::kStart, F(), Outcome{S::kStarting, kStartActions}},
      {S::kFatal, E::kStart, F(), Outcome{S::kStarting, kStartActions}},
      // kStop
      {S::kStopped, E::kStop, F(), kImpossible},
      {S::kStarting, E::kStop, F(), Outcome{S::kStopping, kCancelTimers | kSendStopSignal}},
      {S::kRunning, E::kStop, F(), Outcome{S::kStopping, kCancelTimers | kSendStopSignal}},
      {S::kBackoff, E::kStop, F(), Outcome{S::kStopped, kCancelTimers}},
      {S::kStopping, E::kStop, F(), kImpossible},
      {S::kExited, E::kStop, F(), Outcome{S::kStopped, kCancelTimers}},
      {S::kFatal, E::kStop, F(), Outcome{S::kStopped, kCancelTimers}},
      // kSpawnFailed: only meaningful while starting
      {S::kStopped, E::kSpawnFailed, F(), kImpossible},
      {S::kStarting, E::kSpawnFailed, F(AutoRestart::kOnFailure, false, 0, 5), Outcome{S::kBackoff, kFail | kArmBackoff}},
      {S::kStarting, E::kSpawnFailed, F(AutoRestart::kOnFailure, false, 4, 5), Outcome{S::kBackoff, kFail | kArmBackoff}},
      {S::kStarting, E::kSpawnFailed, F(AutoRestart::kOnFailure, false, 5, 5), Outcome{S::kFatal, kFail | kArmFatalRetry}},
      {S::kStarting, E::kSpawnFailed, F(AutoRestart::kNever, false, 0, 0), Outcome{S::kFatal, kFail | kArmFatalRetry}},
      {S::kRunning, E::kSpawnFailed, F(), kImpossible},
      {S::kBackoff, E::kSpawnFailed, F(), kImpossible},
      {S::kStopping, E::kSpawnFailed, F(), kImpossible},
      {S::kExited, E::kSpawnFailed, F(), kImpossible},
      {S::kFatal, E::kSpawnFailed, F(), kImpossible},
      // kStartSecondsElapsed
      {S::kStopped, E::kStartSecondsElapsed, F(), kImpossible},
      {S::kStarting, E::kStartSecondsElapsed, F(), Outcome{S::kRunning, kResetFailures}},
      {S::kRunning, E::kStartSecondsElapsed, F(), kImpossible},
      {S::kBackoff, E::kStartSecondsElapsed, F(), kImpossible},
      {S::kStopping, E::kStartSecondsElapsed, F(), kImpossible},
      {S::kExited, E::kStartSecondsElapsed, F(), kImpossible},
      {S::kFatal, E::kStartSecondsElapsed, F(), kImpossible},
      // kExited while starting: failed start, except a clean one-shot
      {S::kStarting, E::kExited, F(AutoRestart::kOnFailure, false, 0), Outcome{S::kBackoff, kFail | kArmBackoff}},
      {S::kStarting, E::kExited, F(AutoRestart::kOnFailure, true, 0), Outcome{S::kExited, kCancelTimers}},
      {S::kStarting, E::kExited, F(AutoRestart::kNever, true, 0), Outcome{S::kExited, kCancelTimers}},
      {S::kStarting, E::kExited, F(AutoRestart::kNever, false, 0), Outcome{S::kBackoff, kFail | kArmBackoff}},
      {S::kStarting, E::kExited, F(AutoRestart::kAlways, true, 0), Outcome{S::kBackoff, kFail | kArmBackoff}},
      {S::kStarting, E::kExited, F(AutoRestart::kAlways, true, 5, 5), Outcome{S::kFatal, kFail | kArmFatalRetry}},
      // kExited while running: immediate restart or EXITED
      {S::kRunning, E::kExited, F(AutoRestart::kOnFailure, false), Outcome{S::kStarting, kCountRestart | kSpawn}},
      {S::kRunning, E::kExited, F(AutoRestart::kOnFailure, true), Outcome{S::kExited, kNone}},
      {S::kRunning, E::kExited, F(AutoRestart::kAlways, true), Outcome{S::kStarting, kCountRestart | kSpawn}},
      {S::kRunning, E::kExited, F(AutoRestart::kAlways, false), Outcome{S::kStarting, kCountRestart | kSpawn}},
      {S::kRunning, E::kExited, F(AutoRestart::kNever, false), Outcome{S::kExited, kNone}},
      {S::kRunning, E::kExited, F(AutoRestart::kNever, true), Outcome{S::kExited, kNone}},
      {S::kStopping, E::kExited, F(), Outcome{S::kStopped, kCancelTimers}},
      {S::kStopped, E::kExited, F(), kImpossible},
      {S::kBackoff, E::kExited, F(), kImpossible},
      {S::kExited, E::kExited, F(), kImpossible},
      {S::kFatal, E::kExited, F(), kImpossible},
      // kBackoffElapsed
      {S::kBackoff, E::kBackoffElapsed, F(), Outcome{S::kStarting, kCountRestart | kSpawn}},
      {S::kStopped, E::kBackoffElapsed, F(), kImpossible},
      {S::kStarting, E::kBackoffElapsed, F(), kImpossible},
      {S::kRunning, E::kBackoffElapsed, F(), kImpossible},
      {S::kStopping, E::kBackoffElapsed, F(), kImpossible},
      {S::kExited, E::kBackoffElapsed, F(), kImpossible},
      {S::kFatal, E::kBackoffElapsed, F(), kImpossible},
      // kStopTimeout
      {S::kStopping, E::kStopTimeout, F(), Outcome{S::kStopping, kSendKill}},
      {S::kStopped, E::kStopTimeout, F(), kImpossible},
      // ...and after a kill for failure, which keeps the state
      {S::kStarting, E::kStopTimeout, F(), Outcome{S::kStarting, kSendKill}},
      {S::kRunning, E::kStopTimeout, F(), Outcome{S::kRunning, kSendKill}},
      {S::kBackoff, E::kStopTimeout, F(), kImpossible},
      {S::kExited, E::kStopTimeout, F(), kImpossible},
      {S::kFatal, E::kStopTimeout, F(), kImpossible},
      // kFatalRetryElapsed: giving up is not permanent
      {S::kFatal, E::kFatalRetryElapsed, F(), Outcome{S::kStarting, kResetFailures | kCountRestart | kSpawn}},
      {S::kStopped, E::kFatalRetryElapsed, F(), kImpossible},
      {S::kStarting, E::kFatalRetryElapsed, F(), kImpossible},
      {S::kRunning, E::kFatalRetryElapsed, F(), kImpossible},
      {S::kBackoff, E::kFatalRetryElapsed, F(), kImpossible},
      {S::kStopping, E::kFatalRetryElapsed, F(), kImpossible},
      {S::kExited, E::kFatalRetryElapsed, F(), kImpossible},
      // kReady: readiness (notify, tcp, http, log) instead of start_seconds
      {S::kStarting, E::kReady, F(), Outcome{S::kRunning, kCancelTimers | kResetFailures}},
      {S::kStopped, E::kReady, F(), kImpossible},
      {S::kRunning, E::kReady, F(), kImpossible},
      {S::kBackoff, E::kReady, F(), kImpossible},
      {S::kStopping, E::kReady, F(), kImpossible},
      {S::kExited, E::kReady, F(), kImpossible},
      {S::kFatal, E::kReady, F(), kImpossible},
      // kReadyTimeout: killed; its exit fails the start
      {S::kStarting, E::kReadyTimeout, F(), Outcome{S::kStarting, kCancelTimers | kKillForFailure}},
      {S::kStopped, E::kReadyTimeout, F(), kImpossible},
      {S::kRunning, E::kReadyTimeout, F(), kImpossible},
      {S::kBackoff, E::kReadyTimeout, F(), kImpossible},
      {S::kStopping, E::kReadyTimeout, F(), kImpossible},
      {S::kExited, E::kReadyTimeout, F(), kImpossible},
      {S::kFatal, E::kReadyTimeout, F(), kImpossible},
      // kWatchdogExpired: killed; its exit restarts it (or fails the start)
      {S::kStarting, E::kWatchdogExpired, F(), Outcome{S::kStarting, kCancelTimers | kKillForFailure}},
      {S::kRunning, E::kWatchdogExpired, F(), Outcome{S::kRunning, kCancelTimers | kKillForFailure}},
      {S::kStopped, E::kWatchdogExpired, F(), kImpossible},
      {S::kBackoff, E::kWatchdogExpired, F(), kImpossible},
      {S::kStopping, E::kWatchdogExpired, F(), kImpossible},
      {S::kExited, E::kWatchdogExpired, F(), kImpossible},
      {S::kFatal, E::kWatchdogExpired, F(), kImpossible},
  };
  return rows;
}

TEST(TransitionsTest, EveryRowOfTheTable) {
  for (const Row& r : Table()) {
    std::optional<Outcome> got = Transition(r.state, r.event, r.facts);
    const std::string where = std::string(StateName(r.state)) + " + " + std::string(EventName(r.event));
    ASSERT_EQ(got.has_value(), r.want.has_value()) << where;
    if (!got) continue;
    EXPECT_EQ(got->next, r.want->next) << where;
    EXPECT_EQ(got->actions, r.want->actions) << where;
  }
}

TEST(TransitionsTest, TableCoversEveryStateEventPair) {
  for (int s = 0; s <= static_cast<int>(S::kFatal); ++s) {
    for (int e = 0; e <= static_cast<int>(E::kWatchdogExpired); ++e) {
      bool found = false;
      for (const Row& r : Table()) found |= (static_cast<int>(r.state) == s && static_cast<int>(r.event) == e);
      EXPECT_TRUE(found) << "no row for state " << StateName(static_cast<S>(s)) << " event " << e;
    }
  }
}

TEST(TransitionsTest, CrashLoopGoesFatalAfterStartRetries) {
  Facts f = F(AutoRestart::kOnFailure, false, 0, 3);
  S state = S::kStarting;
  int attempts = 0;
  while (state != S::kFatal) {
    Outcome o = *Transition(state, E::kExited, f);
    ++attempts;
    if (o.actions & kCountFailure) ++f.failures;
    state = o.next;
    if (state == S::kBackoff) state = Transition(state, E::kBackoffElapsed, f)->next;
    ASSERT_LT(attempts, 10);
  }
  EXPECT_EQ(attempts, 4);  // the first try plus start_retries
}

}  // namespace
}  // namespace vigil::supervise
