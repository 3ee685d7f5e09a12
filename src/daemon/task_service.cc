// SPDX-License-Identifier: MIT
// TaskService: scheduled tasks wired to the supervisor, the history and the event log.
#include "daemon/task_service.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <unordered_map>

#include <fmt/format.h>

#include "base/units.h"

namespace vigil::daemon {
namespace {

namespace fs = std::filesystem;

// Output files kept per task; older runs' output goes first.
constexpr size_t kOutputsKeptPerTask = 50;
constexpr size_t kTailLines = 10;

int64_t UnixMs(base::WallTime t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

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

std::string_view ActionName(config::TaskAction a) {
  switch (a) {
    case config::TaskAction::kCommand: return "command";
    case config::TaskAction::kRestart: return "restart";
    case config::TaskAction::kCleanup: return "cleanup";
    case config::TaskAction::kRotateLogs: return "rotate-logs";
  }
  return "command";
}

tasks::Run FromStore(const store::TaskRun& r) {
  tasks::Run run;
  run.id = r.id;
  run.trigger = r.trigger;
  run.started = r.started;
  run.ended = r.ended;
  run.exit_code = r.exit_code;
  run.signal = r.signal;
  run.timed_out = r.timed_out;
  run.interrupted = r.interrupted;
  run.output = r.output_tail;
  return run;
}

}  // namespace

api::RunInfo ToRunInfo(const std::string& task, const tasks::Run& run) {
  api::RunInfo info;
  info.id = run.id;
  info.task = task;
  info.trigger = run.trigger;
  info.started_ms = UnixMs(run.started);
  info.ended_ms = run.ended ? UnixMs(*run.ended) : -1;
  info.exit_code = run.exit_code.value_or(-1);
  info.signal = run.signal.value_or(0);
  info.timed_out = run.timed_out;
  info.interrupted = run.interrupted;
  info.result = run.Result();
  info.output_tail = LastLines(run.output, kTailLines);
  return info;
}

TaskService::TaskService(event::Loop& loop, event::ChildReaper& reaper, supervise::Supervisor& supervisor,
                         History& history, EventLog& event_log, fs::path runs_dir)
    : supervisor_(supervisor),
      history_(history),
      event_log_(event_log),
      runs_dir_(std::move(runs_dir)),
      clock_(loop),
      scheduler_(loop, clock_, reaper, *this) {}

base::Result<tasks::TaskReload> TaskService::Apply(const std::vector<config::TaskSpec>& specs) {
  auto result = scheduler_.Apply(specs);
  if (!result) return result;
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

api::TaskInfo TaskService::ToInfo(tasks::Task& task) {
  api::TaskInfo info;
  info.name = task.name();
  info.schedule = task.spec().schedule;
  info.timezone = task.spec().timezone;
  info.action = std::string(ActionName(task.spec().action));
  info.enabled = task.enabled();
  info.running = task.running();
  if (auto next = scheduler_.NextRun(task)) info.next_run_ms = UnixMs(*next);
  if (const auto& last = task.last_run()) {
    info.last_run_ms = UnixMs(last->started);
    info.last_result = last->Result();
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

void TaskService::RunTask(const std::string& name, bool wait, std::function<void(base::Result<api::RunInfo>)> done) {
  tasks::Task* t = scheduler_.Find(name);
  if (!t) return done(base::Status::NotFound("unknown task: " + name));
  std::function<void(const tasks::Run&)> on_done;
  if (wait) on_done = [name, done](const tasks::Run& run) { done(ToRunInfo(name, run)); };
  auto id = t->Trigger("manual", on_done);
  if (!id) return done(id.error());
  if (wait) return;  // `done` follows when the run ends
  api::RunInfo info;
  info.task = name;
  info.trigger = "manual";
  info.id = *id;
  info.result = *id == 0 ? "queued" : "running";
  if (*id != 0 && t->last_run() && t->last_run()->id == *id) info = ToRunInfo(name, *t->last_run());
  done(info);
}

base::Result<api::TaskInfo> TaskService::SetTaskEnabled(const std::string& name, bool enabled) {
  tasks::Task* t = scheduler_.Find(name);
  if (!t) return base::Status::NotFound("unknown task: " + name);
  scheduler_.SetEnabled(*t, enabled);
  if (store::Store* store = history_.store()) store->SetTaskEnabled(name, enabled);
  event_log_.Write(name, enabled ? "enabled" : "disabled", "task");
  return ToInfo(*t);
}

base::Result<std::vector<api::RunInfo>> TaskService::ListRuns(const std::string& task, int limit) {
  if (!task.empty() && !scheduler_.Find(task)) return base::Status::NotFound("unknown task: " + task);
  std::vector<api::RunInfo> out;
  store::Store* store = history_.store();
  if (!store) {
    // Without a database only the last run of each task is known.
    for (tasks::Task* t : scheduler_.tasks())
      if ((task.empty() || t->name() == task) && t->last_run()) out.push_back(ToRunInfo(t->name(), *t->last_run()));
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
    out.push_back(ToRunInfo(r.task, fresher != last_runs.end() ? *fresher->second->last_run() : FromStore(r)));
    newest_read = std::max(newest_read, r.id);
  }
  // A last run newer than every run read back is not written yet (an older one missing
  // from the answer was cut by the limit or pruned).
  for (const auto& [id, t] : last_runs)
    if (id > newest_read) out.push_back(ToRunInfo(t->name(), *t->last_run()));
  std::stable_sort(out.begin(), out.end(), [](const api::RunInfo& a, const api::RunInfo& b) { return a.id > b.id; });
  if (limit > 0 && out.size() > static_cast<size_t>(limit)) out.resize(static_cast<size_t>(limit));
  return out;
}

base::Result<std::string> TaskService::RunOutput(int64_t run_id) {
  std::error_code ec;
  for (const auto& dir : fs::directory_iterator(runs_dir_, ec)) {
    fs::path file = dir.path() / (std::to_string(run_id) + ".log");
    if (!fs::exists(file, ec)) continue;
    std::ifstream in(file, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  for (tasks::Task* t : scheduler_.tasks())
    if (t->running() && t->last_run() && t->last_run()->id == run_id) return t->last_run()->output;
  return base::Status::NotFound("unknown run: " + std::to_string(run_id));
}

int64_t TaskService::NewRunId(tasks::Task& task, const tasks::Run& run) {
  int64_t id = history_.store() ? history_.store()->BeginRun(task.name(), run.trigger, run.started)
                                : next_local_run_id_++;
  event_log_.Write(task.name(), fmt::format("run {} started ({})", id, run.trigger), "task_run");
  return id;
}

void TaskService::OnRunFinished(tasks::Task& task, const tasks::Run& run) {
  auto took = std::chrono::duration_cast<base::Duration>(*run.ended - run.started);
  event_log_.Write(task.name(),
                   fmt::format("run {} ({}) ended: {} after {}", run.id, run.trigger, run.Result(),
                               base::FormatDuration(took)),
                   "task_run", fmt::format(R"({{"run":{},"result":"{}"}})", run.id, run.Result()));
  if (store::Store* store = history_.store()) {
    store::TaskRun r;
    r.id = run.id;
    r.task = task.name();
    r.trigger = run.trigger;
    r.started = run.started;
    r.ended = run.ended;
    r.exit_code = run.exit_code;
    r.signal = run.signal;
    r.timed_out = run.timed_out;
    r.output_tail = LastLines(run.output, kTailLines);
    store->EndRun(r);
  }
  KeepOutput(task, run);
}

void TaskService::KeepOutput(const tasks::Task& task, const tasks::Run& run) {
  fs::path dir = runs_dir_ / task.name();
  std::error_code ec;
  fs::create_directories(dir, ec);
  std::ofstream(dir / (std::to_string(run.id) + ".log"), std::ios::binary | std::ios::trunc) << run.output;
  std::vector<std::pair<int64_t, fs::path>> files;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string stem = e.path().stem().string();
    if (e.path().extension() == ".log" && !stem.empty() && std::all_of(stem.begin(), stem.end(), ::isdigit))
      files.emplace_back(std::stoll(stem), e.path());
  }
  if (files.size() <= kOutputsKeptPerTask) return;
  std::sort(files.begin(), files.end());
  for (size_t i = 0; i + kOutputsKeptPerTask < files.size(); ++i) fs::remove(files[i].second, ec);
}

void TaskService::OnTaskNote(tasks::Task& task, const std::string& message) {
  event_log_.Write(task.name(), message, "task");
}

base::Status TaskService::RestartPrograms(const std::vector<std::string>& programs) {
  auto resolved = supervisor_.Resolve(programs);
  if (!resolved) return resolved.error();
  for (supervise::Program* p : *resolved) supervisor_.Restart(*p);
  return base::Status::Ok();
}

void TaskService::RotateLogs() {
  for (supervise::Program* p : supervisor_.programs()) {
    p->stdout_log().RotateNow();
    if (&p->stderr_log() != &p->stdout_log()) p->stderr_log().RotateNow();
  }
  event_log_.file().RotateNow();
}

}  // namespace vigil::daemon
