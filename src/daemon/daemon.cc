// SPDX-License-Identifier: MIT
// Daemon: wiring of every module, signals, and the daemon-wide controller (info, reload,
// shutdown); the program, task and event controllers are the services it builds.
#include "daemon/daemon.h"

#include <malloc.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <cstdio>
#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "api/controllers.h"
#include "api/http_server.h"
#include "config/load.h"
#include "daemon/alert_service.h"
#include "daemon/check_service.h"
#include "daemon/config_editor.h"
#include "daemon/metric_history.h"
#include "daemon/event_log.h"
#include "daemon/history.h"
#include "daemon/program_service.h"
#include "daemon/report_service.h"
#include "daemon/ready_probes.h"
#include "daemon/status_publisher.h"
#include "daemon/task_service.h"
#include "daemon/usage_service.h"
#include "event/clock.h"
#include "event/loop.h"
#include "logs/compressor.h"
#include "logs/tail.h"
#include "process/launcher.h"
#include "report/render.h"
#include "process/notify_socket.h"
#include "daemon/own_figures.h"
#include "stream/stream_hub.h"
#include "web/http_listener.h"

namespace vigil::daemon {
namespace {

base::Status EnsureDir(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return base::Status::IoError(fmt::format("cannot create directory {}: {}", dir.string(), ec.message()));
  return base::Status::Ok();
}

}  // namespace

// Where /proc is: VIGIL_PROC_ROOT, for tests that give vigild a fake tree.
// How long a filesystem may take to answer statvfs before it is reported as not
// answering: a local disk answers in microseconds, a dead NFS server never.
constexpr base::Duration kDiskTimeout = std::chrono::seconds(2);
// A burst of changes (a thousand programs starting) makes one status-file write.
constexpr base::Duration kStatusCoalesce = std::chrono::milliseconds(200);
// As a container's init: how long the other processes get between SIGTERM and SIGKILL.
constexpr base::Duration kInitGrace = std::chrono::seconds(5);

static std::filesystem::path ProcRootPath() {
  const char* root = std::getenv("VIGIL_PROC_ROOT");
  return root != nullptr && *root != '\0' ? root : "/proc";
}

// vigil-alert, which delivers email and webhooks, is installed next to vigild.
static std::filesystem::path AlertBinary() {
  std::error_code ec;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  return (ec ? std::filesystem::path("/usr/bin") : self.parent_path()) / "vigil-alert";
}

static std::string HostName() {
  char name[256] = {};
  return ::gethostname(name, sizeof name - 1) == 0 ? std::string(name) : std::string("localhost");
}

class Daemon::Impl : public api::DaemonController, public api::HealthController {
 public:
  Impl(config::DaemonSpec spec, DaemonOptions options)
      : spec_(std::move(spec)),
        options_(std::move(options)),
        clock_(loop_),
        launcher_(loop_),
        event_log_(loop_, spec_.log_dir / "vigild.log", spec_.event_log, &compressor_, true),
        history_(loop_, spec_.state_dir / "vigil.db", spec_.history_retention),
        findings_(loop_, history_, spec_.log_dir / "findings.log"),
        ready_probes_(loop_),
        programs_(supervise::ProgramEnv{loop_, clock_, launcher_, &compressor_, spec_.log_dir, nullptr, &ready_probes_,
                                        NotifySocketPath().string()},
                  event_log_,
                  history_, [this] { ReleaseFreedMemoryAfterBurst(); }),
        tasks_(loop_, clock_, launcher_, programs_, history_, event_log_, spec_.state_dir / "runs"),
        disks_(loop_, clock_, DiskSampler::StatVfs, kDiskTimeout),
        groups_(metrics::ProcRoot(ProcRootPath()), ::sysconf(_SC_PAGESIZE), metrics::KeptFileBudget()),
        checks_(CheckPorts{loop_, clock_, metrics::ProcRoot(ProcRootPath()), disks_, event_log_, programs_, tasks_,
                           launcher_, &findings_,
                           [this](const std::string& name, base::WallTime time, double value) {
                             if (store::Store* store = history_.store()) store->RecordSample(name, time, value);
                           },
                           [this](bool disks, bool programs, api::TopDoneFn done) {
                             usage_.Sample(disks, programs, std::move(done));
                           },
                           &groups_}),
        usage_(programs_, clock_, metrics::ProcRoot(ProcRootPath()), &disks_, &groups_),
        alert_runner_(launcher_, clock_, loop_),
        alert_worker_(launcher_, clock_, loop_, AlertBinary()),
        alerts_(AlertService::Ports{clock_, alert_runner_, alert_worker_, history_, event_log_,
                                    spec_.state_dir / "outbox", HostName()}),
        report_(ReportService::Ports{clock_, history_, spec_.state_dir / "reports", HostName(),
                                     [this](const std::string& task) {
                                       auto info = tasks_.GetTask(task);
                                       return info ? info->action : std::string();
                                     },
                                     [this](const std::string& title, const std::string& text, base::WallTime time) {
                                       return alerts_.SendReport(title, text, time);
                                     },
                                     spec_.history_retention}),
        stream_(stream::StreamPorts{loop_, programs_,
                                    [](const std::filesystem::path& path, size_t n) { return logs::TailLines(path, n); },
                                    [this](api::TopDoneFn done) { usage_.Sample(false, true, std::move(done)); },
                                    [] { return base::UnixMs(std::chrono::system_clock::now()); }, HostName()}),
        config_editor_(ConfigEditor::Ports{spec_.config_path, spec_.state_dir / "config-backups", clock_,
                                           [this](std::function<void()> fn) { loop_.Post(std::move(fn)); },
                                           [this] { return Reload(); },
                                           [this](const std::string& line) { event_log_.Write("vigild", line); }}),
        server_(loop_, api::Controllers(*this, programs_, tasks_, history_, *this, config_editor_),
                [](const std::filesystem::path& path, size_t n) { return logs::TailLines(path, n); }),
        started_at_(std::chrono::system_clock::now()),
        systemd_(loop_, std::move(options_.systemd)),
        status_(StatusPublisher::Ports{loop_, [this] { return Snapshot(); },
                                       [this](const std::string& line) { systemd_.Status(line); },
                                       [this](const std::string& line) {
                                         event_log_.Write("vigild", line, base::EventType::kDaemon);
                                       }},
                spec_.status_file, kStatusCoalesce) {
    event_log_.SetHistory(&history_);
    programs_.SetFindings(&findings_);
    tasks_.SetFindings(&findings_);
    tasks_.SetProcRoot(metrics::ProcRoot(ProcRootPath()));
    alerts_.SetFindings(&findings_);
    tasks_.SetReporter([this](base::Duration period) { return report_.RunTask(period); });
    findings_.SetListener([this](const api::FindingInfo& f) {
      alerts_.OnFinding(f);
      stream_.FindingRecorded(f);
    });
    event_log_.SetListener([this](int64_t id, base::WallTime time, base::EventType type, const std::string& subject,
                                  const std::string& message, const std::string& details) {
      if (!stream_.Wants(stream::Topic::kEvents)) return;
      stream_.EventRecorded(api::EventInfo{id, base::UnixMs(time), std::string(base::EventTypeName(type)), subject,
                                           message, details});
    });
    programs_.SetChangeListener([this](const std::string& name) {
      stream_.ProgramChanged(name);
      if (serving_) status_.Changed();
    });
    tasks_.SetRunListener([this](const api::RunInfo& run) {
      stream_.RunChanged(run);
      if (serving_) status_.Changed();  // a run moves the task's next run
    });
  }

