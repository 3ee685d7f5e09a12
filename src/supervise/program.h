// SPDX-License-Identifier: MIT
// supervise::Program: one configured program instance, its current process (if any), its
// log files and its one timer. A thin executor: it feeds events into the pure Transition()
// and carries out the actions; the words come from narration.h. What the program should do
// (want, dependencies, restarts on request) is the Supervisor's business: only its
// reconciler sends kStart and kStop.
// Thread rule: loop thread only. Everything it reports goes to a ProgramObserver that must
// not call back into the Program (the Supervisor queues it, see supervisor.h).
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "base/boxed.h"
#include "base/clock.h"
#include "base/event_type.h"
#include "base/status.h"
#include "config/spec.h"
#include "event/clock.h"
#include "event/loop.h"
#include "logs/log_file.h"
#include "process/launcher.h"
#include "process/notify_message.h"
#include "supervise/narration.h"
#include "supervise/ready_probes.h"
#include "supervise/transitions.h"

namespace vigil::logs {
class Compressor;
class PipeReader;
}  // namespace vigil::logs

namespace vigil::supervise {

class Program;

// What a Program reports, as it happens. Implementations record or queue; they must not
// call back into the Program.
class ProgramObserver {
 public:
  virtual ~ProgramObserver() = default;
  virtual void OnStateChanged(Program& program, ProgramState from, const std::string& message) = 0;
  // `type` is kNote, kSignal, kSpawnError or kLog.
  virtual void OnProgramNote(Program& program, base::EventType type, const std::string& message) = 0;
  // A process of the program started, and ended (with its wait status described).
  virtual void OnProcessStarted(Program& program, pid_t pid) = 0;
  virtual void OnProcessEnded(Program& program, pid_t pid, const std::string& exit_status) = 0;
  // The output pipes of ended processes are all drained.
  virtual void OnOutputDrained(Program& program) = 0;
  // A watchdog expired (no heartbeat in time): the program is being killed for a restart.
  // `detail` says how ("no heartbeat for 30s").
  virtual void OnWatchdogExpired(Program& program, const std::string& detail) = 0;
};

// Services shared by every Program, owned by the Supervisor's owner.
struct ProgramEnv {
  event::Loop& loop;            // output pipes, and work posted for later
  event::Clock& clock;          // every timer and every reading of the time
  process::Launcher& launcher;  // processes: start, signal, reap
  logs::Compressor* compressor = nullptr;
  std::filesystem::path log_dir;
  ProgramObserver* observer = nullptr;
  ReadyProbes* ready_probes = nullptr;  // needed for ready = tcp, http or log
  std::string notify_socket;            // NOTIFY_SOCKET for ready = "notify" and watchdogs; "" = none
};

class Program {
 public:
  Program(ProgramEnv& env, config::ProgramSpec spec);
  ~Program();  // SIGKILLs the process group if one is still alive
  Program(const Program&) = delete;
  Program& operator=(const Program&) = delete;

  // A lifecycle event from the reconciler: kStart or kStop (see transitions.h).
  void Handle(Event event);
  // Sends `signo` to the process (its group if kill_group). Conflict if no process.
  base::Status Signal(int signo);
  // Takes new settings while STOPPED (a reload changed the program). The log files stay
  // the same objects, so `vigil logs -f` followers stay attached; counters start afresh.
  void Reconfigure(config::ProgramSpec spec);
  // Sets the Supervisor's explanation for the current state (waiting for a dependency...).
  void SetCause(Cause cause, std::string detail = "");
  void ReopenLogs();  // SIGUSR1
  void RotateLogs();  // the rotate-logs task
  // Tells every follower of the program's logs that the stream ended, and why.
  void EndFollowers(const std::string& reason);
  // A datagram from the program's process (or its group) on the notify socket; the caller
  // has checked that the sender belongs to it. READY=1, STATUS=, WATCHDOG=1 / trigger,
  // WATCHDOG_USEC=, STOPPING=1 and EXTEND_TIMEOUT_USEC= act as docs/readiness.md says;
  // anything else, or a message while no process runs, is ignored.
  void Notify(const process::NotifyMessage& message);
  // A tcp/http ready probe that says "not yet" is repeated after this delay, doubled each
  // time up to kMaxProbeDelay.
  static constexpr base::Duration kFirstProbeDelay{50};
  static constexpr base::Duration kMaxProbeDelay{1000};
  // What the program last said with STATUS= (its current process only).
  const std::string& status_text() const { return watch_->status_text; }
  // True while output pipes of an ended process are still being drained.
  bool DrainingPipes() const { return !readers_.empty(); }

