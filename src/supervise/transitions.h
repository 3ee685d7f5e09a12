// SPDX-License-Identifier: MIT
// The lifecycle of a Program as one pure function: (state, event, facts) -> (next state,
// actions). No I/O and no clock, so every state x event pair is table-tested; Program
// carries out the actions. Drawn in docs/lifecycle.md.
// Only the Supervisor's reconciler sends kStart and kStop; every other event comes from
// the program's own process and timers. Pairs that cannot happen (a back-off timer outside
// BACKOFF: every state change that leaves a state with a timer cancels it) have no row:
// Transition() returns nullopt for them and Program treats that as a bug.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "config/spec.h"
#include "supervise/program_state.h"

namespace vigil::supervise {

enum class Event {
  kStart,                // the reconciler: run now (from STOPPED, BACKOFF, EXITED, FATAL)
  kStop,                 // the reconciler: do not run (from STARTING, RUNNING, BACKOFF, EXITED, FATAL)
  kSpawnFailed,          // fork/exec failed
  kStartSecondsElapsed,  // the process lived start_seconds
  kExited,               // the process (and, while stopping, its whole group) is gone
  kBackoffElapsed,       // the back-off delay is over
  kStopTimeout,          // stop_timeout passed while stopping
  kFatalRetryElapsed,    // fatal_retry_after passed while FATAL
  kReady,                // the program said or showed it is ready (ready = notify, tcp, http, log)
  kReadyTimeout,         // ready_timeout passed before kReady
  kWatchdogExpired,      // no heartbeat within watchdog (or WATCHDOG=trigger)
};

// Actions are bits; Program performs them in the order of the enum.
enum Action : uint32_t {
  kNone = 0,
  kCancelTimers = 1u << 0,
  kResetFailures = 1u << 1,
  kCountFailure = 1u << 2,     // one more start failure in a row
  kCountRestart = 1u << 3,     // an automatic restart (shown in status)
  kSpawn = 1u << 4,            // start a process and arm the start_seconds timer
  kArmBackoff = 1u << 5,
  kArmFatalRetry = 1u << 6,    // only if fatal_retry_after is set
  kSendStopSignal = 1u << 7,   // stop_signal to the process (group) and arm stop_timeout
  kSendKill = 1u << 8,         // SIGKILL to the process group
  // stop_signal to the process (group) of a program that failed while up or starting (not
  // ready in time, watchdog), arm stop_timeout, and count its exit as a failure whatever its code.
  kKillForFailure = 1u << 9,
};

// Facts about the event that the pure function needs.
struct Facts {
  config::AutoRestart autorestart = config::AutoRestart::kOnFailure;
  bool exit_expected = false;  // kExited: exit code is in exit_codes (and not killed by a signal)
  int failures = 0;            // start failures in a row before this event
  int start_retries = 5;
};

struct Outcome {
  ProgramState next;
  uint32_t actions = kNone;
  bool operator==(const Outcome&) const = default;
};

// nullopt when `event` cannot happen in `state` (see above).
std::optional<Outcome> Transition(ProgramState state, Event event, const Facts& facts);

std::string_view EventName(Event event);

}  // namespace vigil::supervise
