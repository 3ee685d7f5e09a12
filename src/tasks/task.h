// SPDX-License-Identifier: MIT
// tasks::Task: one [task.NAME] and its runs. A run is a child process in its own process
// group with its output captured (merged stdout+stderr, the end of it kept), or a built-in
// action. Applies the overlap policy, the timeout (SIGKILL to the whole group), and
// retries with back-off. When it runs is the Scheduler's business.
// Thread rule: loop thread only.
#pragma once

#include <sys/types.h>

#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/status.h"
#include "config/spec.h"
#include "event/clock.h"
#include "event/loop.h"
#include "schedule/schedule.h"
#include "tasks/idle_wait.h"

namespace vigil::logs {
class PipeReader;
}

namespace vigil::process {
class Launcher;
}

namespace vigil::tasks {

class Task;

// What started a run.
// kCheck: a health check's `run` action (vigil health).
enum class Trigger { kSchedule, kManual, kCatchUp, kRetry, kReboot, kCheck };
// "schedule", "manual", "catch-up", "retry", "reboot", "check": the words of the API and
// the store.
std::string_view TriggerName(Trigger trigger);
// The inverse of TriggerName; nullopt for any other word.
std::optional<Trigger> ParseTrigger(std::string_view name);

// The record of one run, as it is reported and stored.
struct Run {
  int64_t id = 0;
  Trigger trigger = Trigger::kManual;
  base::WallTime started;
  std::optional<base::WallTime> ended;
  std::optional<int> exit_code;
  std::optional<int> signal;
  bool timed_out = false;
  // vigild stopped (crashed, was killed) while the run was going; it never ended.
  bool interrupted = false;
  std::string output;  // the end of the output, at most output_max_bytes
  // How long the run waited for an idle machine (when_idle) before it started.
  base::Duration deferred{0};
  // "exit 0", "exit 1", "killed by SIGKILL", "timed out", "interrupted", "running"
  std::string Result() const;
  bool Succeeded() const { return ended && exit_code == 0 && !timed_out; }
};

// What the daemon provides: run ids, records, notes, and the built-in actions' effects.
class TaskHost {
 public:
  virtual ~TaskHost() = default;
  virtual int64_t NewRunId(Task& task, const Run& run) = 0;  // called when a run starts
  virtual void OnRunFinished(Task& task, const Run& run) = 0;
  virtual void OnTaskNote(Task& task, const std::string& message) = 0;
  // action = "restart": restarts those of the programs that are wanted up (one the user
  // stopped stays stopped). Returns the run's output, a line per program.
  virtual base::Result<std::string> RestartPrograms(const std::vector<std::string>& programs) = 0;
  // action = "rotate-logs"
  virtual void RotateLogs() = 0;
  // when_idle: a meter for one waiting run. Null: the machine cannot be measured, so it
  // never counts as idle (the run waits max_wait).
  virtual std::unique_ptr<IdleMeter> NewIdleMeter() { return nullptr; }
  // when_idle with then = "skip": a due run was skipped after max_wait, in words.
  virtual void OnIdleSkip(Task& task, const std::string& message) { OnTaskNote(task, message); }
  // action = "report": writes the health report of the `period` up to now and sends it
  // through the alert channels. Returns the run's output (where it was saved, the summary).
  virtual base::Result<std::string> WriteReport(base::Duration period) {
    (void)period;
    return base::Status::Unavailable("health reports are not available here");
  }
};

// Where a Task lives. Every time it reads or waits for (run start and end, timeout,
// random delay, retry back-off) comes from `clock`; `loop` only carries I/O and Post();
// processes are started, signalled and reaped by `launcher`, as programs' are.
struct TaskEnv {
  event::Loop& loop;
  event::Clock& clock;
  process::Launcher& launcher;
  TaskHost& host;
};

class Task {
 public:
  Task(TaskEnv& env, config::TaskSpec spec, schedule::Schedule schedule);
  ~Task();  // kills a run still going (its whole group)
  Task(const Task&) = delete;
  Task& operator=(const Task&) = delete;

  // Starts a run now, or per the overlap policy while one is going: "skip" refuses
  // (Conflict), "queue" runs it after the current one, "replace" kills the current one
  // and then runs. Returns the id of the started run, or 0 when queued/replacing.
  // `on_done` is called when that run ends. With when_idle, a schedule, catch-up or
  // reboot run first waits for an idle machine (returns 0; the overlap policy applies when
  // the wait ends); while one waits, another due run is folded into it.
  base::Result<int64_t> Start(Trigger trigger, std::function<void(const Run&)> on_done = nullptr);

  const std::string& name() const { return spec_.name; }
  const config::TaskSpec& spec() const { return spec_; }
  const schedule::Schedule& schedule() const { return schedule_; }
  bool running() const { return current_ != nullptr; }
  // Since when a due run waits for an idle machine; nullopt if none waits.
  std::optional<base::WallTime> waiting_since() const;
  Trigger waiting_trigger() const { return waiting_trigger_; }  // when waiting_since()
  // Continues a wait taken over from the task this one replaced on reload: waits again
  // from `since` if this task still has when_idle, else starts the run now.
  void ResumeWait(Trigger trigger, base::WallTime since);
  bool enabled() const { return enabled_; }
  // Disabling also drops a pending retry and a run waiting for an idle machine: a
  // disabled task gets no runs but manual ones.
  void set_enabled(bool enabled);
  // The last finished (or current) run, if any since vigild started or as loaded.
  const std::optional<Run>& last_run() const { return last_run_; }
  void set_last_run(Run run) { last_run_ = std::move(run); }

 private:
  struct Current;
  struct Queued {
    Trigger trigger;
    std::function<void(const Run&)> on_done;
    base::Duration deferred;
  };
  base::Result<int64_t> StartNow(Trigger trigger, std::function<void(const Run&)> on_done, base::Duration deferred);
  void StartRun(Trigger trigger, std::function<void(const Run&)> on_done, base::Duration deferred = {});
  void BeginWait(Trigger trigger, base::WallTime since);
  void EndWait(IdleWait::End end);
  void SpawnCommand();
  void RunCleanup();
  void Finish();
  void MaybeFinish();
  void KillGroup(int signo);

  TaskEnv& env_;
  config::TaskSpec spec_;
  schedule::Schedule schedule_;
  bool enabled_ = true;
  std::unique_ptr<Current> current_;
  std::deque<Queued> queued_;
  std::unique_ptr<IdleWait> waiting_;  // a due run waiting for an idle machine
  Trigger waiting_trigger_ = Trigger::kSchedule;
  std::optional<Run> last_run_;
  int attempt_ = 0;             // retries done for the current failure streak
  event::HandlePtr retry_timer_;
  std::minstd_rand rng_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace vigil::tasks
