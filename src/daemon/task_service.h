// SPDX-License-Identifier: MIT
// daemon::TaskService: scheduled tasks inside vigild. Owns the Scheduler, hosts its runs
// (run ids and records in the history, output files under state_dir/runs/TASK/ID.log, the
// built-in actions), and answers the API's task questions (api::TaskController).
// Run output files are never overwritten: ids continue above every kept file, and a file
// that exists anyway is left alone and the run's output reported as not kept.
// Thread rule: loop thread only.
#pragma once

#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "api/task_controller.h"
#include "daemon/event_log.h"
#include "daemon/findings.h"
#include "daemon/history.h"
#include "daemon/program_service.h"
#include "metrics/proc_root.h"
#include "tasks/scheduler.h"

namespace vigil::daemon {

class TaskService final : public api::TaskController, private tasks::TaskHost {
 public:
  TaskService(event::Loop& loop, event::Clock& clock, process::Launcher& launcher, ProgramService& programs,
              History& history, EventLog& event_log, std::filesystem::path runs_dir);

  base::Result<tasks::TaskReload> Apply(const std::vector<config::TaskSpec>& specs);
  // Once at start-up, after the first Apply: @reboot and catch-up runs.
  void StartUp();
  // "run output is not being kept: ...", or "" when the last run's output was kept.
  std::string problem() const { return output_problem_; }
  // Where a program going FATAL (a failed task run) is journalled; null: nowhere.
  void SetFindings(FindingJournal* findings) { findings_ = findings; }
  // Told of each run when it starts and when it ends (the live stream).
  void SetRunListener(std::function<void(const api::RunInfo&)> fn) { run_listener_ = std::move(fn); }
  // Where when_idle reads the machine's figures (VIGIL_PROC_ROOT in tests); "/proc" if unset.
  void SetProcRoot(metrics::ProcRoot proc) { proc_ = std::move(proc); }
  // What the `report` action runs (ReportService::RunTask); unset: reports are unavailable.
  void SetReporter(std::function<base::Result<std::string>(base::Duration period)> reporter) {
    reporter_ = std::move(reporter);
  }

  // api::TaskController
  std::vector<api::TaskInfo> ListTasks() override;
  base::Result<api::TaskInfo> GetTask(const std::string& name) override;
  void RunTask(const std::string& name, api::RunBy by, bool wait,
               std::function<void(base::Result<api::RunInfo>)> done) override;
  base::Result<api::TaskInfo> SetTaskEnabled(const std::string& name, bool enabled) override;
  base::Result<std::vector<api::RunInfo>> ListRuns(const std::string& task, int limit) override;
  base::Result<std::string> RunOutput(int64_t run_id) override;

 private:
  // tasks::TaskHost
  int64_t NewRunId(tasks::Task& task, const tasks::Run& run) override;
  void OnRunFinished(tasks::Task& task, const tasks::Run& run) override;
  void OnTaskNote(tasks::Task& task, const std::string& message) override;
  base::Result<std::string> RestartPrograms(const std::vector<std::string>& programs) override;
  void RotateLogs() override;
  std::unique_ptr<tasks::IdleMeter> NewIdleMeter() override;
  void OnIdleSkip(tasks::Task& task, const std::string& message) override;
  base::Result<std::string> WriteReport(base::Duration period) override;

  api::TaskInfo ToInfo(tasks::Task& task);
  // ToRunInfo(), and why its output was not kept if it was not.
  api::RunInfo Describe(const std::string& task, const tasks::Run& run) const;
  // Writes the run's output to runs_dir/TASK/ID.log (never over an existing file) and
  // prunes old ones; on failure records why, for RunOutput() and problem().
  void KeepOutput(const tasks::Task& task, const tasks::Run& run);
  void OutputNotKept(const tasks::Task& task, int64_t run_id, std::string why);

  ProgramService& programs_;
  History& history_;
  FindingJournal* findings_ = nullptr;
  std::function<void(const api::RunInfo&)> run_listener_;
  std::function<base::Result<std::string>(base::Duration)> reporter_;
  EventLog& event_log_;
  std::filesystem::path runs_dir_;
  metrics::ProcRoot proc_;
  tasks::Scheduler scheduler_;
  int64_t next_local_run_id_ = 1;  // used only when there is no history database
  // Why the output of recent runs was not kept, by run id; the oldest are forgotten.
  std::unordered_map<int64_t, std::string> unkept_;
  std::deque<int64_t> unkept_order_;
  // What each task's runs came to since vigild started (TaskInfo's counters), by task name.
  struct Tally {
    uint64_t succeeded = 0;
    uint64_t failed = 0;
    int64_t last_success_ms = -1;
    int64_t last_duration_ms = -1;
  };
  std::unordered_map<std::string, Tally> tallies_;
  std::string output_problem_;
};

// A run record as the API shows it.
api::RunInfo ToRunInfo(const std::string& task, const tasks::Run& run);

}  // namespace vigil::daemon
