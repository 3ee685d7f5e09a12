// SPDX-License-Identifier: MIT
// daemon::TaskService: scheduled tasks inside vigild. Owns the Scheduler, hosts its runs
// (run ids and records in the history, output files under state_dir/runs/TASK/ID.log, the
// built-in actions), and answers the API's task questions.
// Thread rule: loop thread only.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "api/controller.h"
#include "daemon/event_log.h"
#include "daemon/history.h"
#include "supervise/supervisor.h"
#include "tasks/scheduler.h"

namespace vigil::daemon {

class TaskService : private tasks::TaskHost {
 public:
  TaskService(event::Loop& loop, event::ChildReaper& reaper, supervise::Supervisor& supervisor, History& history,
              EventLog& event_log, std::filesystem::path runs_dir);

  base::Result<tasks::TaskReload> Apply(const std::vector<config::TaskSpec>& specs);
  // Once at start-up, after the first Apply: @reboot and catch-up runs.
  void StartUp();

  std::vector<api::TaskInfo> ListTasks();
  base::Result<api::TaskInfo> GetTask(const std::string& name);
  void RunTask(const std::string& name, bool wait, std::function<void(base::Result<api::RunInfo>)> done);
  base::Result<api::TaskInfo> SetTaskEnabled(const std::string& name, bool enabled);
  base::Result<std::vector<api::RunInfo>> ListRuns(const std::string& task, int limit);
  base::Result<std::string> RunOutput(int64_t run_id);

 private:
  // tasks::TaskHost
  int64_t NewRunId(tasks::Task& task, const tasks::Run& run) override;
  void OnRunFinished(tasks::Task& task, const tasks::Run& run) override;
  void OnTaskNote(tasks::Task& task, const std::string& message) override;
  base::Status RestartPrograms(const std::vector<std::string>& programs) override;
  void RotateLogs() override;

  api::TaskInfo ToInfo(tasks::Task& task);
  void KeepOutput(const tasks::Task& task, const tasks::Run& run);

  supervise::Supervisor& supervisor_;
  History& history_;
  EventLog& event_log_;
  std::filesystem::path runs_dir_;
  event::LoopClock clock_;
  tasks::Scheduler scheduler_;
  int64_t next_local_run_id_ = 1;  // used only when there is no history database
};

// A run record as the API shows it.
api::RunInfo ToRunInfo(const std::string& task, const tasks::Run& run);

}  // namespace vigil::daemon
