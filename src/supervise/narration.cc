// SPDX-License-Identifier: MIT
// The sentences of the lifecycle (narration.h). Wording changes happen here and in
// narration_test.cc, nowhere else.
#include "supervise/narration.h"

#include <fmt/format.h>

#include "base/units.h"
#include "config/signals.h"

namespace vigil::supervise {
namespace {

using S = ProgramState;

// What the program said or failed at, before any retry arithmetic.
std::string CauseText(const ReasonFacts& f) {
  switch (f.cause) {
    case Cause::kNone: return "";
    case Cause::kSpawnFailed: return "spawn failed: " + std::string(f.detail);
    case Cause::kExitedEarly: return fmt::format("exited too quickly ({})", f.last_exit);
    case Cause::kStopRequested: return "stopping";
    case Cause::kKilledAfterTimeout:
      return fmt::format("did not stop within {}; killed", base::FormatDuration(f.stop_timeout));
    case Cause::kExited: {
      std::string text = fmt::format("exited ({})", f.last_exit);
      if (f.autorestart == config::AutoRestart::kNever) return text + "; autorestart = never";
      if (f.last_exit_clean) return text + "; expected exit code, not restarted";
      return text;
    }
    case Cause::kWaitingFor: return "waiting for " + std::string(f.detail);
    case Cause::kStoppingAfter: return "stopping after " + std::string(f.detail);
    case Cause::kAutostartOff: return "not started: autostart = false";
    case Cause::kStoppedByRequest:
      return "stopped by request (remembered across vigild restarts until started or reconfigured)";
    case Cause::kNotReady: return "not ready: " + std::string(f.detail);
    case Cause::kWatchdog: return "watchdog: " + std::string(f.detail);
  }
  return "";
}

std::string Target(bool kill_group, pid_t pid, pid_t pgid) {
  return kill_group ? fmt::format("process group {}", pgid) : fmt::format("pid {}", pid);
}

std::string_view ReadyWords(config::ReadyKind kind) {
  switch (kind) {
    case config::ReadyKind::kNotify: return "it said READY=1";
    case config::ReadyKind::kTcp: return "its port accepts connections";
    case config::ReadyKind::kHttp: return "its URL answers";
    case config::ReadyKind::kLog: return "it logged its ready line";
    case config::ReadyKind::kStartSeconds: break;
  }
  return "ready";
}

}  // namespace

std::string ReasonText(const ReasonFacts& f) {
  std::string text = CauseText(f);
  switch (f.state) {
    case S::kBackoff:
      return fmt::format("{}; retry {} of {} in {}", text, f.failures, f.start_retries,
                         base::FormatDuration(f.retry_in));
    case S::kFatal:
      text = fmt::format("{}; gave up after {} attempts", text, f.failures);
      if (f.fatal_retry_after) text += "; will try again in " + base::FormatDuration(*f.fatal_retry_after);
      return text;
    default:
      return text;
  }
}

std::string StepMessage(const StepFacts& f) {
  if (f.actions & kSpawn) {
    std::string text = fmt::format("started pid {}", f.pid);
    if (f.event == Event::kExited) text += fmt::format(" after the previous process ended ({})", f.last_exit);
    if (f.event == Event::kBackoffElapsed)
      text += fmt::format(" (attempt {} of {})", int64_t{f.failures} + 1, int64_t{f.start_retries} + 1);
    if (f.event == Event::kFatalRetryElapsed) text += " (retrying after FATAL)";
    return text;
  }
  if (f.actions & kSendStopSignal) {
    return fmt::format("sent {} to {}", config::SignalName(f.stop_signal), Target(f.kill_group, f.pid, f.pgid));
  }
  if (f.actions & kKillForFailure) {
    return fmt::format("{}; sent {} to {}", f.reason, config::SignalName(f.stop_signal),
                       Target(f.kill_group, f.pid, f.pgid));
  }
  if (f.actions & kSendKill) {
    return fmt::format("stop_timeout {} passed: sent SIGKILL to {}", base::FormatDuration(f.stop_timeout),
                       Target(f.kill_group, f.pid, f.pgid));
  }
  switch (f.to) {
    case S::kBackoff:
    case S::kFatal:
    case S::kExited:
      return std::string(f.reason);
    case S::kRunning:
      if (f.from == S::kStarting && f.event == Event::kReady)
        return fmt::format("pid {} is ready: {}", f.pid, ReadyWords(f.ready_kind));
      if (f.from == S::kStarting) return fmt::format("pid {} up for {}", f.pid, base::FormatDuration(f.start_seconds));
      return "";
    case S::kStopped:
      if (f.from != S::kStopping) return "";
      return f.last_exit.empty() ? "stopped" : fmt::format("stopped ({})", f.last_exit);
    default:
      return "";
  }
}

std::string SignalSentNote(int signo, bool kill_group, pid_t target) {
  return fmt::format("sent {} to {} {} on request", config::SignalName(signo),
                     kill_group ? "process group" : "pid", target);
}

std::string LeftoversKilledNote(pid_t pgid) {
  return fmt::format("killed processes left in group {} after the main process ended; the next start waits until "
                     "they are gone",
                     pgid);
}

std::string SpawnFailedNote(std::string_view error) { return "spawn failed: " + std::string(error); }

std::string OutputUnreadableNote(pid_t pid, std::string_view error) {
  return fmt::format("cannot read the output of pid {}: {}; killed it", pid, error);
}

std::string RemovedNote() { return "removed from the config"; }

std::string ReconfiguredNote() { return "config changed; restarting with the new settings"; }

std::string RemovedFollowersNote(std::string_view program) {
  return fmt::format("{} was removed from the config; its log ends here", program);
}

std::string WatchdogFinding(std::string_view program, std::string_view detail) {
  return fmt::format("{} missed its heartbeat ({}); restarting it. A process that hangs or is overloaded stops "
                     "sending heartbeats: look at what it logged last: vigil logs {}",
                     program, detail, program);
}

}  // namespace vigil::supervise
