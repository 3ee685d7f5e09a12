// SPDX-License-Identifier: MIT
// Scheduler: a set ordered by next fire time and a single timer for its first entry.
#include "tasks/scheduler.h"

#include <algorithm>
#include <tuple>

namespace vigil::tasks {

Scheduler::Scheduler(event::Loop& loop, event::Clock& clock, process::Launcher& launcher, TaskHost& host)
    : clock_(clock), env_{loop, clock, launcher, host} {}

Scheduler::~Scheduler() = default;

base::Result<TaskReload> Scheduler::Apply(const std::vector<config::TaskSpec>& specs) {
  TaskReload result;
  std::vector<std::unique_ptr<Task>> next;
  // Runs of changed tasks that were waiting for an idle machine: they go on waiting (from
  // when they fell due) in the new task, once the task list is consistent again.
  std::vector<std::tuple<Task*, Trigger, base::WallTime>> waits;
  auto now = clock_.Now();
  for (const auto& spec : specs) {
    auto found = by_name_.find(spec.name);
    auto it = found == by_name_.end() ? tasks_.end() : tasks_.begin() + found->second;
    if (it != tasks_.end() && (*it)->spec() == spec) {
      next.push_back(std::move(*it));
      result.unchanged.push_back(spec.name);
      continue;
    }
    auto schedule = schedule::Schedule::Parse(spec.schedule, spec.timezone);
    if (!schedule) return base::Status::InvalidArgument("task." + spec.name + ".schedule: " + schedule.error().message());
    auto task = std::make_unique<Task>(env_, spec, std::move(schedule).value());
    if (it != tasks_.end()) {
      // A changed task keeps its history, not its schedule slot, and the user's enable or
      // disable unless the change is to `enabled` itself (then the config says it anew).
      if ((*it)->last_run()) task->set_last_run(*(*it)->last_run());
      if ((*it)->spec().enabled == spec.enabled) task->set_enabled((*it)->enabled());
      else result.enabled_changed.push_back(spec.name);
      if (auto since = (*it)->waiting_since()) waits.emplace_back(task.get(), (*it)->waiting_trigger(), *since);
      Unschedule(**it);
      it->reset();
      result.changed.push_back(spec.name);
    } else {
      result.added.push_back(spec.name);
    }
    next.push_back(std::move(task));
  }
  for (auto& t : tasks_) {
    if (!t) continue;
    result.removed.push_back(t->name());
    Unschedule(*t);
  }
  tasks_ = std::move(next);
  by_name_.clear();
  for (size_t i = 0; i < tasks_.size(); ++i) by_name_.emplace(tasks_[i]->name(), i);
  for (auto& t : tasks_)
    if (!next_.count(t.get())) Schedule(*t, now);
  Arm();
  for (auto& [task, trigger, since] : waits) task->ResumeWait(trigger, since);
  return result;
}

void Scheduler::StartUp(const std::function<std::optional<base::WallTime>(const std::string&)>& last_start) {
  auto now = clock_.Now();
  for (auto& t : tasks_) {
    if (!t->enabled()) continue;
    if (t->schedule().at_reboot()) {
      auto ignored = t->Start(Trigger::kReboot);
      (void)ignored;
      continue;
    }
    if (!t->spec().catch_up) continue;
    std::optional<base::WallTime> last = last_start(t->name());
    if (!last) continue;  // never ran: nothing was missed yet
    std::optional<base::WallTime> missed = t->schedule().NextAfter(*last);
    if (missed && *missed <= now) {
      auto ignored = t->Start(Trigger::kCatchUp);
      (void)ignored;
    }
  }
}

Task* Scheduler::Find(const std::string& name) {
  auto found = by_name_.find(name);
  return found == by_name_.end() ? nullptr : tasks_[found->second].get();
}

std::vector<Task*> Scheduler::tasks() {
  std::vector<Task*> out;
  for (auto& t : tasks_) out.push_back(t.get());
  return out;
}

std::optional<base::WallTime> Scheduler::NextRun(const Task& task) const {
  auto it = next_.find(&task);
  if (it == next_.end()) return std::nullopt;
  return it->second;
}

void Scheduler::SetEnabled(Task& task, bool enabled) {
  task.set_enabled(enabled);
  Unschedule(task);
  if (enabled) Schedule(task, clock_.Now());
  Arm();
}

void Scheduler::Schedule(Task& task, base::WallTime after) {
  if (!task.enabled()) return;
  std::optional<base::WallTime> when = task.schedule().NextAfter(after);
  if (!when) return;
  next_[&task] = *when;
  due_.emplace(*when, &task);
}

void Scheduler::Unschedule(Task& task) {
  auto it = next_.find(&task);
  if (it == next_.end()) return;
  due_.erase({it->second, &task});
  next_.erase(it);
}

void Scheduler::Arm() {
  if (due_.empty()) {
    timer_.reset();
    return;
  }
  // Rounded up: a run never starts before its time (a "daily 00:00" run that started at
  // 23:59:59.999 would see yesterday's date).
  auto delay = std::chrono::ceil<base::Duration>(due_.begin()->first - clock_.Now());
  timer_ = clock_.AddTimer(std::max(delay, base::Duration(0)), [this] { OnTimer(); });
}

void Scheduler::OnTimer() {
  timer_.reset();
  auto now = clock_.Now();
  // Collect first: triggering may start processes and change nothing here, but keeping
  // the set untouched while iterating is simpler to reason about.
  std::vector<std::pair<base::WallTime, Task*>> fired;
  // The timer runs on the steady clock; if the wall clock lags it a little, nothing is due
  // yet and Arm() below waits the rest.
  while (!due_.empty() && due_.begin()->first <= now) {
    fired.push_back(*due_.begin());
    next_.erase(due_.begin()->second);
    due_.erase(due_.begin());
  }
  for (auto& [when, task] : fired) {
    auto ignored = task->Start(Trigger::kSchedule);
    (void)ignored;
    // The next slot strictly after this one, so a run never fires twice for one slot.
    Schedule(*task, std::max(when, now));
  }
  Arm();
}

}  // namespace vigil::tasks
