// SPDX-License-Identifier: MIT
// The sentences of the lifecycle, row by row: a reason or message for given facts.
#include "supervise/narration.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace vigil::supervise {
namespace {

using S = ProgramState;
using std::chrono::milliseconds;

struct ReasonRow {
  ReasonFacts facts;
  std::string want;
};

ReasonFacts R(S state, Cause cause, std::string_view detail = "") {
  ReasonFacts f;
  f.state = state;
  f.cause = cause;
  f.detail = detail;
  f.last_exit = "exit 1";
  f.failures = 2;
  f.start_retries = 5;
  f.retry_in = milliseconds(1600);
  f.stop_timeout = milliseconds(10000);
  return f;
}

TEST(NarrationTest, Reasons) {
  ReasonFacts fatal = R(S::kFatal, Cause::kExitedEarly);
  fatal.failures = 6;
  ReasonFacts fatal_retry = fatal;
  fatal_retry.fatal_retry_after = milliseconds(3600000);
  ReasonFacts never = R(S::kExited, Cause::kExited);
  never.autorestart = config::AutoRestart::kNever;
  ReasonFacts expected = R(S::kExited, Cause::kExited);
  expected.last_exit = "exit 0";
  expected.last_exit_clean = true;
  const std::vector<ReasonRow> rows = {
      {R(S::kRunning, Cause::kNone), ""},
      {R(S::kBackoff, Cause::kExitedEarly), "exited too quickly (exit 1); retry 2 of 5 in 1s"},
      {R(S::kBackoff, Cause::kSpawnFailed, "command not found: web"), "spawn failed: command not found: web; retry 2 of 5 in 1s"},
      {fatal, "exited too quickly (exit 1); gave up after 6 attempts"},
      {fatal_retry, "exited too quickly (exit 1); gave up after 6 attempts; will try again in 1h"},
      {R(S::kStopping, Cause::kStopRequested), "stopping"},
      {R(S::kStopped, Cause::kKilledAfterTimeout), "did not stop within 10s; killed"},
      {never, "exited (exit 1); autorestart = never"},
      {expected, "exited (exit 0); expected exit code, not restarted"},
      {R(S::kExited, Cause::kExited), "exited (exit 1)"},
      {R(S::kStopped, Cause::kWaitingFor, "db (STARTING)"), "waiting for db (STARTING)"},
      {R(S::kRunning, Cause::kStoppingAfter, "web, worker"), "stopping after web, worker"},
      {R(S::kStopped, Cause::kAutostartOff), "not started: autostart = false"},
      {R(S::kStopped, Cause::kStoppedByRequest),
       "stopped by request (remembered across vigild restarts until started or reconfigured)"},
  };
  for (const ReasonRow& row : rows) EXPECT_EQ(ReasonText(row.facts), row.want);
}

struct MessageRow {
  StepFacts facts;
  std::string want;
};

StepFacts M(S from, S to, Event event, uint32_t actions) {
  StepFacts f;
  f.from = from;
  f.to = to;
  f.event = event;
  f.actions = actions;
  f.pid = 42;
  f.pgid = 42;
  f.last_exit = "exit 3";
  f.failures = 1;
  f.start_retries = 5;
  f.start_seconds = milliseconds(1000);
  f.stop_timeout = milliseconds(10000);
  f.reason = "THE REASON";
  return f;
}

TEST(NarrationTest, StepMessages) {
  StepFacts by_pid = M(S::kRunning, S::kStopping, Event::kStop, kCancelTimers | kSendStopSignal);
  by_pid.kill_group = false;
  by_pid.stop_signal = 1;
  const std::vector<MessageRow> rows = {
      {M(S::kStopped, S::kStarting, Event::kStart, kSpawn), "started pid 42"},
      {M(S::kRunning, S::kStarting, Event::kExited, kCountRestart | kSpawn),
       "started pid 42 after the previous process ended (exit 3)"},
      {M(S::kBackoff, S::kStarting, Event::kBackoffElapsed, kCountRestart | kSpawn), "started pid 42 (attempt 2 of 6)"},
      {M(S::kFatal, S::kStarting, Event::kFatalRetryElapsed, kSpawn), "started pid 42 (retrying after FATAL)"},
      {M(S::kStarting, S::kRunning, Event::kStartSecondsElapsed, kResetFailures), "pid 42 up for 1s"},
      {M(S::kStarting, S::kBackoff, Event::kExited, kCountFailure | kArmBackoff), "THE REASON"},
      {M(S::kStarting, S::kFatal, Event::kExited, kCountFailure | kArmFatalRetry), "THE REASON"},
      {M(S::kRunning, S::kExited, Event::kExited, kNone), "THE REASON"},
      {M(S::kRunning, S::kStopping, Event::kStop, kCancelTimers | kSendStopSignal), "sent SIGTERM to process group 42"},
      {by_pid, "sent SIGHUP to pid 42"},
      {M(S::kStopping, S::kStopping, Event::kStopTimeout, kSendKill),
       "stop_timeout 10s passed: sent SIGKILL to process group 42"},
      {M(S::kStopping, S::kStopped, Event::kExited, kCancelTimers), "stopped (exit 3)"},
      {M(S::kFatal, S::kStopped, Event::kStop, kCancelTimers), ""},
  };
  // start_retries may be as large as an int goes ("retry forever"): the sum may not overflow.
  StepFacts forever = M(S::kBackoff, S::kStarting, Event::kBackoffElapsed, kCountRestart | kSpawn);
  forever.start_retries = 2147483647;
  EXPECT_EQ(StepMessage(forever), "started pid 42 (attempt 2 of 2147483648)");
  for (const MessageRow& row : rows) {
    EXPECT_EQ(StepMessage(row.facts), row.want) << StateName(row.facts.from) << " -> " << StateName(row.facts.to);
  }
}

TEST(NarrationTest, Notes) {
  EXPECT_EQ(SignalSentNote(1, true, 42), "sent SIGHUP to process group 42 on request");
  EXPECT_EQ(SignalSentNote(10, false, 43), "sent SIGUSR1 to pid 43 on request");
  EXPECT_EQ(OutputUnreadableNote(42, "EPERM"), "cannot read the output of pid 42: EPERM; killed it");
  EXPECT_EQ(RemovedFollowersNote("web"), "web was removed from the config; its log ends here");
}

}  // namespace
}  // namespace vigil::supervise
