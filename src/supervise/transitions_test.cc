// SPDX-License-Identifier: MIT
// Every (state, event) pair of the lifecycle, checked against a table.
#include "supervise/transitions.h"

#include <gtest/gtest.h>

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
  Outcome want;
};

Facts F(AutoRestart ar = AutoRestart::kOnFailure, bool expected = false, int failures = 0, int retries = 5) {
  return Facts{ar, expected, failures, retries};
}

constexpr uint32_t kStartActions = kCancelTimers | kResetFailures | kSpawn;
constexpr uint32_t kFail = kCancelTimers | kCountFailure;

const std::vector<Row>& Table() {
  static const std::vector<Row> rows = {
      // kStart
      {S::kStopped, E::kStart, F(), {S::kStarting, kStartActions}},
      {S::kStarting, E::kStart, F(), {S::kStarting, kNone}},
      {S::kRunning, E::kStart, F(), {S::kRunning, kNone}},
      {S::kBackoff, E::kStart, F(), {S::kStarting, kStartActions}},
      {S::kStopping, E::kStart, F(), {S::kStopping, kNone}},
      {S::kExited, E::kStart, F(), {S::kStarting, kStartActions}},
      {S::kFatal, E::kStart, F(), {S::kStarting, kStartActions}},
      // kStop
      {S::kStopped, E::kStop, F(), {S::kStopped, kNone}},
      {S::kStarting, E::kStop, F(), {S::kStopping, kCancelTimers | kSendStopSignal}},
      {S::kRunning, E::kStop, F(), {S::kStopping, kCancelTimers | kSendStopSignal}},
      {S::kBackoff, E::kStop, F(), {S::kStopped, kCancelTimers}},
      {S::kStopping, E::kStop, F(), {S::kStopping, kNone}},
      {S::kExited, E::kStop, F(), {S::kStopped, kCancelTimers}},
      {S::kFatal, E::kStop, F(), {S::kStopped, kCancelTimers}},
      // kSpawnFailed: only meaningful while starting
      {S::kStopped, E::kSpawnFailed, F(), {S::kStopped, kNone}},
      {S::kStarting, E::kSpawnFailed, F(AutoRestart::kOnFailure, false, 0, 5), {S::kBackoff, kFail | kArmBackoff}},
      {S::kStarting, E::kSpawnFailed, F(AutoRestart::kOnFailure, false, 4, 5), {S::kBackoff, kFail | kArmBackoff}},
      {S::kStarting, E::kSpawnFailed, F(AutoRestart::kOnFailure, false, 5, 5), {S::kFatal, kFail | kArmFatalRetry}},
      {S::kStarting, E::kSpawnFailed, F(AutoRestart::kNever, false, 0, 0), {S::kFatal, kFail | kArmFatalRetry}},
      {S::kRunning, E::kSpawnFailed, F(), {S::kRunning, kNone}},
      {S::kBackoff, E::kSpawnFailed, F(), {S::kBackoff, kNone}},
      {S::kStopping, E::kSpawnFailed, F(), {S::kStopping, kNone}},
      {S::kExited, E::kSpawnFailed, F(), {S::kExited, kNone}},
      {S::kFatal, E::kSpawnFailed, F(), {S::kFatal, kNone}},
      // kStartSecondsElapsed
      {S::kStopped, E::kStartSecondsElapsed, F(), {S::kStopped, kNone}},
      {S::kStarting, E::kStartSecondsElapsed, F(), {S::kRunning, kResetFailures}},
      {S::kRunning, E::kStartSecondsElapsed, F(), {S::kRunning, kNone}},
      {S::kBackoff, E::kStartSecondsElapsed, F(), {S::kBackoff, kNone}},
      {S::kStopping, E::kStartSecondsElapsed, F(), {S::kStopping, kNone}},
      {S::kExited, E::kStartSecondsElapsed, F(), {S::kExited, kNone}},
      {S::kFatal, E::kStartSecondsElapsed, F(), {S::kFatal, kNone}},
      // kExited while starting: failed start, except a clean one-shot
      {S::kStarting, E::kExited, F(AutoRestart::kOnFailure, false, 0), {S::kBackoff, kFail | kArmBackoff}},
      {S::kStarting, E::kExited, F(AutoRestart::kOnFailure, true, 0), {S::kExited, kCancelTimers}},
      {S::kStarting, E::kExited, F(AutoRestart::kNever, true, 0), {S::kExited, kCancelTimers}},
      {S::kStarting, E::kExited, F(AutoRestart::kNever, false, 0), {S::kBackoff, kFail | kArmBackoff}},
      {S::kStarting, E::kExited, F(AutoRestart::kAlways, true, 0), {S::kBackoff, kFail | kArmBackoff}},
      {S::kStarting, E::kExited, F(AutoRestart::kAlways, true, 5, 5), {S::kFatal, kFail | kArmFatalRetry}},
      // kExited while running: immediate restart or EXITED
      {S::kRunning, E::kExited, F(AutoRestart::kOnFailure, false), {S::kStarting, kCountRestart | kSpawn}},
      {S::kRunning, E::kExited, F(AutoRestart::kOnFailure, true), {S::kExited, kNone}},
      {S::kRunning, E::kExited, F(AutoRestart::kAlways, true), {S::kStarting, kCountRestart | kSpawn}},
      {S::kRunning, E::kExited, F(AutoRestart::kAlways, false), {S::kStarting, kCountRestart | kSpawn}},
      {S::kRunning, E::kExited, F(AutoRestart::kNever, false), {S::kExited, kNone}},
      {S::kRunning, E::kExited, F(AutoRestart::kNever, true), {S::kExited, kNone}},
      {S::kStopping, E::kExited, F(), {S::kStopped, kCancelTimers}},
      {S::kStopped, E::kExited, F(), {S::kStopped, kNone}},
      {S::kBackoff, E::kExited, F(), {S::kBackoff, kNone}},
      {S::kExited, E::kExited, F(), {S::kExited, kNone}},
      {S::kFatal, E::kExited, F(), {S::kFatal, kNone}},
      // kBackoffElapsed
      {S::kBackoff, E::kBackoffElapsed, F(), {S::kStarting, kCountRestart | kSpawn}},
      {S::kStopped, E::kBackoffElapsed, F(), {S::kStopped, kNone}},
      {S::kStarting, E::kBackoffElapsed, F(), {S::kStarting, kNone}},
      {S::kRunning, E::kBackoffElapsed, F(), {S::kRunning, kNone}},
      {S::kStopping, E::kBackoffElapsed, F(), {S::kStopping, kNone}},
      {S::kExited, E::kBackoffElapsed, F(), {S::kExited, kNone}},
      {S::kFatal, E::kBackoffElapsed, F(), {S::kFatal, kNone}},
      // kStopTimeout
      {S::kStopping, E::kStopTimeout, F(), {S::kStopping, kSendKill}},
      {S::kStopped, E::kStopTimeout, F(), {S::kStopped, kNone}},
      {S::kStarting, E::kStopTimeout, F(), {S::kStarting, kNone}},
      {S::kRunning, E::kStopTimeout, F(), {S::kRunning, kNone}},
      {S::kBackoff, E::kStopTimeout, F(), {S::kBackoff, kNone}},
      {S::kExited, E::kStopTimeout, F(), {S::kExited, kNone}},
      {S::kFatal, E::kStopTimeout, F(), {S::kFatal, kNone}},
      // kFatalRetryElapsed: giving up is not permanent
      {S::kFatal, E::kFatalRetryElapsed, F(), {S::kStarting, kResetFailures | kCountRestart | kSpawn}},
      {S::kStopped, E::kFatalRetryElapsed, F(), {S::kStopped, kNone}},
      {S::kStarting, E::kFatalRetryElapsed, F(), {S::kStarting, kNone}},
      {S::kRunning, E::kFatalRetryElapsed, F(), {S::kRunning, kNone}},
      {S::kBackoff, E::kFatalRetryElapsed, F(), {S::kBackoff, kNone}},
      {S::kStopping, E::kFatalRetryElapsed, F(), {S::kStopping, kNone}},
      {S::kExited, E::kFatalRetryElapsed, F(), {S::kExited, kNone}},
  };
  return rows;
}

TEST(TransitionsTest, EveryRowOfTheTable) {
  for (const Row& r : Table()) {
    Outcome got = Transition(r.state, r.event, r.facts);
    EXPECT_EQ(got.next, r.want.next) << StateName(r.state) << " + event " << static_cast<int>(r.event);
    EXPECT_EQ(got.actions, r.want.actions) << StateName(r.state) << " + event " << static_cast<int>(r.event);
  }
}

TEST(TransitionsTest, TableCoversEveryStateEventPair) {
  for (int s = 0; s <= static_cast<int>(S::kFatal); ++s) {
    for (int e = 0; e <= static_cast<int>(E::kFatalRetryElapsed); ++e) {
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
    Outcome o = Transition(state, E::kExited, f);
    ++attempts;
    if (o.actions & kCountFailure) ++f.failures;
    state = o.next;
    if (state == S::kBackoff) state = Transition(state, E::kBackoffElapsed, f).next;
    ASSERT_LT(attempts, 10);
  }
  EXPECT_EQ(attempts, 4);  // the first try plus start_retries
}

}  // namespace
}  // namespace vigil::supervise
