// SPDX-License-Identifier: MIT
// The transition table. Events that cannot happen in a state leave it unchanged with no
// action, so a late timer or a duplicate request is harmless.
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
  if (f.failures + 1 > f.start_retries) return {S::kFatal, kCancelTimers | kCountFailure | kArmFatalRetry};
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

Outcome Transition(ProgramState state, Event event, const Facts& f) {
  const Outcome unchanged{state, kNone};
  switch (event) {
    case Event::kStart:
      switch (state) {
        case S::kStopped:
        case S::kExited:
        case S::kFatal:
        case S::kBackoff:
          // A deliberate start forgets earlier failures: the user gets a full set of retries.
          return {S::kStarting, kCancelTimers | kResetFailures | kSpawn};
        default:
          return unchanged;  // already starting/running; STOPPING finishes first
      }
    case Event::kStop:
      switch (state) {
        case S::kStarting:
        case S::kRunning:
          return {S::kStopping, kCancelTimers | kSendStopSignal};
        case S::kBackoff:
        case S::kExited:
        case S::kFatal:
          return {S::kStopped, kCancelTimers};
        default:
          return unchanged;
      }
    case Event::kSpawnFailed:
      if (state != S::kStarting) return unchanged;
      return StartFailed(f);
    case Event::kStartSecondsElapsed:
      if (state != S::kStarting) return unchanged;
      return {S::kRunning, kResetFailures};
    case Event::kExited:
      switch (state) {
        case S::kStarting:
          // A clean exit of a program that is not meant to be restarted is a finished
          // one-shot, not a failed start.
          if (f.exit_expected && f.autorestart != config::AutoRestart::kAlways)
            return {S::kExited, kCancelTimers};
          return StartFailed(f);
        case S::kRunning:
          // It had been up past start_seconds: restart at once, no back-off.
          if (WantsRestart(f)) return {S::kStarting, kCountRestart | kSpawn};
          return {S::kExited, kNone};
        case S::kStopping:
          return {S::kStopped, kCancelTimers};
        default:
          return unchanged;
      }
    case Event::kBackoffElapsed:
      if (state != S::kBackoff) return unchanged;
      return {S::kStarting, kCountRestart | kSpawn};
    case Event::kStopTimeout:
      if (state != S::kStopping) return unchanged;
      return {S::kStopping, kSendKill};
    case Event::kFatalRetryElapsed:
      if (state != S::kFatal) return unchanged;
      return {S::kStarting, kResetFailures | kCountRestart | kSpawn};
  }
  return unchanged;
}

}  // namespace vigil::supervise
