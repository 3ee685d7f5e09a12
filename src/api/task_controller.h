// SPDX-License-Identifier: MIT
// api::TaskController: what the API may ask about and of the scheduled tasks and their
// runs (docs/api.md, docs/tasks.md).
// Thread rule: every method is called on the loop thread; callbacks run on it too.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "base/status.h"

namespace vigil::api {

// A scheduled task, as the API reports it.
struct TaskInfo {
  std::string name;
  std::string schedule;   // as written: "daily 03:00", "*/5 * * * *"
  std::string timezone;   // "" = local
  std::string action;     // "command", "restart", "cleanup", "rotate-logs"
  bool enabled = true;
  bool running = false;
  int64_t next_run_ms = -1;  // unix ms; -1 when none (disabled, @reboot, impossible)
  int64_t last_run_ms = -1;  // start of the last run; -1 if never
  std::string last_result;   // "exit 0", "exit 1", "killed by SIGTERM", "timed out", "interrupted", "running", ""
  int64_t waiting_since_ms = -1;  // a due run waits for an idle machine (when_idle) since then; -1 if none
  // Since vigild started (for GET /metrics and the API): runs that ended, by outcome; the
  // start of the last successful one and how long the last finished one took (-1: none).
  uint64_t runs_succeeded = 0;
  uint64_t runs_failed = 0;
  int64_t last_success_ms = -1;
  int64_t last_duration_ms = -1;
};

// One run of a task.
struct RunInfo {
  int64_t id = 0;
  std::string task;
  std::string trigger;      // "schedule", "manual", "catch-up", "retry", "reboot"
  int64_t started_ms = 0;
  int64_t ended_ms = -1;    // -1 while running or when interrupted
  int exit_code = -1;       // -1 when it did not exit normally
  int signal = 0;           // the signal that ended it, 0 if none
  bool timed_out = false;
  bool interrupted = false; // vigild stopped while it ran
  std::string result;       // as TaskInfo::last_result
  std::string output_tail;  // last lines of output
  std::string output_problem;  // why its output was not kept (then GET /v1/runs/ID/output fails); "" if it was
  int64_t deferred_ms = 0;     // how long it waited for an idle machine (when_idle) before it started
};

// Who asks for a run: a person (the API, the CLI: trigger "manual") or a health check's
// `run` action (trigger "check").
enum class RunBy { kPerson, kCheck };

class TaskController {
 public:
  virtual ~TaskController() = default;
  virtual std::vector<TaskInfo> ListTasks() = 0;
  virtual base::Result<TaskInfo> GetTask(const std::string& name) = 0;  // NotFound if unknown
  // Starts a run now (trigger "manual", or "check" when `by` a check), following the
  // task's overlap policy (Conflict when "skip" and a run is going). wait = false: `done`
  // gets the new run at once; wait = true: `done` gets it when it has ended.
  virtual void RunTask(const std::string& name, RunBy by, bool wait,
                       std::function<void(base::Result<RunInfo>)> done) = 0;
  virtual base::Result<TaskInfo> SetTaskEnabled(const std::string& name, bool enabled) = 0;
  // Newest first; task "" = all tasks. NotFound for an unknown task name.
  virtual base::Result<std::vector<RunInfo>> ListRuns(const std::string& task, int limit) = 0;
  // The kept output of one run (its end, bounded by output_max_size). NotFound if unknown;
  // IoError when the run's output could not be kept (the reason says why).
  virtual base::Result<std::string> RunOutput(int64_t run_id) = 0;
};

}  // namespace vigil::api
