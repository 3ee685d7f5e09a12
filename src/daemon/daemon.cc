// SPDX-License-Identifier: MIT
// Daemon: wiring of every module, signals, and the Controller the API drives.
#include "daemon/daemon.h"

#include <malloc.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "api/controller.h"
#include "api/http_server.h"
#include "config/load.h"
#include "daemon/event_log.h"
#include "daemon/history.h"
#include "daemon/task_service.h"
#include "daemon/waiters.h"
#include "event/loop.h"
#include "logs/compressor.h"
#include "logs/tail.h"
#include "supervise/supervisor.h"

namespace vigil::daemon {
namespace {

int64_t UnixMs(base::WallTime t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

base::Status EnsureDir(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return base::Status::IoError(fmt::format("cannot create directory {}: {}", dir.string(), ec.message()));
  return base::Status::Ok();
}

}  // namespace

class Daemon::Impl : public api::Controller, public supervise::SupervisorObserver {
 public:
  explicit Impl(config::DaemonSpec spec)
      : spec_(std::move(spec)),
        reaper_(loop_),
        event_log_(loop_, spec_.log_dir / "vigild.log", spec_.event_log, &compressor_, true),
        history_(loop_, spec_.state_dir / "vigil.db", spec_.history_retention),
        supervisor_(loop_, reaper_, &compressor_, spec_.log_dir, this),
        waiters_(supervisor_),
        tasks_(loop_, reaper_, supervisor_, history_, event_log_, spec_.state_dir / "runs"),
        server_(loop_, *this,
                [](const std::filesystem::path& path, size_t n) { return logs::TailLines(path, n); }),
        started_at_(std::chrono::system_clock::now()) {
    reaper_.SetAfterReap([this] { supervisor_.AfterReap(); });
    event_log_.SetHistory(&history_);
    // A program the user stopped stays stopped across vigild restarts, until started or
    // until its config changes.
    supervisor_.SetInitialWant([this](const config::ProgramSpec& spec) { return history_.RememberedWant(spec); });
  }

  int Run() {
    // Orphaned grandchildren are re-parented to vigild, so they are reaped and a
    // program's leftovers can be found and stopped.
    ::prctl(PR_SET_CHILD_SUBREAPER, 1);
    std::signal(SIGPIPE, SIG_IGN);

    if (auto s = server_.ListenUnix(spec_.socket); !s.ok()) {
      event_log_.Write("vigild", "cannot start: " + s.message());
      return 1;
    }
    auto signals = loop_.WatchSignals({SIGTERM, SIGINT, SIGHUP, SIGUSR1}, [this](int signo) { OnSignal(signo); });

    event_log_.Write("vigild",
                     fmt::format("vigild {} started (pid {}): config {}, socket {}, logs in {}", VIGIL_VERSION,
                                 ::getpid(), spec_.config_path.string(), spec_.socket.string(),
                                 spec_.log_dir.string()),
                     "daemon");
    if (auto problem = history_.problem(); !problem.empty()) event_log_.Write("vigild", problem, "daemon");
    supervisor_.Apply(spec_.programs);
    if (auto t = tasks_.Apply(spec_.tasks); !t) event_log_.Write("vigild", t.error().message(), "config_error");
    event_log_.Write("vigild",
                     fmt::format("supervising {} programs, {} scheduled tasks", spec_.programs.size(),
                                 spec_.tasks.size()),
                     "daemon");
    tasks_.StartUp();
    // The supervisor holds the specs now; a second copy would cost memory per program.
    std::vector<config::ProgramSpec>().swap(spec_.programs);
    ReleaseFreedMemoryAfterBurst();
    loop_.Run();
    server_.Close();
    event_log_.Write("vigild", "all programs stopped; exiting", "daemon");
    return 0;
  }

  // --- SupervisorObserver ---
  void OnStateChanged(supervise::Program& p, supervise::ProgramState old, const std::string& message) override {
    event_log_.Write(p.name(),
                     fmt::format("{} -> {}{}{}", supervise::StateName(old), supervise::StateName(p.state()),
                                 message.empty() ? "" : ": ", message),
                     "state",
                     fmt::format(R"({{"from":"{}","to":"{}","pid":{}}})", supervise::StateName(old),
                                 supervise::StateName(p.state()), p.pid()));
    waiters_.OnStateChanged();
  }
  void OnNote(const std::string& subject, supervise::NoteKind kind, const std::string& message) override {
    event_log_.Write(subject, message, std::string(supervise::NoteKindName(kind)));
  }
  void OnProcessStarted(supervise::Program& p, pid_t pid) override { history_.ProcessStarted(p.name(), pid); }
  void OnProcessEnded(supervise::Program& p, pid_t pid, const std::string& exit_status) override {
    history_.ProcessEnded(p.name(), pid, exit_status, p.reason());
  }