  // Members go in reverse order: alerts_ before the services that may still record a
  // finding while they wind down, so the journal stops telling it first.
  ~Impl() override {
    findings_.SetListener(nullptr);
    event_log_.SetListener(nullptr);
    programs_.SetChangeListener(nullptr);
    tasks_.SetRunListener(nullptr);
  }

  int Run() {
    // Orphaned grandchildren are re-parented to vigild, so they are reaped and a
    // program's leftovers can be found and stopped.
    ::prctl(PR_SET_CHILD_SUBREAPER, 1);
    std::signal(SIGPIPE, SIG_IGN);

    if (!options_.pid_file.empty() && options_.stale_pid > 0) {
      event_log_.Write("vigild",
                       fmt::format("took over the PID file {}: pid {} wrote it and no longer holds it",
                                   options_.pid_file.string(), options_.stale_pid),
                       base::EventType::kDaemon);
    }
    if (auto s = server_.ListenUnix(spec_.socket); !s.ok()) return CannotStart(s.message());
    if (!spec_.http.listen.empty()) {
      web_ = std::make_unique<web::HttpListener>(
          loop_, clock_, spec_.http, spec_.state_dir / "http-tokens",
          api::Controllers(*this, programs_, tasks_, history_, *this, config_editor_),
          [](const std::filesystem::path& path, size_t n) { return logs::TailLines(path, n); });
      if (auto s = web_->Start(); !s.ok()) {
        server_.Close();
        return CannotStart("cannot start the HTTP listener: " + s.message());
      }
      std::string where;
      for (size_t i = 0; i < spec_.http.listen.size(); ++i) {
        config::ListenAddress bound = spec_.http.listen[i];
        bound.port = web_->ports()[i];
        where += (where.empty() ? "" : ", ") + web_->Url(bound);
      }
      const std::string certificate =
          spec_.http.tls() ? ", certificate " + web_->CertificateSummary() : std::string();
      event_log_.Write("vigild", "HTTP listener on " + where + certificate + " (vigil token prints the API token)",
                       base::EventType::kDaemon);
      WarnIfCertificateExpired();
      // Only plain HTTP can reach other machines here on purpose (the config refuses it
      // otherwise); with TLS there is nothing to warn of.
      for (const config::ListenAddress& a : spec_.http.listen) {
        if (spec_.http.insecure && !a.loopback) {
          event_log_.Write("vigild",
                           "WARNING: " + config::FormatListenAddress(a) +
                               " is reachable from other machines over plain HTTP (insecure = true): tokens and "
                               "session cookies cross the network in clear text",
                           base::EventType::kDaemon);
        }
      }
    }
    auto signals = loop_.WatchSignals({SIGTERM, SIGINT, SIGHUP, SIGUSR1}, [this](int signo) { OnSignal(signo); });
    OpenNotifySocket();

    event_log_.Write("vigild",
                     fmt::format("vigild {} started (pid {}): config {}, socket {}, logs in {}", VIGIL_VERSION,
                                 ::getpid(), spec_.config_path.string(), spec_.socket.string(),
                                 spec_.log_dir.string()),
                     base::EventType::kDaemon);
    if (auto problem = history_.problem(); !problem.empty()) {
      event_log_.Write("vigild", problem, base::EventType::kDaemon);
    }
    programs_.Apply(spec_.programs);
    if (auto t = tasks_.Apply(spec_.tasks); !t) {
      event_log_.Write("vigild", t.error().message(), base::EventType::kConfigError);
    }
    alerts_.Apply(spec_.alerts);
    checks_.Apply(spec_.checks);
    checks_.ApplyHistory(spec_.history);
    event_log_.Write("vigild",
                     fmt::format("supervising {} programs, {} scheduled tasks, {} health checks",
                                 spec_.programs.size(), spec_.tasks.size(), spec_.checks.size()),
                     base::EventType::kDaemon);
    tasks_.StartUp();
    // The supervisor and the check service hold the specs now; a second copy would cost
    // memory per program and per check.
    std::vector<config::ProgramSpec>().swap(spec_.programs);
    std::vector<config::CheckSpec>().swap(spec_.checks);
    ReleaseFreedMemoryAfterBurst();
    // Queued after the supervisor's first reconcile, which launches the autostart programs.
    loop_.Post([this] { OnServing(); });
    loop_.Run();
    if (web_) web_->Close();
    server_.Close();
    const int killed = programs_.KilledAfterStopTimeout();
    const bool others_clean = options_.init ? EndRemainingProcesses() : true;
    state_ = "stopped";
    status_.PublishNow();
    event_log_.Write("vigild",
                     killed == 0 ? std::string("all programs stopped; exiting")
                                 : fmt::format("all programs stopped ({} killed after their stop_timeout); exiting",
                                               killed),
                     base::EventType::kDaemon);
    if (options_.init && (killed > 0 || !others_clean)) return kExitUncleanStop;
    return 0;
  }

