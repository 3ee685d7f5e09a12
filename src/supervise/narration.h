// SPDX-License-Identifier: MIT
// The words of the lifecycle, as pure functions: why a program is in its state (the
// `reason` of `vigil status`) and what the event log says about each state change and act.
// Program and Supervisor keep facts (a Cause code, counters, the last exit); the sentences
// are made here, from those facts only, and table-tested in narration_test.cc.
// Thread rule: pure functions; safe anywhere.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "config/spec.h"
#include "supervise/transitions.h"

namespace vigil::supervise {

// Why a program is where it is. `detail` (kept beside it) carries the particulars.
enum class Cause : uint8_t {
  kNone,
  kSpawnFailed,        // detail: the error, "cannot execute /x: No such file or directory"
  kExitedEarly,        // exited while starting; the last exit says how
  kStopRequested,      // a stop signal was sent
  kKilledAfterTimeout, // stop_timeout passed; SIGKILL was sent
  kExited,             // EXITED: the restart policy says not to restart
  kWaitingFor,         // detail: the dependencies not ready, "db (STARTING), cache (BACKOFF)"
  kStoppingAfter,      // detail: the dependents still running, "web, worker"
  kAutostartOff,       // not started: autostart = false
  kStoppedByRequest,   // a remembered `vigil stop`
  kNotReady,           // ready_timeout passed; detail: "no READY=1 within 90s", "127.0.0.1:80: connection refused"
  kWatchdog,           // detail: "no heartbeat for 30s", "WATCHDOG=trigger"
};

// Everything the reason of a program depends on.
struct ReasonFacts {
  ProgramState state = ProgramState::kStopped;
  Cause cause = Cause::kNone;
  std::string_view detail;
  std::string_view last_exit;  // "exit 1", "killed by SIGKILL"
  bool last_exit_clean = false;
  int failures = 0;  // failed starts in a row
  int start_retries = 0;
  base::Duration retry_in{0};  // BACKOFF: the delay of the armed back-off
  std::optional<base::Duration> fatal_retry_after;
  config::AutoRestart autorestart = config::AutoRestart::kOnFailure;
  base::Duration stop_timeout{0};
};

// "exited too quickly (exit 1); retry 2 of 5 in 1.6s", "waiting for db (STARTING)",
// "" when there is nothing to explain (a healthy RUNNING program).
std::string ReasonText(const ReasonFacts& facts);

// One step of the lifecycle, for its event-log message.
struct StepFacts {
  ProgramState from = ProgramState::kStopped;
  ProgramState to = ProgramState::kStopped;
  Event event = Event::kStart;
  uint32_t actions = kNone;
  pid_t pid = 0;   // the process (after a spawn: the new one)
  pid_t pgid = 0;  // its process group
  bool kill_group = true;
  std::string_view last_exit;
  int failures = 0;
  int start_retries = 0;
  base::Duration start_seconds{0};
  int stop_signal = 15;
  base::Duration stop_timeout{0};
  config::ReadyKind ready_kind = config::ReadyKind::kStartSeconds;
  std::string_view reason;  // ReasonText() after the step
};

// The message of a state change ("started pid 42 after the previous process ended
// (exit 1)", "pid 42 up for 1s", "stopped (killed by SIGTERM)"), or of an act that keeps
// the state ("stop_timeout 10s passed: sent SIGKILL to process group 42"); "" if nothing
// is worth saying.
std::string StepMessage(const StepFacts& facts);

// Notes about acts outside the lifecycle steps.
std::string SignalSentNote(int signo, bool kill_group, pid_t target);  // on request
std::string LeftoversKilledNote(pid_t pgid);
std::string SpawnFailedNote(std::string_view error);
std::string OutputUnreadableNote(pid_t pid, std::string_view error);
std::string RemovedNote();      // the program left the config (in its own event)
std::string ReconfiguredNote(); // a reload changed it; it restarts with the new settings
// The last line a follower of the program's log gets when the program is removed.
std::string RemovedFollowersNote(std::string_view program);
// The finding when a watchdog expires: "web missed its heartbeat: no heartbeat for 30s; ..."
std::string WatchdogFinding(std::string_view program, std::string_view detail);

}  // namespace vigil::supervise