  // --- api::Controller ---
  api::DaemonInfo Info() override {
    api::DaemonInfo info;
    info.version = VIGIL_VERSION;
    info.pid = ::getpid();
    info.started_at_ms = UnixMs(started_at_);
    info.config_path = spec_.config_path;
    info.socket = spec_.socket;
    info.log_dir = spec_.log_dir;
    info.state_dir = spec_.state_dir;
    if (auto p = event_log_.file().problem(); !p.empty()) info.problems.push_back("vigild.log: " + p);
    if (auto p = history_.problem(); !p.empty()) info.problems.push_back(p);
    for (auto* prog : supervisor_.programs())
      if (auto p = prog->LogProblem(); !p.empty()) info.problems.push_back(prog->name() + ": " + p);
    return info;
  }

  std::vector<api::ProgramInfo> ListPrograms() override {
    std::vector<api::ProgramInfo> out;
    for (auto* p : supervisor_.programs()) out.push_back(ToInfo(*p));
    return out;
  }

  base::Result<api::ProgramInfo> GetProgram(const std::string& name) override {
    supervise::Program* p = supervisor_.Find(name);
    if (!p) return base::Status::NotFound("unknown program: " + name);
    return ToInfo(*p);
  }

  void Start(const std::vector<std::string>& names, bool wait, api::DoneFn done) override {
    Act(names, wait, std::move(done), Waiters::Goal::kUp, [this](supervise::Program& p) { supervisor_.Start(p); });
  }
  void Stop(const std::vector<std::string>& names, bool wait, api::DoneFn done) override {
    Act(names, wait, std::move(done), Waiters::Goal::kDown, [this](supervise::Program& p) { supervisor_.Stop(p); });
  }
  void Restart(const std::vector<std::string>& names, bool wait, api::DoneFn done) override {
    Act(names, wait, std::move(done), Waiters::Goal::kUp, [this](supervise::Program& p) { supervisor_.Restart(p); });
  }

  base::Status Signal(const std::vector<std::string>& names, int signo) override {
    auto programs = supervisor_.Resolve(names);
    if (!programs) return programs.error();
    for (auto* p : *programs) {
      if (auto s = p->Signal(signo); !s.ok()) return s;
    }
    return base::Status::Ok();
  }

  base::Result<api::ReloadSummary> Reload() override {
    auto spec = config::LoadConfig(spec_.config_path);
    if (!spec) {
      event_log_.Write("vigild", "reload rejected, nothing changed: " + spec.error().message(), "config_error");
      return base::Status::InvalidArgument(spec.error().message());
    }
    if (spec->log_dir != spec_.log_dir || spec->socket != spec_.socket || spec->state_dir != spec_.state_dir) {
      event_log_.Write("vigild", "[vigil] paths changed; they take effect when vigild restarts");
    }
    auto result = supervisor_.Apply(spec->programs);
    ReleaseFreedMemoryAfterBurst();
    api::ReloadSummary summary{{result.added, result.removed, result.changed, result.unchanged}, {}};
    std::string task_summary;
    if (auto t = tasks_.Apply(spec->tasks); t) {
      task_summary = fmt::format("; tasks: {} added, {} removed, {} changed, {} unchanged", t->added.size(),
                                 t->removed.size(), t->changed.size(), t->unchanged.size());
      summary.tasks = {t->added, t->removed, t->changed, t->unchanged};
    } else {
      task_summary = "; tasks not reloaded: " + t.error().message();
    }
    event_log_.Write("vigild",
                     fmt::format("reloaded {}: {} added, {} removed, {} changed, {} unchanged{}",
                                 spec_.config_path.string(), result.added.size(), result.removed.size(),
                                 result.changed.size(), result.unchanged.size(), task_summary),
                     "reload");
    return summary;
  }

  void Shutdown() override {
    if (supervisor_.shutting_down()) return;
    event_log_.Write("vigild", "shutting down: stopping all programs", "daemon");
    supervisor_.Shutdown([this] { loop_.Stop(); });
  }

  base::Result<std::filesystem::path> LogPath(const std::string& name, api::Stream stream) override {
    supervise::Program* p = supervisor_.Find(name);
    if (!p) return base::Status::NotFound("unknown program: " + name);
    return stream == api::Stream::kStdout ? p->stdout_log().path() : p->stderr_log().path();
  }

  base::Result<event::HandlePtr> FollowLog(const std::string& name, api::Stream stream,
                                           std::function<void(std::string_view)> on_data) override {
    supervise::Program* p = supervisor_.Find(name);
    if (!p) return base::Status::NotFound("unknown program: " + name);
    auto& log = stream == api::Stream::kStdout ? p->stdout_log() : p->stderr_log();
    return log.Subscribe(std::move(on_data));
  }