  // A start that did not happen: in the event log, and to the launcher of --daemon, which
  // prints it and exits non-zero.
  int CannotStart(const std::string& why) {
    event_log_.Write("vigild", "cannot start: " + why, base::EventType::kDaemon);
    options_.startup.Failed("cannot start: " + why);
    return kExitCannotStart;
  }

  void OnServing() {
    serving_ = true;
    const StatusSnapshot now = Snapshot();
    systemd_.Ready(SummaryLine(now));  // first: systemd wants READY=1 before any STATUS= alone
    status_.PublishNow();
    options_.startup.Ready(fmt::format("running (pid {}): {}; socket {}", ::getpid(), SummaryLine(now),
                                       spec_.socket.string()));
  }

  // As PID 1, whatever else runs in the container (a shell from `docker exec`, a daemon a
  // program started and forgot) gets SIGTERM, then SIGKILL after a grace period, so that
  // it ends cleanly instead of being killed by the kernel when vigild exits. True when
  // nothing needed the SIGKILL.
  bool EndRemainingProcesses() {
    if (::getpid() != 1) return true;  // --init outside a namespace: kill(-1) would reach the whole machine
    if (::kill(-1, SIGTERM) != 0) return true;  // ESRCH: nobody else is left
    event_log_.Write("vigild", "sent SIGTERM to the container's remaining processes", base::EventType::kDaemon);
    bool clean = true;
    auto grace = loop_.AddTimer(kInitGrace, [&] {
      event_log_.Write("vigild",
                       fmt::format("processes remained {} s after SIGTERM: sending SIGKILL",
                                   std::chrono::duration_cast<std::chrono::seconds>(kInitGrace).count()),
                       base::EventType::kDaemon);
      clean = false;
      ::kill(-1, SIGKILL);
    });
    launcher_.WhenNoChildrenLeft([this] { loop_.Stop(); });
    loop_.Run();
    return clean;
  }

