// SPDX-License-Identifier: MIT
// TaskService: scheduled tasks wired to the programs, the history and the event log.
#include "daemon/task_service.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <optional>

#include <fmt/format.h>

#include "base/file_util.h"
#include "base/unique_fd.h"
#include "base/units.h"
#include "daemon/idle_meter.h"

namespace vigil::daemon {
namespace {

namespace fs = std::filesystem;

// Output files kept per task; older runs' output goes first.
constexpr size_t kOutputsKeptPerTask = 50;
constexpr size_t kTailLines = 10;
// Reasons remembered for runs whose output was not kept.
constexpr size_t kUnkeptRemembered = 1000;
// A kept output file is at most its task's output_max_size; anything larger in its place
// is not ours, and is not read whole into a reply.
constexpr uint64_t kMaxOutputFileBytes = 64 << 20;


// The last `n` lines of `text` (a trailing newline does not start an empty line).
std::string LastLines(const std::string& text, size_t n) {
  if (n == 0 || text.empty()) return "";
  size_t pos = text.size();
  if (text[pos - 1] == '\n') --pos;
  size_t count = 0;
  while (pos > 0) {
    size_t nl = text.rfind('\n', pos - 1);
    if (nl == std::string::npos) {
      pos = 0;
      break;
    }
    if (++count == n) {
      pos = nl + 1;
      break;
    }
    pos = nl;
  }
  return text.substr(pos);
}

// Run ids stay below this (18 digits), as the API's ids do: a file named with a larger one
// is not a run's, and taking it would leave no room for the ids after it.
constexpr int64_t kRunIdLimit = 1'000'000'000'000'000'000;

// The run id of a kept output file's name, "123.log"; nullopt for anything else, which
// is not ours to read or to count ids from.
std::optional<int64_t> RunIdOfFile(const fs::path& file) {
  if (file.extension() != ".log") return std::nullopt;
  const std::string stem = file.stem().string();
  int64_t id = 0;
  auto [end, ec] = std::from_chars(stem.data(), stem.data() + stem.size(), id);
  if (ec != std::errc() || end != stem.data() + stem.size() || id <= 0 || id >= kRunIdLimit) return std::nullopt;
  return id;
}

// The highest run id of a kept output file under `runs_dir` (0 if none). Errors only
// mean fewer files are seen; ids then still come from the history.
int64_t HighestKeptRunId(const fs::path& runs_dir) {
  int64_t highest = 0;
  std::error_code ec;
  for (fs::directory_iterator task(runs_dir, ec), end; !ec && task != end; task.increment(ec)) {
    std::error_code inner;
    for (fs::directory_iterator file(task->path(), inner); !inner && file != end; file.increment(inner)) {
      if (auto id = RunIdOfFile(file->path())) highest = std::max(highest, *id);
    }
  }
  return highest;
}

tasks::Run FromStore(const store::TaskRun& r) {
  tasks::Run run;
  run.id = r.id;
  run.trigger = tasks::ParseTrigger(r.trigger).value_or(tasks::Trigger::kSchedule);
  run.started = r.started;
  run.ended = r.ended;
  run.exit_code = r.exit_code;
  run.signal = r.signal;
  run.timed_out = r.timed_out;
  run.interrupted = r.interrupted;
  run.output = r.output_tail;
  run.deferred = r.deferred;
  return run;
}

api::RunInfo StoredRunInfo(const store::TaskRun& r) {
  api::RunInfo info = ToRunInfo(r.task, FromStore(r));
  info.trigger = r.trigger;  // as recorded, even a word this build does not know
  return info;
}

// Writes all of `data`; false (errno set) on failure.
bool WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (n == 0) errno = ENOSPC;
      return false;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

}  // namespace

api::RunInfo ToRunInfo(const std::string& task, const tasks::Run& run) {
  api::RunInfo info;
  info.id = run.id;
  info.task = task;
  info.trigger = std::string(tasks::TriggerName(run.trigger));
  info.started_ms = base::UnixMs(run.started);
  info.ended_ms = run.ended ? base::UnixMs(*run.ended) : -1;
  info.exit_code = run.exit_code.value_or(-1);
  info.signal = run.signal.value_or(0);
  info.timed_out = run.timed_out;
  info.interrupted = run.interrupted;
  info.result = run.Result();
  info.output_tail = LastLines(run.output, kTailLines);
  info.deferred_ms = run.deferred.count();
  return info;
}

TaskService::TaskService(event::Loop& loop, event::Clock& clock, process::Launcher& launcher,
                         ProgramService& programs, History& history, EventLog& event_log, fs::path runs_dir)
    : programs_(programs),
      history_(history),
      event_log_(event_log),
      runs_dir_(std::move(runs_dir)),
      scheduler_(loop, clock, launcher, *this) {
  // New run ids continue above every kept output file, whether or not the history knows
  // them (it may be new, lost or older than the files), so no run's output is overwritten.
  const int64_t highest = HighestKeptRunId(runs_dir_);
  if (store::Store* store = history_.store()) store->SkipRunIdsThrough(highest);
  next_local_run_id_ = highest + 1;
}

base::Result<tasks::TaskReload> TaskService::Apply(const std::vector<config::TaskSpec>& specs) {
  auto result = scheduler_.Apply(specs);
  if (!result) return result;
  std::erase_if(tallies_, [&](const auto& entry) { return scheduler_.Find(entry.first) == nullptr; });
  store::Store* store = history_.store();
  // The config changed `enabled`: that replaces the remembered enable/disable.
  if (store) {
    for (const auto& name : result->enabled_changed)
      if (tasks::Task* task = scheduler_.Find(name)) store->SetTaskEnabled(name, task->enabled());
  }
  for (tasks::Task* task : scheduler_.tasks()) {
    if (!store || task->last_run()) continue;
    // What vigild knew before it restarted: the user's enable/disable and the last run.
    if (auto enabled = store->TaskEnabled(task->name()); enabled && enabled->has_value())
      scheduler_.SetEnabled(*task, **enabled);
    if (auto last = store->LastRun(task->name()); last && last->has_value()) task->set_last_run(FromStore(**last));
  }
  return result;
}

void TaskService::StartUp() {
  scheduler_.StartUp([this](const std::string& name) -> std::optional<base::WallTime> {
    store::Store* store = history_.store();
    if (!store) return std::nullopt;
    auto last = store->LastRun(name);
    if (!last || !last->has_value()) return std::nullopt;
    return (*last)->started;
  });
}

api::RunInfo TaskService::Describe(const std::string& task, const tasks::Run& run) const {
  api::RunInfo info = ToRunInfo(task, run);
  if (auto it = unkept_.find(run.id); it != unkept_.end()) info.output_problem = it->second;
  return info;
}

api::TaskInfo TaskService::ToInfo(tasks::Task& task) {
  api::TaskInfo info;
  info.name = task.name();
  info.schedule = task.spec().schedule;
  info.timezone = task.spec().timezone;
  info.action = std::string(config::TaskActionName(task.spec().action));
  info.enabled = task.enabled();
  info.running = task.running();
  if (auto next = scheduler_.NextRun(task)) info.next_run_ms = base::UnixMs(*next);
  if (const auto& last = task.last_run()) {
    info.last_run_ms = base::UnixMs(last->started);
    info.last_result = last->Result();
  }
  if (auto since = task.waiting_since()) {
    info.waiting_since_ms = base::UnixMs(*since);
  }
  if (auto it = tallies_.find(task.name()); it != tallies_.end()) {
    info.runs_succeeded = it->second.succeeded;
    info.runs_failed = it->second.failed;
    info.last_success_ms = it->second.last_success_ms;
    info.last_duration_ms = it->second.last_duration_ms;
  }
  return info;
}

std::vector<api::TaskInfo> TaskService::ListTasks() {
  std::vector<api::TaskInfo> out;
  for (tasks::Task* t : scheduler_.tasks()) out.push_back(ToInfo(*t));
  return out;
}

base::Result<api::TaskInfo> TaskService::GetTask(const std::string& name) {
  tasks::Task* t = scheduler_.Find(name);
  if (!t) return base::Status::NotFound("unknown task: " + name);
  return ToInfo(*t);
}

void TaskService::RunTask(const std::string& name, api::RunBy by, bool wait,
                          std::function<void(base::Result<api::RunInfo>)> done) {
  tasks::Task* t = scheduler_.Find(name);
  if (!t) return done(base::Status::NotFound("unknown task: " + name));
  std::function<void(const tasks::Run&)> on_done;
  // Told after the run's output was kept (or not): OnRunFinished comes first.
  if (wait) on_done = [this, name, done](const tasks::Run& run) { done(Describe(name, run)); };
  const tasks::Trigger trigger = by == api::RunBy::kCheck ? tasks::Trigger::kCheck : tasks::Trigger::kManual;
  auto id = t->Start(trigger, on_done);
  if (!id) return done(id.error());
  if (wait) return;  // `done` follows when the run ends
  api::RunInfo info;
  info.task = name;
  info.trigger = std::string(tasks::TriggerName(trigger));
  info.id = *id;
  info.result = *id == 0 ? "queued" : "running";
  if (*id != 0 && t->last_run() && t->last_run()->id == *id) info = Describe(name, *t->last_run());
  done(info);
}

base::Result<api::TaskInfo> TaskService::SetTaskEnabled(const std::string& name, bool enabled) {
  tasks::Task* t = scheduler_.Find(name);
  if (!t) return base::Status::NotFound("unknown task: " + name);
  scheduler_.SetEnabled(*t, enabled);
  if (store::Store* store = history_.store()) store->SetTaskEnabled(name, enabled);
  event_log_.Write(name, enabled ? "enabled" : "disabled", base::EventType::kTask);
  return ToInfo(*t);
}

base::Result<std::vector<api::RunInfo>> TaskService::ListRuns(const std::string& task, int limit) {
  if (!task.empty() && !scheduler_.Find(task)) return base::Status::NotFound("unknown task: " + task);
  std::vector<api::RunInfo> out;
  store::Store* store = history_.store();
  if (!store) {
    // Without a database only the last run of each task is known.
    for (tasks::Task* t : scheduler_.tasks())
      if ((task.empty() || t->name() == task) && t->last_run()) out.push_back(Describe(t->name(), *t->last_run()));
    return out;
  }
  auto runs = store->QueryRuns(task, limit);
  if (!runs) return runs.error();
  // Database writes are queued to the history writer, so each task's last run (going, or
  // just ended) is fresher in memory than in the database, and may not be there yet. One
  // pass over the tasks, not a search per row: there may be 10,000 of them.
  std::unordered_map<int64_t, tasks::Task*> last_runs;
  for (tasks::Task* t : scheduler_.tasks())
    if (t->last_run() && (task.empty() || t->name() == task)) last_runs.emplace(t->last_run()->id, t);
  int64_t newest_read = 0;
  for (const auto& r : *runs) {
    auto fresher = last_runs.find(r.id);
    out.push_back(fresher != last_runs.end() ? ToRunInfo(r.task, *fresher->second->last_run()) : StoredRunInfo(r));
    newest_read = std::max(newest_read, r.id);
  }
  // A last run newer than every run read back is not written yet (an older one missing
  // from the answer was cut by the limit or pruned).
  for (const auto& [id, t] : last_runs)
    if (id > newest_read) out.push_back(ToRunInfo(t->name(), *t->last_run()));
  std::stable_sort(out.begin(), out.end(), [](const api::RunInfo& a, const api::RunInfo& b) { return a.id > b.id; });
  if (limit > 0 && out.size() > static_cast<size_t>(limit)) out.resize(static_cast<size_t>(limit));
  for (api::RunInfo& info : out) {
    if (auto it = unkept_.find(info.id); it != unkept_.end()) info.output_problem = it->second;
  }
  return out;
}

base::Result<std::string> TaskService::RunOutput(int64_t run_id) {
  if (auto it = unkept_.find(run_id); it != unkept_.end()) {
    return base::Status::IoError(fmt::format("the output of run {} was not kept: {}", run_id, it->second));
  }
  const std::string file_name = std::to_string(run_id) + ".log";
  std::error_code ec;
  for (fs::directory_iterator dir(runs_dir_, ec), end; !ec && dir != end; dir.increment(ec)) {
    const fs::path file = dir->path() / file_name;
    std::error_code exists_ec;
    if (!fs::is_regular_file(file, exists_ec)) continue;
    auto text = base::ReadRegularFile(file, kMaxOutputFileBytes, "a run's kept output");
    if (!text) return text.error();
    return std::move(text).value();
  }
  for (tasks::Task* t : scheduler_.tasks())
    if (t->running() && t->last_run() && t->last_run()->id == run_id) return t->last_run()->output;
  return base::Status::NotFound("unknown run: " + std::to_string(run_id));
}

int64_t TaskService::NewRunId(tasks::Task& task, const tasks::Run& run) {
  const std::string trigger(tasks::TriggerName(run.trigger));
  int64_t id = history_.store() ? history_.store()->BeginRun(task.name(), trigger, run.started, run.deferred)
                                : next_local_run_id_++;
  const std::string waited =
      run.deferred.count() > 0 ? ", waited " + base::FormatDuration(run.deferred) + " for an idle machine" : "";
  event_log_.Write(task.name(), fmt::format("run {} started ({}{})", id, trigger, waited), base::EventType::kTaskRun);
  if (run_listener_) {
    tasks::Run started = run;
    started.id = id;
    run_listener_(Describe(task.name(), started));
  }
  return id;
}

void TaskService::OnRunFinished(tasks::Task& task, const tasks::Run& run) {
  auto took = std::chrono::duration_cast<base::Duration>(*run.ended - run.started);
  Tally& tally = tallies_[task.name()];
  tally.last_duration_ms = took.count();
  if (run.Succeeded()) {
    ++tally.succeeded;
    tally.last_success_ms = base::UnixMs(run.started);
  } else {
    ++tally.failed;
  }
  const std::string trigger(tasks::TriggerName(run.trigger));
  event_log_.Write(task.name(),
                   fmt::format("run {} ({}) ended: {} after {}", run.id, trigger, run.Result(),
                               base::FormatDuration(took)),
                   base::EventType::kTaskRun, fmt::format(R"({{"run":{},"result":"{}"}})", run.id, run.Result()));
  if (!run.Succeeded() && findings_ != nullptr) {
    findings_->Record(Severity::kWarn, "task", task.name(),
                      fmt::format("Task {} failed: run {} ({}) ended with {} after {}. See its output: vigil history {}.",
                                  task.name(), run.id, trigger, run.Result(), base::FormatDuration(took), task.name()));
  }
  if (store::Store* store = history_.store()) {
    store::TaskRun r;
    r.id = run.id;
    r.task = task.name();
    r.trigger = trigger;
    r.started = run.started;
    r.ended = run.ended;
    r.exit_code = run.exit_code;
    r.signal = run.signal;
    r.timed_out = run.timed_out;
    r.output_tail = LastLines(run.output, kTailLines);
    r.deferred = run.deferred;
    store->EndRun(r);
  }
  KeepOutput(task, run);
  if (run_listener_) run_listener_(Describe(task.name(), run));
}

void TaskService::KeepOutput(const tasks::Task& task, const tasks::Run& run) {
  const fs::path dir = runs_dir_ / task.name();
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return OutputNotKept(task, run.id, fmt::format("cannot create directory {}: {}", dir.string(), ec.message()));
  const fs::path file = dir / (std::to_string(run.id) + ".log");
  // O_EXCL: a file of that name is an earlier run's output, which is never written over.
  base::UniqueFd fd(::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640));
  if (!fd.valid()) {
    if (errno == EEXIST) {
      return OutputNotKept(task, run.id, fmt::format("{} exists already (an earlier run's output); not overwritten",
                                                     file.string()));
    }
    return OutputNotKept(task, run.id, base::ErrnoStatus("cannot create " + file.string(), errno).message());
  }
  if (!WriteAll(fd.get(), run.output)) {
    base::Status failed = base::ErrnoStatus("cannot write " + file.string(), errno);
    // Half an output would later be served as the whole of it.
    ::unlink(file.c_str());
    return OutputNotKept(task, run.id, failed.message());
  }
  output_problem_.clear();

