// SPDX-License-Identifier: MIT
// The transition table (docs/lifecycle.md).
#include "supervise/transitions.h"

namespace vigil::supervise {

std::string_view StateName(ProgramState s) {
  switch (s) {
    case ProgramState::kStopped: return "STOPPED";
    case ProgramState::kStarting: return "STARTING";
    case ProgramState::kRunning: return "RUNNING";
    case ProgramState::kBackoff: return "BACKOFF";
    case ProgramState::kStopping: return "STOPPING";
    case ProgramState::kExited: return "EXITED";
    case ProgramState::kFatal: return "FATAL";
  }
  return "UNKNOWN";
}

namespace {

using S = ProgramState;

// A start attempt failed: retry after a back-off, or give up once the retries are spent.
Outcome StartFailed(const Facts& f) {
  // This is failure number failures + 1; written so that no sum can overflow.
  if (f.failures >= f.start_retries) return {S::kFatal, kCancelTimers | kCountFailure | kArmFatalRetry};
  return {S::kBackoff, kCancelTimers | kCountFailure | kArmBackoff};
}

bool WantsRestart(const Facts& f) {
  switch (f.autorestart) {
    case config::AutoRestart::kAlways: return true;
    case config::AutoRestart::kOnFailure: return !f.exit_expected;
    case config::AutoRestart::kNever: return false;
  }
  return false;
}

}  // namespace

std::optional<Outcome> Transition(ProgramState state, Event event, const Facts& f) {
  switch (event) {
    case Event::kStart:
      switch (state) {
        case S::kStopped:
        case S::kExited:
        case S::kFatal:
        case S::kBackoff:
          // A deliberate start forgets earlier failures: the user gets a full set of retries.
          return Outcome{S::kStarting, kCancelTimers | kResetFailures | kSpawn};
        default:
          return std::nullopt;  // the reconciler waits for STOPPING to finish
      }
    case Event::kStop:
      switch (state) {
        case S::kStarting:
        case S::kRunning:
          return Outcome{S::kStopping, kCancelTimers | kSendStopSignal};
        case S::kBackoff:
        case S::kExited:
        case S::kFatal:
          return Outcome{S::kStopped, kCancelTimers};
        default:
          return std::nullopt;  // already stopped or stopping
      }
    case Event::kSpawnFailed:
      if (state != S::kStarting) return std::nullopt;
      return StartFailed(f);
    case Event::kStartSecondsElapsed:
      if (state != S::kStarting) return std::nullopt;
      return Outcome{S::kRunning, kResetFailures};
    case Event::kExited:
      switch (state) {
        case S::kStarting:
          // A clean exit of a program that is not meant to be restarted is a finished
          // one-shot, not a failed start.
          if (f.exit_expected && f.autorestart != config::AutoRestart::kAlways)
            return Outcome{S::kExited, kCancelTimers};
          return StartFailed(f);
        case S::kRunning:
          // It had been up past start_seconds: restart at once, no back-off.
          if (WantsRestart(f)) return Outcome{S::kStarting, kCountRestart | kSpawn};
          return Outcome{S::kExited, kNone};
        case S::kStopping:
          return Outcome{S::kStopped, kCancelTimers};
        default:
          return std::nullopt;  // no process to exit
      }
    case Event::kBackoffElapsed:
      if (state != S::kBackoff) return std::nullopt;
      return Outcome{S::kStarting, kCountRestart | kSpawn};
    case Event::kStopTimeout:
      // Also after kKillForFailure, which leaves the state as it was.
      if (state != S::kStopping && state != S::kStarting && state != S::kRunning) return std::nullopt;
      return Outcome{state, kSendKill};
    case Event::kFatalRetryElapsed:
      if (state != S::kFatal) return std::nullopt;
      return Outcome{S::kStarting, kResetFailures | kCountRestart | kSpawn};
    case Event::kReady:
      if (state != S::kStarting) return std::nullopt;
      return Outcome{S::kRunning, kCancelTimers | kResetFailures};
    case Event::kReadyTimeout:
      if (state != S::kStarting) return std::nullopt;
      // Its exit then fails the start (STARTING + kExited): back-off, or FATAL.
      return Outcome{S::kStarting, kCancelTimers | kKillForFailure};
    case Event::kWatchdogExpired:
      if (state != S::kStarting && state != S::kRunning) return std::nullopt;
      // Its exit then restarts it as a crash would (RUNNING + kExited), or fails the start.
      return Outcome{state, kCancelTimers | kKillForFailure};
  }
  return std::nullopt;
}

std::string_view EventName(Event event) {
  switch (event) {
    case Event::kStart: return "start";
    case Event::kStop: return "stop";
    case Event::kSpawnFailed: return "spawn failed";
    case Event::kStartSecondsElapsed: return "start_seconds elapsed";
    case Event::kExited: return "exited";
    case Event::kBackoffElapsed: return "back-off elapsed";
    case Event::kStopTimeout: return "stop timeout";
    case Event::kFatalRetryElapsed: return "fatal retry elapsed";
    case Event::kReady: return "ready";
    case Event::kReadyTimeout: return "ready timeout";
    case Event::kWatchdogExpired: return "watchdog expired";
  }
  return "?";
}

}  // namespace vigil::supervise