  StatusSnapshot Snapshot() {
    StatusSnapshot s;
    s.pid = ::getpid();
    s.version = VIGIL_VERSION;
    s.started_at_ms = base::UnixMs(started_at_);
    s.config_path = spec_.config_path.string();
    s.socket = spec_.socket.string();
    s.state = state_;
    s.written_at_ms = base::UnixMs(std::chrono::system_clock::now());
    s.programs = programs_.ListPrograms();
    for (const api::TaskInfo& t : tasks_.ListTasks()) {
      if (t.next_run_ms < 0) continue;
      if (!s.next_task || t.next_run_ms < s.next_task->at_ms) s.next_task = StatusSnapshot::NextTask{t.name, t.next_run_ms};
    }
    return s;
  }

  // The NOTIFY_SOCKET of ready = "notify" and of watchdogs (docs/readiness.md). Without it
  // vigild still runs; such programs then never report ready, and their reason says so.
  std::filesystem::path NotifySocketPath() const { return spec_.state_dir / "notify.sock"; }
  void OpenNotifySocket() {
    auto opened = process::NotifySocket::Open(
        loop_, NotifySocketPath(),
        [this](const process::NotifySocket::Sender& sender, process::NotifyMessage message) {
          programs_.OnNotify(sender, message, ProcRootPath());
        });
    if (!opened) {
      event_log_.Write("vigild",
                       "cannot open the notify socket, so programs with ready = \"notify\" or a watchdog cannot "
                       "report: " + opened.error().message(),
                       base::EventType::kDaemon);
      return;
    }
    notify_ = std::move(*opened);
  }