  // --- tasks and history ---
  std::vector<api::TaskInfo> ListTasks() override { return tasks_.ListTasks(); }
  base::Result<api::TaskInfo> GetTask(const std::string& name) override { return tasks_.GetTask(name); }
  void RunTask(const std::string& name, bool wait, std::function<void(base::Result<api::RunInfo>)> done) override {
    tasks_.RunTask(name, wait, std::move(done));
  }
  base::Result<api::TaskInfo> SetTaskEnabled(const std::string& name, bool enabled) override {
    return tasks_.SetTaskEnabled(name, enabled);
  }
  base::Result<std::vector<api::RunInfo>> ListRuns(const std::string& task, int limit) override {
    return tasks_.ListRuns(task, limit);
  }
  base::Result<std::string> RunOutput(int64_t run_id) override { return tasks_.RunOutput(run_id); }
  base::Result<std::vector<api::EventInfo>> ListEvents(const api::EventQuery& q) override {
    store::Store* store = history_.store();
    if (!store) return base::Status::Unavailable(history_.problem());
    store::EventFilter filter;
    if (q.since_ms > 0) filter.since = base::WallTime(std::chrono::milliseconds(q.since_ms));
    filter.subject = q.subject;
    filter.type = q.type;
    filter.before_id = q.before_id;
    filter.limit = q.limit;
    auto events = store->QueryEvents(filter);
    if (!events) return events.error();
    std::vector<api::EventInfo> out;
    for (const auto& e : *events)
      out.push_back({e.id, UnixMs(e.time), e.type, e.subject, e.message, e.details});
    return out;
  }

 private:
  void OnSignal(int signo) {
    switch (signo) {
      case SIGTERM:
      case SIGINT:
        event_log_.Write("vigild", fmt::format("received {}", signo == SIGTERM ? "SIGTERM" : "SIGINT"));
        Shutdown();
        break;
      case SIGHUP: {
        event_log_.Write("vigild", "received SIGHUP: reloading the config");
        auto ignored = Reload();  // the outcome is in the event log
        (void)ignored;
        break;
      }
      case SIGUSR1:
        event_log_.Write("vigild", "received SIGUSR1: reopening log files");
        event_log_.file().Reopen();
        supervisor_.ReopenLogs();
        break;
    }
  }

  // Starting many programs leaves freed transient memory (environments, argv, parse trees)
  // scattered in the heap; glibc only returns its top. Once the supervisor has acted on a
  // config (its reconcile is already queued, so this runs after it), give the rest back, so
  // that idle memory is what the programs need, not what starting them needed.
  void ReleaseFreedMemoryAfterBurst() {
    loop_.Post([] { ::malloc_trim(0); });
  }

  void Act(const std::vector<std::string>& names, bool wait, api::DoneFn done, Waiters::Goal goal,
           const std::function<void(supervise::Program&)>& action) {
    if (supervisor_.shutting_down()) return done(base::Status::Conflict("vigild is shutting down"));
    auto programs = supervisor_.Resolve(names);
    if (!programs) return done(programs.error());
    std::vector<std::pair<supervise::Program*, bool>> before;
    for (auto* p : supervisor_.programs()) before.emplace_back(p, supervisor_.WantsUp(*p));
    for (auto* p : *programs) action(*p);
    // Remember the user's choice for the programs named and any the action cascaded to
    // (dependencies started, dependents stopped).
    for (auto [p, wanted] : before) {
      bool named = std::find(programs->begin(), programs->end(), p) != programs->end();
      if (named || supervisor_.WantsUp(*p) != wanted) history_.SetWant(p->spec(), supervisor_.WantsUp(*p));
    }
    if (!wait) return done(base::Status::Ok());
    std::vector<std::string> resolved;
    for (auto* p : *programs) resolved.push_back(p->name());
    waiters_.Add(std::move(resolved), goal, std::move(done));
  }

  api::ProgramInfo ToInfo(supervise::Program& p) {
    api::ProgramInfo info;
    info.name = p.name();
    info.state = std::string(supervise::StateName(p.state()));
    info.want = supervisor_.WantsUp(p) ? "up" : "down";
    info.pid = p.pid();
    if (auto up = p.uptime()) info.uptime_ms = up->count();
    info.state_since_ms = UnixMs(p.state_since());
    info.restarts = p.restarts();
    info.last_exit = p.last_exit();
    info.reason = p.reason();
    if (auto problem = p.LogProblem(); !problem.empty())
      info.reason += (info.reason.empty() ? "" : "; ") + problem;
    info.stdout_log = p.stdout_log().path();
    info.stderr_log = p.stderr_log().path();
    return info;
  }

  config::DaemonSpec spec_;
  event::Loop loop_;
  event::ChildReaper reaper_;
  logs::Compressor compressor_;
  EventLog event_log_;
  History history_;
  supervise::Supervisor supervisor_;
  Waiters waiters_;
  TaskService tasks_;
  api::HttpServer server_;
  base::WallTime started_at_;
};

Daemon::Daemon(config::DaemonSpec spec) {
  // A missing log dir is not fatal: LogFile keeps retrying and status reports the problem.
  for (const auto& dir : {spec.log_dir, spec.state_dir}) {
    if (auto s = EnsureDir(dir); !s.ok()) std::fprintf(stderr, "vigild: %s\n", s.message().c_str());
  }
  impl_ = std::make_unique<Impl>(std::move(spec));
}
Daemon::~Daemon() = default;
int Daemon::Run() { return impl_->Run(); }

}  // namespace vigil::daemon
