// SPDX-License-Identifier: MIT
// tasks::Scheduler: all [task.*] of the config and when each runs next. One timer, armed
// for the earliest due task, so vigild wakes only when something is due (no tick), however
// many tasks are configured. Handles @reboot and catch-up at start-up, and reload. Time
// (now, and the timer) comes from an event::Clock, so tests can drive it.
// Thread rule: loop thread only.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "tasks/task.h"

namespace vigil::tasks {

struct TaskReload {
  std::vector<std::string> added, removed, changed, unchanged;
  std::vector<std::string> enabled_changed;  // changed tasks whose `enabled` key changed
};

class Scheduler {
 public:
  // `clock` must outlive the Scheduler; `loop` carries the runs' I/O.
  Scheduler(event::Loop& loop, event::Clock& clock, process::Launcher& launcher, TaskHost& host);
  ~Scheduler();

  // Applies the config's tasks: new ones are added, removed ones dropped (a run still
  // going is killed), changed ones replaced; unchanged ones keep their state. Schedules
  // must parse (the config loader already checked them).
  base::Result<TaskReload> Apply(const std::vector<config::TaskSpec>& specs);

  // Once, after the first Apply at vigild start: runs @reboot tasks, and a catch-up run of
  // every catch_up task whose schedule had a fire time between its last run and now.
  // `last_start` gives the start of a task's last run as recorded (nullopt if never).
  void StartUp(const std::function<std::optional<base::WallTime>(const std::string&)>& last_start);

  Task* Find(const std::string& name);
  std::vector<Task*> tasks();
  std::optional<base::WallTime> NextRun(const Task& task) const;
  // Enables or disables a task and reschedules it.
  void SetEnabled(Task& task, bool enabled);

 private:
  void Schedule(Task& task, base::WallTime after);
  void Unschedule(Task& task);
  void Arm();
  void OnTimer();

  event::Clock& clock_;
  TaskEnv env_;
  std::vector<std::unique_ptr<Task>> tasks_;  // config order
  // Index into tasks_ by name, so that a reload of 10,000 tasks is not quadratic.
  std::unordered_map<std::string, size_t> by_name_;
  std::set<std::pair<base::WallTime, Task*>> due_;
  std::unordered_map<const Task*, base::WallTime> next_;
  event::HandlePtr timer_;
};

}  // namespace vigil::tasks
