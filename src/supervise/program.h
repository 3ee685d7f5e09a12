// SPDX-License-Identifier: MIT
// supervise::Program: one configured program instance, its current Child process (if
// any), its log files and timers. Feeds events into the pure Transition() function and
// carries out the resulting actions. Dependencies and want (up/down) are the
// Supervisor's business; Program only runs the lifecycle it is told to.
// Thread rule: loop thread only.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "base/clock.h"
#include "base/status.h"
#include "config/spec.h"
#include "event/loop.h"
#include "logs/log_file.h"
#include "supervise/transitions.h"

namespace vigil::logs {
class Compressor;
class PipeReader;
}  // namespace vigil::logs

namespace vigil::supervise {

class Program;

// What Program reports upward: every state change and every notable act (signals sent,
// spawn errors), each with a plain-language message for the event log.
// What a note is about, for filtering the event history.
enum class NoteKind { kNote, kSignal, kSpawnError, kLog };
std::string_view NoteKindName(NoteKind kind);  // "note", "signal", "spawn_error", "log"

class ProgramObserver {
 public:
  virtual ~ProgramObserver() = default;
  virtual void OnStateChanged(Program& program, ProgramState old_state, const std::string& message) = 0;
  virtual void OnProgramNote(Program& program, NoteKind kind, const std::string& message) = 0;
  // A process of the program started, and ended (with its wait status described).
  virtual void OnProcessStarted(Program& program, pid_t pid) { (void)program, (void)pid; }
  virtual void OnProcessEnded(Program& program, pid_t pid, const std::string& exit_status) {
    (void)program, (void)pid, (void)exit_status;
  }
  // The output pipes of ended processes are all drained.
  virtual void OnOutputDrained(Program& program) { (void)program; }
};

// Services shared by every Program, owned by the Supervisor's owner.
struct ProgramEnv {
  event::Loop& loop;
  event::ChildReaper& reaper;
  logs::Compressor* compressor = nullptr;
  std::filesystem::path log_dir;
  ProgramObserver* observer = nullptr;
};

class Program {
 public:
  Program(ProgramEnv& env, config::ProgramSpec spec);
  ~Program();  // SIGKILLs the process group if one is still alive
  Program(const Program&) = delete;
  Program& operator=(const Program&) = delete;

  void Handle(Event event);
  // Sends `signo` to the process (its group if kill_group). Conflict if no process.
  base::Status Signal(int signo);
  // Called after children were reaped: notices that a stopping program's group is gone.
  void CheckGroupGone();
  // Reopens the log files (SIGUSR1).
  void ReopenLogs();
  // True while output pipes of an ended process are still being drained.
  bool DrainingPipes() const { return !readers_.empty(); }

  const std::string& name() const { return spec_.name; }
  const config::ProgramSpec& spec() const { return spec_; }
  ProgramState state() const { return state_; }
  pid_t pid() const { return pid_; }
  // Time since the current process was spawned; nullopt when none.
  std::optional<base::Duration> uptime() const;
  base::WallTime state_since() const { return state_since_; }
  int restarts() const { return restarts_; }
  const std::string& last_exit() const { return last_exit_; }
  bool last_exit_clean() const { return last_exit_clean_; }
  const std::string& reason() const { return reason_; }
  void set_reason(std::string reason) { reason_ = std::move(reason); }
  logs::LogFile& stdout_log() { return *stdout_log_; }
  // The stdout log when stderr is merged.
  logs::LogFile& stderr_log() { return stderr_log_ ? *stderr_log_ : *stdout_log_; }
  // Log problems (disk full...) in plain words, "" if none.
  std::string LogProblem() const;

 private:
  void Apply(const Outcome& outcome, Event event, const std::string& why);
  bool SpawnChild();
  void OnChildExit(int wait_status);
  void FinishExit();
  base::Duration BackoffDelay();
  void KillGroup(int signo);
  bool GroupAlive() const;
  void AddReader(int fd, logs::LogFile& log);
  // Feeds `event` after `delay`, replacing whatever timer was armed.
  void ArmTimer(base::Duration delay, Event event);

  ProgramEnv& env_;
  config::ProgramSpec spec_;
  ProgramState state_ = ProgramState::kStopped;
  base::WallTime state_since_;
  pid_t pid_ = 0;          // current process, 0 if none
  pid_t pgid_ = 0;         // its group, kept after the process ends until the group is gone
  bool main_exited_ = false;
  int pending_exit_status_ = 0;
  base::SteadyTime spawned_at_{};
  int failures_ = 0;
  int restarts_ = 0;
  std::string last_exit_;
  bool last_exit_clean_ = false;
  std::string reason_;
  event::HandlePtr timer_;  // start_seconds, back-off, stop_timeout or fatal retry
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