  std::vector<std::pair<int64_t, fs::path>> files;
  for (fs::directory_iterator e(dir, ec), end; !ec && e != end; e.increment(ec)) {
    if (auto id = RunIdOfFile(e->path())) files.emplace_back(*id, e->path());
  }
  if (files.size() <= kOutputsKeptPerTask) return;
  std::sort(files.begin(), files.end());
  for (size_t i = 0; i + kOutputsKeptPerTask < files.size(); ++i) fs::remove(files[i].second, ec);
}

void TaskService::OutputNotKept(const tasks::Task& task, int64_t run_id, std::string why) {
  event_log_.Write(task.name(), fmt::format("the output of run {} is not kept: {}", run_id, why),
                   base::EventType::kTask);
  output_problem_ = "task run output is not being kept: " + why;
  unkept_[run_id] = std::move(why);
  unkept_order_.push_back(run_id);
  if (unkept_order_.size() > kUnkeptRemembered) {
    unkept_.erase(unkept_order_.front());
    unkept_order_.pop_front();
  }
}

void TaskService::OnTaskNote(tasks::Task& task, const std::string& message) {
  event_log_.Write(task.name(), message, base::EventType::kTask);
}

base::Result<std::string> TaskService::RestartPrograms(const std::vector<std::string>& programs) {
  return programs_.RestartIfWanted(programs);
}

std::unique_ptr<tasks::IdleMeter> TaskService::NewIdleMeter() { return std::make_unique<ProcIdleMeter>(proc_); }

void TaskService::OnIdleSkip(tasks::Task& task, const std::string& message) {
  event_log_.Write(task.name(), message, base::EventType::kTask);
  if (findings_ != nullptr) {
    findings_->Record(Severity::kWarn, "task", task.name(),
                      fmt::format("Task {}: {}. If the machine is rarely this idle, raise cpu_below or load_below, "
                                  "or set max_wait longer.",
                                  task.name(), message));
  }
}

void TaskService::RotateLogs() {
  programs_.RotateLogs();
  event_log_.file().RotateNow();
}

base::Result<std::string> TaskService::WriteReport(base::Duration period) {
  if (!reporter_) return base::Status::Unavailable("health reports are not available");
  return reporter_(period);
}

}  // namespace vigil::daemon