  const std::string& name() const { return spec_.name; }
  const config::ProgramSpec& spec() const { return spec_; }
  ProgramState state() const { return state_; }
  Cause cause() const { return cause_; }
  pid_t pid() const { return pid_; }
  // Time since the current process was spawned; nullopt when none.
  std::optional<base::Duration> uptime() const;
  base::WallTime state_since() const { return state_since_; }
  int restarts() const { return restarts_; }
  const std::string& last_exit() const { return last_exit_; }
  bool last_exit_clean() const { return last_exit_clean_; }
  // Why it is in its state, in plain words; "" when there is nothing to explain.
  std::string reason() const;
  logs::LogFile& stdout_log() { return *stdout_log_; }
  // The stdout log when stderr is merged.
  logs::LogFile& stderr_log() { return stderr_log_ ? *stderr_log_ : *stdout_log_; }
  // Log problems (disk full...) in plain words, "" if none.
  std::string LogProblem() const;

 private:
  // One transition and its actions. Returns the event that follows at once (a failed
  // spawn, a zero start_seconds), if any. `report_from` is the state the next state
  // change is reported from: a STARTING that a failed spawn leaves at once is not reported.
  std::optional<Event> Step(Event event, ProgramState& report_from);
  Facts CurrentFacts() const;
  ReasonFacts CurrentReasonFacts() const;
  // Starts a process; false (with cause_ set and the note sent) when that failed.
  bool Spawn();
  // Starts reading the child's pipes; the loop's error if it cannot watch them.
  base::Status WatchOutput(process::Launched& child);
  void OnMainExit(int wait_status);
  void OnGroupGone();
  base::Duration BackoffDelay();
  // The stop signal to the group (or the main process), then SIGCONT.
  void SendStopSignal();
  void KillGroup(int signo);
  void AddReader(std::unique_ptr<logs::PipeReader> reader);
  void ArmTimer(base::Duration delay, Event event);
  void MakeLogs();
  void Note(base::EventType type, const std::string& message);
  // Readiness and heartbeats of the current process (docs/readiness.md).
  void StartReadiness();
  void ProbeReady();
  void ScanForReady(std::string_view data);
  void ArmWatchdog(base::Duration delay);
  void OnWatchdogTimer();
  void ExpireWatchdog(const std::string& detail);
  void StopWatching();  // readiness and heartbeats end with the process
  base::Duration WatchdogInterval() const;
  std::string ReadyTimeoutDetail() const;

  ProgramEnv& env_;
  config::ProgramSpec spec_;
  ProgramState state_ = ProgramState::kStopped;
  Cause cause_ = Cause::kNone;
  base::WallTime state_since_;
  pid_t pid_ = 0;   // current main process, 0 if none
  pid_t pgid_ = 0;  // its group, kept after the main process ends until the group is gone
  base::SteadyTime spawned_at_{};
  int failures_ = 0;
  int restarts_ = 0;
  base::Duration retry_in_{0};  // the armed back-off delay, for the reason
  std::string last_exit_;
  bool last_exit_clean_ = false;
  std::string detail_;      // particulars of cause_
  event::HandlePtr timer_;  // start_seconds, ready_timeout, back-off, stop_timeout or fatal retry
  base::SteadyTime timer_deadline_{};
  event::HandlePtr group_watch_;  // waiting for the group of an ended process to be gone
  // Readiness and heartbeats of the current process.
  bool failing_ = false;  // killed for a failure (kKillForFailure): its exit is never clean
  // Out of line (base::Boxed), allocated by the first program that needs it: most have
  // no probe, watchdog or notify socket, and a thousand would each carry its 170 bytes.
  struct Watch {
    std::string status_text;  // STATUS= from the notify socket
    event::HandlePtr probe;   // a tcp/http ready probe in flight, or the wait before the next
    base::Duration probe_delay{0};
    std::string last_not_ready;            // why the last tcp/http probe said "not yet"
    ReadyProbes::LineMatcher ready_matcher;  // ready = log, while STARTING
    std::string ready_partial;             // the start of a stdout line not yet ended
    event::HandlePtr watchdog_timer;
    std::optional<base::Duration> watchdog_override;  // WATCHDOG_USEC= from the program
    base::WallTime heartbeat_seen{};                  // heartbeat_file: the mtime last seen
  };
  base::Boxed<Watch> watch_;
  std::unique_ptr<logs::LogFile> stdout_log_;
  std::unique_ptr<logs::LogFile> stderr_log_;
  // Readers of the pipes of the current and ended processes, by id; rarely more than two,
  // so a vector (a map node per reader costs more than the search saves).
  std::vector<std::pair<uint64_t, std::unique_ptr<logs::PipeReader>>> readers_;
  uint64_t next_reader_id_ = 0;
  std::minstd_rand rng_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // guards posted callbacks
};

}  // namespace vigil::supervise
