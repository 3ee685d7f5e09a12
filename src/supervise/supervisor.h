// SPDX-License-Identifier: MIT
// supervise::Supervisor: all Programs of the config and what is wanted of each: up or
// down, and an "up, once more" epoch (as s6's) that a restart raises. One reconciler, run
// on the loop after any change, brings states toward wants in dependency order; it is the
// only sender of kStart and kStop. Also: reload by diffing specs, orderly shutdown, and
// whether a waiting request can still succeed. Decides *when*; Program knows *how*.
// Thread rule: loop thread only. Nothing is called back from inside a change: what
// programs report is queued as ProgramNotes and delivered to the observer on a later loop
// turn, in order, once every program is consistent.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/event_type.h"
#include "base/status.h"
#include "config/spec.h"
#include "supervise/program.h"

namespace vigil::supervise {

struct ReloadResult {
  std::vector<std::string> added, removed, changed, unchanged;
};

// Something that happened to a program, as a value (the program may be gone by the time
// it is read).
struct ProgramNote {
  enum class Kind {
    kStateChanged,    // from -> to, with pid and message
    kMessage,         // type (kNote, kSignal, kSpawnError, kLog) and message
    kProcessStarted,  // pid
    kProcessEnded,    // pid; message is the exit status, reason the program's reason then
    kWantChanged,     // want_up, for `spec`: a user's start or stop (or its cascade)
    kWatchdogExpired, // pid; message: how ("no WATCHDOG=1 for 30s"); it is being restarted
  };
  Kind kind = Kind::kMessage;
  std::string program;
  base::EventType type = base::EventType::kNote;
  ProgramState from = ProgramState::kStopped;
  ProgramState to = ProgramState::kStopped;
  pid_t pid = 0;
  std::string message;
  std::string reason;
  bool want_up = false;
  std::shared_ptr<const config::ProgramSpec> spec;
};

class SupervisorObserver {
 public:
  virtual ~SupervisorObserver() = default;
  // Called on a loop turn of its own, in the order things happened.
  virtual void OnProgramNote(const ProgramNote& note) = 0;
  // After each batch of `notes` notes: a good moment to look at the programs again
  // (waiting requests do), or to give back memory after a burst.
  virtual void OnProgramsSettled(size_t notes) { (void)notes; }
};

// What a waiting request needs to know about one program.
enum class Goal { kUp, kDown };
struct Progress {
  enum class Is { kReached, kPending, kFailed };
  Is is = Is::kPending;
  std::string why;  // kFailed: the program and the reason it cannot get there
};

class Supervisor : private ProgramObserver {
 public:
  // `env.observer` is ignored: the Supervisor observes its programs itself.
  Supervisor(ProgramEnv env, SupervisorObserver* observer);
  ~Supervisor() override;

  // Applies a config: the first call creates every program (starting autostart ones);
  // later calls add, remove and restart changed programs, leaving unchanged ones alone.
  ReloadResult Apply(const std::vector<config::ProgramSpec>& specs);

  // Resolves names ("all", "web" for all of web's instances, "web:1") to programs, in the
  // order named (a program's instances in order). NotFound naming the first unknown name.
  base::Result<std::vector<Program*>> Resolve(const std::vector<std::string>& names);
  Program* Find(std::string_view instance_name);

  // A user's requests. Start also starts what the program depends on, and gives a program
  // that failed (BACKOFF, FATAL, EXITED) one more try; Stop also stops what depends on it;
  // Restart asks for a new process even if one runs (only this program).
  void Start(Program& p);
  void Stop(Program& p);
  void Restart(Program& p);
  // A scheduled restart: like Restart, but only of a program that is wanted up; a program
  // the user stopped stays stopped. Returns nullopt when it will restart, else why not
  // ("stopped by request", "being removed from the config", "vigild is shutting down").
  std::optional<std::string> RestartIfWanted(Program& p);
  bool WantsUp(const Program& p) const;

  // The program's want epoch now: a request remembers it, and ProgressOf() then judges
  // only processes started for it (or later).
  uint32_t WantEpoch(const Program& p) const;
  // Whether program `name` reached `goal`, may still, or cannot without someone acting
  // (a FATAL dependency, even through others; an unclean exit that will not be retried;
  // another request that wants the opposite; removed from the config).
  Progress ProgressOf(const std::string& name, Goal goal, uint32_t epoch) const;