  // --- api::HealthController ---
  void Top(const std::vector<std::string>& names, api::TopDoneFn done) override { usage_.Top(names, std::move(done)); }
  void Machine(api::TopDoneFn done) override { usage_.Machine(std::move(done)); }
  std::vector<api::CheckInfo> Checks() override { return checks_.Checks(); }
  base::Result<std::vector<std::string>> MetricNames() override { return ListMetricNames(history_.store()); }
  base::Result<std::vector<api::MetricPointInfo>> MetricHistory(const api::MetricHistoryQuery& query) override {
    return QueryMetricHistory(history_.store(), query);
  }
  base::Result<std::vector<api::FindingInfo>> ListFindings(const api::FindingQuery& query) override {
    return findings_.List(query);
  }
  void TestAlert(const std::string& name, std::function<void(base::Status)> done) override {
    alerts_.Test(name, std::move(done));
  }
  base::Result<api::ReportView> Report(int64_t period_ms) override {
    auto made = report_.Make(base::Duration(period_ms));
    if (!made) return made.error();
    return api::ReportView{report::RenderText(*made), report::RenderJson(*made)};
  }

  // --- api::DaemonController ---
  api::DaemonInfo Info() override {
    api::DaemonInfo info;
    info.version = VIGIL_VERSION;
    info.pid = ::getpid();
    info.started_at_ms = base::UnixMs(started_at_);
    info.config_path = spec_.config_path;
    info.socket = spec_.socket;
    info.log_dir = spec_.log_dir;
    info.state_dir = spec_.state_dir;
    if (auto p = event_log_.file().problem(); !p.empty()) info.problems.push_back("vigild.log: " + p);
    if (auto p = history_.problem(); !p.empty()) info.problems.push_back(p);
    if (auto p = tasks_.problem(); !p.empty()) info.problems.push_back(p);
    if (auto p = status_.problem(); !p.empty()) info.problems.push_back("status file: " + p);
    for (std::string& p : programs_.Problems()) info.problems.push_back(std::move(p));
    return info;
  }

  void WarnIfCertificateExpired() {
    if (web_ && web_->CertificateExpired()) {
      event_log_.Write("vigild",
                       "WARNING: the HTTP listener's certificate has expired (" + web_->CertificateSummary() +
                           "): browsers and clients will refuse it; renew it and reload",
                       base::EventType::kDaemon);
    }
  }

  base::Result<api::ReloadSummary> Reload() override {
    systemd_.Reloading();
    auto result = ReloadConfig();
    systemd_.ReloadDone(SummaryLine(Snapshot()));
    if (serving_) status_.Changed();
    return result;
  }

  base::Result<api::ReloadSummary> ReloadConfig() {
    auto spec = config::LoadConfig(spec_.config_path);
    if (!spec) {
      event_log_.Write("vigild", "reload rejected, nothing changed: " + spec.error().message(),
                       base::EventType::kConfigError);
      return base::Status::InvalidArgument(spec.error().message());
    }
    // A renewed certificate is read now; a bad one rejects the reload like a bad config.
    if (web_) {
      if (auto s = web_->ReloadCertificate(); !s.ok()) {
        event_log_.Write("vigild", "reload rejected, nothing changed: " + s.message(), base::EventType::kConfigError);
        return base::Status::InvalidArgument(s.message());
      }
      if (spec_.http.tls()) {
        event_log_.Write("vigild", "HTTP listener certificate read again: " + web_->CertificateSummary(),
                         base::EventType::kReload);
        WarnIfCertificateExpired();
      }
    }
    if (spec->log_dir != spec_.log_dir || spec->socket != spec_.socket || spec->state_dir != spec_.state_dir) {
      event_log_.Write("vigild", "[vigil] paths changed; they take effect when vigild restarts");
    }
    if (spec->http != spec_.http) {
      event_log_.Write("vigild", "[http] changed; it takes effect when vigild restarts");
    }
    auto result = programs_.Apply(spec->programs);
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
    alerts_.Apply(spec->alerts);
    checks_.Apply(spec->checks);
    checks_.ApplyHistory(spec->history);
    event_log_.Write("vigild",
                     fmt::format("reloaded {}: {} added, {} removed, {} changed, {} unchanged{}",
                                 spec_.config_path.string(), result.added.size(), result.removed.size(),
                                 result.changed.size(), result.unchanged.size(), task_summary),
                     base::EventType::kReload);
    return summary;
  }

