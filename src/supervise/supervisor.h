// SPDX-License-Identifier: MIT
// supervise::Supervisor: all Programs of the config, what the user wants of each (up or
// down), start order by depends_on, reload by diffing specs, and orderly shutdown.
// Decides *when*; Program knows *how*.
// Thread rule: loop thread only.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "config/spec.h"
#include "supervise/program.h"

namespace vigil::supervise {

struct ReloadResult {
  std::vector<std::string> added, removed, changed, unchanged;
};

// Receives everything the supervisor and its programs do, for the event log and waiters.
class SupervisorObserver {
 public:
  virtual ~SupervisorObserver() = default;
  virtual void OnStateChanged(Program& program, ProgramState old_state, const std::string& message) = 0;
  virtual void OnNote(const std::string& subject, NoteKind kind, const std::string& message) = 0;
  virtual void OnProcessStarted(Program& program, pid_t pid) { (void)program, (void)pid; }
  virtual void OnProcessEnded(Program& program, pid_t pid, const std::string& exit_status) {
    (void)program, (void)pid, (void)exit_status;
  }
};

class Supervisor : private ProgramObserver {
 public:
  Supervisor(event::Loop& loop, event::ChildReaper& reaper, logs::Compressor* compressor,
             std::filesystem::path log_dir, SupervisorObserver* observer);
  ~Supervisor() override;

  // Applies a config: the first call creates every program (starting autostart ones);
  // later calls add, remove and restart changed programs, leaving unchanged ones alone.
  ReloadResult Apply(const std::vector<config::ProgramSpec>& specs);

  // Resolves names ("all", "web" for all of web's instances, "web:1") to programs, in
  // config order. NotFound naming the first unknown name.
  base::Result<std::vector<Program*>> Resolve(const std::vector<std::string>& names);
  Program* Find(const std::string& instance_name);

  // Start also starts what the program depends on; Stop also stops what depends on it.
  void Start(Program& p);
  void Stop(Program& p);
  // Stops the program (only it) and starts it again once it is down.
  void Restart(Program& p);
  bool WantsUp(const Program& p) const;

  // Stops everything in reverse dependency order, then calls `done` once every process
  // is gone and its output drained.
  void Shutdown(std::function<void()> done);
  bool shutting_down() const { return static_cast<bool>(shutdown_done_); }

  void ReopenLogs();
  // Called after each reap batch.
  void AfterReap();

  std::vector<Program*> programs() const;

  // Decides the initial want of a program the config adds (at start or reload); without
  // it, or when it has no opinion, `autostart` decides.
  void SetInitialWant(std::function<std::optional<bool>(const config::ProgramSpec&)> fn) {
    initial_want_ = std::move(fn);
  }

 private:
  struct Entry {
    std::unique_ptr<Program> program;
    bool want_up = false;
    std::unique_ptr<config::ProgramSpec> replacement;  // reload: new spec once stopped
    bool removing = false;                              // reload: delete once stopped
  };

  void OnStateChanged(Program& program, ProgramState old_state, const std::string& message) override;
  void OnProgramNote(Program& program, NoteKind kind, const std::string& message) override;
  void OnProcessStarted(Program& program, pid_t pid) override;
  void OnProcessEnded(Program& program, pid_t pid, const std::string& exit_status) override;
  bool InitialWant(const config::ProgramSpec& spec, std::string* reason) const;
  void OnOutputDrained(Program& program) override;
  Entry* EntryOf(const std::string& name);
  // Brings states toward wants, respecting dependency order. Runs on the loop after any
  // change (coalesced), never re-entrantly.
  void ScheduleReconcile();
  void Reconcile();
  bool DependencySatisfied(const Program& dep) const;
  std::vector<Program*> Dependents(const Program& p) const;

  event::Loop& loop_;
  ProgramEnv env_;
  SupervisorObserver* observer_;
  std::vector<Entry> entries_;  // config order
  bool reconcile_scheduled_ = false;
  std::function<void()> shutdown_done_;
  event::HandlePtr drain_timer_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  std::function<std::optional<bool>(const config::ProgramSpec&)> initial_want_;
};

}  // namespace vigil::supervise