  // Stops everything in reverse dependency order, then calls `done` once every process
  // is gone and its output drained.
  void Shutdown(std::function<void()> done);
  bool shutting_down() const { return static_cast<bool>(shutdown_done_); }

  void ReopenLogs();
  void RotateLogs();

  // Config order.
  std::vector<Program*> programs() const;
  // What `p` depends on, and what depends on it (both through the index).
  std::vector<Program*> Dependencies(const Program& p) const;
  std::vector<Program*> Dependents(const Program& p) const;

  // Decides the initial want of a program the config adds (at start or reload); without
  // it, or when it has no opinion, `autostart` decides.
  void SetInitialWant(std::function<std::optional<bool>(const config::ProgramSpec&)> fn) {
    initial_want_ = std::move(fn);
  }

 private:
  struct Entry {
    std::unique_ptr<Program> program;
    bool want_up = false;
    uint32_t want_epoch = 0;  // raised by Restart, and by Start of a failed program
    uint32_t run_epoch = 0;   // the want_epoch the latest start was made for
    std::unique_ptr<config::ProgramSpec> replacement;  // reload: new spec once stopped
    bool removing = false;                              // reload: delete once stopped
    int depth = 0;  // in the dependency graph: 0 without dependencies, else 1 + the deepest
  };
  static constexpr uint32_t kNoEntry = UINT32_MAX;

  // ProgramObserver: each queues a note.
  void OnStateChanged(Program& program, ProgramState from, const std::string& message) override;
  void OnProgramNote(Program& program, base::EventType type, const std::string& message) override;
  void OnProcessStarted(Program& program, pid_t pid) override;
  void OnProcessEnded(Program& program, pid_t pid, const std::string& exit_status) override;
  void OnOutputDrained(Program& program) override;
  void OnWatchdogExpired(Program& program, const std::string& detail) override;

  // The position in entries_ of the program called `name`, through by_name_; kNoEntry.
  uint32_t IndexOf(std::string_view name) const;
  Entry* EntryOf(std::string_view name) const;
  Entry& EntryOf(const Program& p) const;
  bool InitialWant(const config::ProgramSpec& spec, Cause* cause) const;
  // A user's want; cascades and the note are the callers'.
  void SetWant(Entry& e, bool up);
  // Rebuilds the name index, the dependents and the dependency order after the set of
  // programs or their specs changed (Apply, and reconfigured or removed programs).
  void RebuildGraph();
  // The entries `e` depends on that exist (by name, through the index).
  std::vector<Entry*> DependenciesOf(const Entry& e) const;
  const std::vector<Entry*>& DependentsOf(const Entry& e) const;
  // Why `e` cannot come up by itself; nullopt if it still may.
  std::optional<std::string> Blocked(const Entry& e, int depth) const;
  void Queue(ProgramNote note);
  void ScheduleReconcile();
  void Reconcile();
  bool ApplyReplacementsAndRemovals();
  void ReconcileUp(Entry& e);
  void ReconcileDown(Entry& e);
  void CheckShutdownDone();

  event::Loop& loop_;
  ProgramEnv env_;
  SupervisorObserver* observer_;
  std::vector<std::unique_ptr<Entry>> entries_;  // config order
  // Positions in entries_, ordered by program name: the name index. A sorted vector, not a
  // hash map: four bytes a program, which matters with thousands of them.
  std::vector<uint32_t> by_name_;
  std::vector<Entry*> by_depth_;  // dependencies before dependents
  // Only programs that something depends on have an entry.
  std::unordered_map<const Entry*, std::vector<Entry*>> dependents_;
  std::vector<ProgramNote> outbox_;
  bool flush_scheduled_ = false;
  bool reconcile_scheduled_ = false;
  std::function<void()> shutdown_done_;
  event::HandlePtr drain_timer_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  std::function<std::optional<bool>(const config::ProgramSpec&)> initial_want_;
};

}  // namespace vigil::supervise