  base::Result<api::WebToken> Token(const std::string& role, bool rotate) override {
    if (!web_) return api::DaemonController::Token(role, rotate);
    auto token = web_->Token(role, rotate);
    if (token && rotate) {
      event_log_.Write("vigild", "the HTTP listener's " + role + " token was replaced; its sessions ended",
                       base::EventType::kDaemon);
    }
    return token;
  }

  api::SelfFigures Self() override {
    api::SelfFigures self = OwnFigures(started_at_);
    if (web_) self.http_connections = web_->connection_count();
    self.stream_connections = stream_.connections();
    self.stream_dropped_lines = stream_.dropped_lines();
    return self;
  }

  base::Result<api::WebSocketPeerPtr> OpenStream() override { return stream_.Open(); }

  base::Result<std::string> LoginLink(const std::string& role) override {
    if (!web_) return api::DaemonController::LoginLink(role);
    return web_->LoginLink(role);
  }

  void Shutdown() override {
    if (programs_.shutting_down()) return;
    event_log_.Write("vigild", "shutting down: stopping all programs", base::EventType::kDaemon);
    systemd_.Stopping();
    state_ = "stopping";
    if (serving_) status_.Changed();
    programs_.Shutdown([this] { loop_.Stop(); });
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
        programs_.ReopenLogs();
        break;
    }
  }

  // Starting many programs leaves freed transient memory (environments, argv, parse trees,
  // the notes of what they did) scattered in the heap; glibc only returns its top. Once the
  // supervisor has acted on a config (its reconcile is already queued, so this runs after
  // it), and after each large batch of notes, give the rest back, so that idle memory is
  // what the programs need, not what starting them needed.
  void ReleaseFreedMemoryAfterBurst() {
    loop_.Post([] { ::malloc_trim(0); });
  }

  config::DaemonSpec spec_;
  DaemonOptions options_;
  event::Loop loop_;
  event::LoopClock clock_;
  process::LinuxLauncher launcher_;
  logs::Compressor compressor_;
  EventLog event_log_;
  History history_;
  FindingJournal findings_;
  ProbeReadiness ready_probes_;
  ProgramService programs_;
  TaskService tasks_;
  DiskSampler disks_;
  // One for the checks and `vigil top` alike: what it learnt about /proc serves both.
  metrics::GroupSampler groups_;
  CheckService checks_;
  UsageService usage_;
  probe::CommandProber alert_runner_;
  AlertWorkerProcess alert_worker_;
  AlertService alerts_;
  ReportService report_;
  stream::StreamHub stream_;  // before the servers, whose clients it serves
  ConfigEditor config_editor_;
  api::HttpServer server_;
  std::unique_ptr<web::HttpListener> web_;  // [http], when configured
  base::WallTime started_at_;
  SystemdNotifier systemd_;
  StatusPublisher status_;
  std::string state_ = "running";  // for the status file: running, stopping, stopped
  bool serving_ = false;           // the socket listens and the autostart programs were launched
  // After programs_, so it goes first: its datagrams are handed to programs_.
  std::unique_ptr<process::NotifySocket> notify_;
};

Daemon::Daemon(config::DaemonSpec spec, DaemonOptions options) {
  // A missing log dir is not fatal: LogFile keeps retrying and status reports the problem.
  for (const auto& dir : {spec.log_dir, spec.state_dir}) {
    if (auto s = EnsureDir(dir); !s.ok()) std::fprintf(stderr, "vigild: %s\n", s.message().c_str());
  }
  impl_ = std::make_unique<Impl>(std::move(spec), std::move(options));
}
Daemon::~Daemon() = default;
int Daemon::Run() { return impl_->Run(); }

}  // namespace vigil::daemon
