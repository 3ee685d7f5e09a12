// SPDX-License-Identifier: MIT
// Daemon: wiring of every module, signals, and the Controller the API drives.
#include "daemon/daemon.h"

#include <malloc.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <map>

#include <fmt/format.h>

#include "api/controller.h"
#include "api/http_server.h"
#include "config/load.h"
#include "daemon/event_log.h"
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
        supervisor_(loop_, reaper_, &compressor_, spec_.log_dir, this),
        waiters_(supervisor_),
        server_(loop_, *this,
                [](const std::filesystem::path& path, size_t n) { return logs::TailLines(path, n); }),
        started_at_(std::chrono::system_clock::now()) {
    reaper_.SetAfterReap([this] { supervisor_.AfterReap(); });
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

    event_log_.Write("vigild", fmt::format("vigild {} started (pid {}): config {}, socket {}, logs in {}",
                                           VIGIL_VERSION, ::getpid(), spec_.config_path.string(),
                                           spec_.socket.string(), spec_.log_dir.string()));
    supervisor_.Apply(spec_.programs);
    event_log_.Write("vigild", fmt::format("supervising {} programs", spec_.programs.size()));
    // The supervisor holds the specs now; a second copy would cost memory per program.
    std::vector<config::ProgramSpec>().swap(spec_.programs);
    ReleaseFreedMemoryAfterBurst();
    loop_.Run();
    server_.Close();
    event_log_.Write("vigild", "all programs stopped; exiting");
    return 0;
  }

  // --- SupervisorObserver ---
  void OnStateChanged(supervise::Program& p, supervise::ProgramState old, const std::string& message) override {
    event_log_.Write(p.name(), fmt::format("{} -> {}{}{}", supervise::StateName(old), supervise::StateName(p.state()),
                                           message.empty() ? "" : ": ", message));
    waiters_.OnStateChanged();
  }
  void OnNote(const std::string& subject, const std::string& message) override {
    event_log_.Write(subject, message);
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
      event_log_.Write("vigild", "reload rejected, nothing changed: " + spec.error().message());
      return base::Status::InvalidArgument(spec.error().message());
    }
    if (spec->log_dir != spec_.log_dir || spec->socket != spec_.socket || spec->state_dir != spec_.state_dir) {
      event_log_.Write("vigild", "[vigil] paths changed; they take effect when vigild restarts");
    }
    auto result = supervisor_.Apply(spec->programs);
    ReleaseFreedMemoryAfterBurst();
    event_log_.Write("vigild", fmt::format("reloaded {}: {} added, {} removed, {} changed, {} unchanged",
                                           spec_.config_path.string(), result.added.size(), result.removed.size(),
                                           result.changed.size(), result.unchanged.size()));
    return api::ReloadSummary{result.added, result.removed, result.changed, result.unchanged};
  }

  void Shutdown() override {
    if (supervisor_.shutting_down()) return;
    event_log_.Write("vigild", "shutting down: stopping all programs");
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

  // --- tasks and history: no [task.*] support is wired into vigild yet, so there are
  // none to list or run, and no history database. ---
  std::vector<api::TaskInfo> ListTasks() override { return {}; }
  base::Result<api::TaskInfo> GetTask(const std::string& name) override {
    return base::Status::NotFound("unknown task: " + name);
  }
  void RunTask(const std::string& name, bool, std::function<void(base::Result<api::RunInfo>)> done) override {
    done(base::Status::NotFound("unknown task: " + name));
  }
  base::Result<api::TaskInfo> SetTaskEnabled(const std::string& name, bool) override {
    return base::Status::NotFound("unknown task: " + name);
  }
  base::Result<std::vector<api::RunInfo>> ListRuns(const std::string& task, int) override {
    if (!task.empty()) return base::Status::NotFound("unknown task: " + task);
    return std::vector<api::RunInfo>{};
  }
  base::Result<std::string> RunOutput(int64_t run_id) override {
    return base::Status::NotFound("unknown run: " + std::to_string(run_id));
  }
  base::Result<std::vector<api::EventInfo>> ListEvents(const api::EventQuery&) override {
    return base::Status::Unavailable("no event history: see " + (spec_.log_dir / "vigild.log").string());
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
    for (auto* p : *programs) action(*p);
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
  supervise::Supervisor supervisor_;
  Waiters waiters_;
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
