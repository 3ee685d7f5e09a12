// SPDX-License-Identifier: MIT
// Program: carries out lifecycle outcomes on a real (or fake) process, its group, its
// timer and its logs.
#include "supervise/program.h"

#include <sys/wait.h>

#include <algorithm>
#include <csignal>
#include <limits>

#include <fmt/format.h>

#include "base/check.h"
#include "base/units.h"
#include "logs/pipe_reader.h"
#include "process/spawn.h"

namespace vigil::supervise {
namespace {

enum class Stream { kStdout, kStderr };

}  // namespace

Program::Program(ProgramEnv& env, config::ProgramSpec spec)
    : env_(env),
      spec_(std::move(spec)),
      state_since_(env_.clock.Now()),
      rng_(static_cast<unsigned>(std::hash<std::string>{}(spec_.name) ^
                                 env_.clock.SteadyNow().time_since_epoch().count())) {
  MakeLogs();
}

Program::~Program() {
  // Normally every process is stopped before a Program goes away; this is the last guard
  // against leaving a process of a removed program behind.
  if (pgid_ > 0 && spec_.kill_group) env_.launcher.SignalGroup(pgid_, SIGKILL);
  if (pid_ > 0) {
    env_.launcher.Signal(pid_, SIGKILL);
    env_.launcher.Abandon(pid_);
  }
}

void Program::MakeLogs() {
  auto report = [this](const std::string& message) { Note(base::EventType::kLog, message); };
  auto path = [this](const char* suffix) { return env_.log_dir / (spec_.name + suffix); };
  if (!stdout_log_) {
    stdout_log_ = std::make_unique<logs::LogFile>(env_.loop, path(".out.log"), spec_.stdout_log, env_.compressor);
    stdout_log_->SetProblemListener(report);
  } else {
    stdout_log_->SetSpec(spec_.stdout_log);
  }
  if (spec_.merge_stderr) {
    if (stderr_log_) {
      stderr_log_->EndFollowers(spec_.name + "'s stderr now goes to its stdout log (merge_stderr = true)");
      stderr_log_.reset();
    }
  } else if (!stderr_log_) {
    stderr_log_ = std::make_unique<logs::LogFile>(env_.loop, path(".err.log"), spec_.stderr_log, env_.compressor);
    stderr_log_->SetProblemListener(report);
  } else {
    stderr_log_->SetSpec(spec_.stderr_log);
  }
}

std::optional<base::Duration> Program::uptime() const {
  if (pid_ == 0) return std::nullopt;
  return std::chrono::duration_cast<base::Duration>(env_.clock.SteadyNow() - spawned_at_);
}

std::string Program::LogProblem() const {
  std::string p = stdout_log_->problem();
  if (stderr_log_ && !stderr_log_->problem().empty()) p += (p.empty() ? "" : "; ") + stderr_log_->problem();
  return p;
}

Facts Program::CurrentFacts() const {
  return Facts{spec_.autorestart, last_exit_clean_, failures_, spec_.start_retries};
}

ReasonFacts Program::CurrentReasonFacts() const {
  ReasonFacts f;
  f.state = state_;
  f.cause = cause_;
  f.detail = detail_;
  f.last_exit = last_exit_;
  f.last_exit_clean = last_exit_clean_;
  f.failures = failures_;
  f.start_retries = spec_.start_retries;
  f.retry_in = retry_in_;
  f.fatal_retry_after = spec_.fatal_retry_after;
  f.autorestart = spec_.autorestart;
  f.stop_timeout = spec_.stop_timeout;
  return f;
}

std::string Program::reason() const { return ReasonText(CurrentReasonFacts()); }

void Program::SetCause(Cause cause, std::string detail) {
  cause_ = cause;
  detail_ = std::move(detail);
}

void Program::Handle(Event event) {
  ProgramState report_from = state_;
  std::optional<Event> next = event;
  while (next) next = Step(*next, report_from);
}

std::optional<Event> Program::Step(Event event, ProgramState& report_from) {
  const std::optional<Outcome> outcome = Transition(state_, event, CurrentFacts());
  VIGIL_CHECK(outcome.has_value(), fmt::format("program {}: event \"{}\" cannot happen in state {}", spec_.name,
                                               EventName(event), StateName(state_)));
  const uint32_t actions = outcome->actions;
  const ProgramState from = state_;
  if (actions & kCancelTimers) timer_.reset();
  if (actions & kResetFailures) failures_ = 0;
  // Counters saturate: start_retries may be as large as an int goes.
  if ((actions & kCountFailure) && failures_ < std::numeric_limits<int>::max()) ++failures_;
  if ((actions & kCountRestart) && restarts_ < std::numeric_limits<int>::max()) ++restarts_;
  if (outcome->next != state_) {
    state_ = outcome->next;
    state_since_ = env_.clock.Now();
  }

  if (actions & kSpawn) {
    // A failed spawn leaves STARTING at once; the report goes from `report_from` straight
    // to where kSpawnFailed leads.
    if (!Spawn()) return Event::kSpawnFailed;
    SetCause(Cause::kNone);
  }
  if (actions & kArmBackoff) {
    retry_in_ = BackoffDelay();
    ArmTimer(retry_in_, Event::kBackoffElapsed);
  }
  if ((actions & kArmFatalRetry) && spec_.fatal_retry_after) {
    ArmTimer(*spec_.fatal_retry_after, Event::kFatalRetryElapsed);
  }
  if (actions & kSendStopSignal) {
    StopWatching();
    SendStopSignal();
    SetCause(Cause::kStopRequested);
    ArmTimer(spec_.stop_timeout, Event::kStopTimeout);
  }
  if (actions & kKillForFailure) {
    // The caller has set the cause (kNotReady, kWatchdog) that the message tells.
    StopWatching();
    failing_ = true;
    SendStopSignal();
    ArmTimer(spec_.stop_timeout, Event::kStopTimeout);
  }
  if (actions & kSendKill) {
    KillGroup(SIGKILL);
    SetCause(Cause::kKilledAfterTimeout);
  }
  if (state_ == ProgramState::kExited && from != ProgramState::kExited) SetCause(Cause::kExited);
  if (state_ == ProgramState::kStopped && from != ProgramState::kStopped) {
    // "killed after stop_timeout" stays visible once stopped; everything else is over.
    if (cause_ != Cause::kKilledAfterTimeout || from != ProgramState::kStopping) SetCause(Cause::kNone);
  }

  const std::string reason_now = reason();
  StepFacts facts;
  facts.from = report_from;
  facts.to = state_;
  facts.event = event;
  facts.actions = actions;
  facts.pid = pid_;
  facts.pgid = pgid_;
  facts.kill_group = spec_.kill_group;
  facts.last_exit = last_exit_;
  facts.failures = failures_;
  facts.start_retries = spec_.start_retries;
  facts.start_seconds = spec_.start_seconds;
  facts.stop_signal = spec_.stop_signal;
  facts.stop_timeout = spec_.stop_timeout;
  facts.ready_kind = spec_.ready->kind;
  facts.reason = reason_now;
  const std::string message = StepMessage(facts);
  if (env_.observer) {
    if (state_ != report_from) {
      env_.observer->OnStateChanged(*this, report_from, message);
    } else if (!message.empty()) {
      Note((actions & (kSendStopSignal | kSendKill | kKillForFailure)) ? base::EventType::kSignal
                                                                         : base::EventType::kNote,
           message);
    }
  }
  report_from = state_;

  if ((actions & kSpawn) && state_ == ProgramState::kStarting) {
    if (spec_.watchdog) ArmWatchdog(*spec_.watchdog);
    if (spec_.ready->kind != config::ReadyKind::kStartSeconds) {
      StartReadiness();
      return std::nullopt;
    }
    // After the STARTING report, so a zero start_seconds reports STARTING then RUNNING.
    if (spec_.start_seconds.count() == 0) return Event::kStartSecondsElapsed;
    ArmTimer(spec_.start_seconds, Event::kStartSecondsElapsed);
  }
  return std::nullopt;
}

bool Program::Spawn() {
  process::SpawnRequest req;
  req.argv = spec_.argv;
  req.directory = spec_.directory;
  req.environment = spec_.environment;
  req.environment["VIGIL_PROGRAM"] = spec_.name;
  req.environment["VIGIL_INSTANCE"] = std::to_string(spec_.instance);
  const bool heartbeats_by_socket = spec_.watchdog && spec_.heartbeat_file.empty();
  if (!env_.notify_socket.empty() && (spec_.ready->kind == config::ReadyKind::kNotify || heartbeats_by_socket)) {
    req.environment["NOTIFY_SOCKET"] = env_.notify_socket;
    // As systemd: sd_watchdog_enabled(3) reads it. No WATCHDOG_PID: the pid is not known
    // before the fork, and without it every process of the program may send heartbeats.
    if (heartbeats_by_socket) {
      req.environment["WATCHDOG_USEC"] = std::to_string(int64_t{spec_.watchdog->count()} * 1000);
    }
  }
  req.uid = spec_.uid;
  req.gid = spec_.gid;
  req.umask = spec_.umask;
  req.merge_stderr = spec_.merge_stderr;
  // The launcher forgets the pid when this Program goes (Abandon in the destructor), so
  // the callback never outlives it.
  auto child = env_.launcher.Launch(req, [this](int wait_status) { OnMainExit(wait_status); });
  auto failed = [this](const std::string& why) {
    // No process ran, so the exit of an earlier one no longer describes this program.
    last_exit_.clear();
    last_exit_clean_ = false;
    SetCause(Cause::kSpawnFailed, why);
    Note(base::EventType::kSpawnError, SpawnFailedNote(why));
    return false;
  };
  if (!child) return failed(child.error().message());
  if (base::Status watched = WatchOutput(*child); !watched.ok()) {
    // Nobody would read its pipes, so it would block on the first full one: it must not run.
    env_.launcher.SignalGroup(child->pid, SIGKILL);
    env_.launcher.Abandon(child->pid);
    return failed(OutputUnreadableNote(child->pid, watched.message()));
  }
  pid_ = child->pid;
  pgid_ = child->pid;
  spawned_at_ = env_.clock.SteadyNow();
  failing_ = false;
  if (watch_.allocated()) {
    Watch& w = watch_.Mut();
    w.status_text.clear();
    w.watchdog_override.reset();
  }
  if (spec_.watchdog) watch_.Mut().heartbeat_seen = env_.clock.Now();
  if (env_.observer) env_.observer->OnProcessStarted(*this, pid_);
  return true;
}

base::Status Program::WatchOutput(process::Launched& child) {
  auto reader_for = [this](base::UniqueFd fd, Stream stream) {
    uint64_t id = next_reader_id_++;
    // The stream, not the LogFile: a reload may merge stderr into stdout while an ended
    // process's pipe still drains.
    auto on_data = [this, stream](std::string_view data) {
      (stream == Stream::kStdout ? stdout_log() : stderr_log()).Write(data);
      if (stream == Stream::kStdout && watch_->ready_matcher) ScanForReady(data);
    };
    // A finished reader is removed on the next loop turn, never from inside its own
    // callback. The reader lives in this Program, so `this` is good when it calls; only
    // the posted removal needs the guard (taken then: a callback that holds no more than
    // two pointers needs no allocation of its own, per stream of a thousand programs).
    auto on_eof = [this, id] {
      env_.loop.Post([this, id, alive = std::weak_ptr<bool>(alive_)] {
        if (alive.expired()) return;
        std::erase_if(readers_, [id](const auto& r) { return r.first == id; });
        if (readers_.empty() && env_.observer) env_.observer->OnOutputDrained(*this);
      });
    };
    return std::make_pair(id, logs::PipeReader::Start(env_.loop, std::move(fd), on_data, on_eof));
  };
  // Both readers exist before either is kept, so a failure leaves nothing behind.
  auto out = reader_for(std::move(child.stdout_fd), Stream::kStdout);
  if (!out.second) return out.second.error();
  if (child.stderr_fd.valid()) {
    auto err = reader_for(std::move(child.stderr_fd), Stream::kStderr);
    if (!err.second) return err.second.error();
    readers_.emplace_back(err.first, std::move(err.second).value());
  }
  readers_.emplace_back(out.first, std::move(out.second).value());
  return base::Status::Ok();
}

void Program::ArmTimer(base::Duration delay, Event event) {
  timer_deadline_ = env_.clock.SteadyNow() + delay;
  timer_ = env_.clock.AddTimer(delay, [this, event] {
    // A fired timer is dropped at once: a thousand programs past start_seconds would
    // otherwise each keep one for nothing.
    timer_.reset();
    if (event == Event::kReadyTimeout) {
      SetCause(Cause::kNotReady, ReadyTimeoutDetail());
      StopWatching();
    }
    Handle(event);
  });
}

void Program::OnMainExit(int wait_status) {
  last_exit_ = process::DescribeWaitStatus(wait_status);
  last_exit_clean_ = WIFEXITED(wait_status) &&
                     std::find(spec_.exit_codes.begin(), spec_.exit_codes.end(), WEXITSTATUS(wait_status)) !=
                         spec_.exit_codes.end();
  // Killed for a failure, it failed, whatever its exit code says.
  if (failing_) last_exit_clean_ = false;
  StopWatching();
  if (env_.observer) env_.observer->OnProcessEnded(*this, pid_, last_exit_);
  pid_ = 0;
  if (state_ != ProgramState::kStopping && !failing_) SetCause(Cause::kExitedEarly);
  // Ended before start_seconds: it failed to start, however long its leftovers take to go,
  // so the start_seconds timer must not make it RUNNING meanwhile.
  if (state_ == ProgramState::kStarting) timer_.reset();
  // The process is gone only once its whole group is: what it left behind would hold the
  // ports and files the next process needs. While stopping, the stop signal (and the
  // SIGKILL after stop_timeout) does the work; otherwise the leftovers are killed now.
  if (spec_.kill_group && env_.launcher.GroupAlive(pgid_)) {
    if (state_ != ProgramState::kStopping) {
      env_.launcher.SignalGroup(pgid_, SIGKILL);
      Note(base::EventType::kSignal, LeftoversKilledNote(pgid_));
    }
    group_watch_ = env_.launcher.WhenGroupGone(pgid_, [this] { OnGroupGone(); });
    return;
  }
  OnGroupGone();
}

void Program::OnGroupGone() {
  group_watch_.reset();
  pgid_ = 0;
  Handle(Event::kExited);
}

void Program::KillGroup(int signo) {
  if (spec_.kill_group && pgid_ > 0) {
    env_.launcher.SignalGroup(pgid_, signo);
  } else if (pid_ > 0) {
    env_.launcher.Signal(pid_, signo);
  }
}

void Program::SendStopSignal() {
  KillGroup(spec_.stop_signal);
  // As systemd does: a stopped process (kill -STOP, a debugger, Ctrl-Z) cannot act on the
  // stop signal until it is continued, and would otherwise only end by SIGKILL.
  if (spec_.stop_signal != SIGKILL && spec_.stop_signal != SIGCONT) KillGroup(SIGCONT);
}

base::Status Program::Signal(int signo) {
  if (pid_ == 0) {
    return base::Status::Conflict(fmt::format("{} has no running process ({})", spec_.name, StateName(state_)));
  }
  KillGroup(signo);
  Note(base::EventType::kSignal, SignalSentNote(signo, spec_.kill_group, spec_.kill_group ? pgid_ : pid_));
  return base::Status::Ok();
}

void Program::Reconfigure(config::ProgramSpec spec) {
  VIGIL_CHECK(state_ == ProgramState::kStopped, "program " + spec_.name + " reconfigured while not STOPPED");
  VIGIL_CHECK(spec.name == spec_.name, "program " + spec_.name + " reconfigured as " + spec.name);
  spec_ = std::move(spec);
  MakeLogs();
  failures_ = 0;
  restarts_ = 0;
  last_exit_.clear();
  last_exit_clean_ = false;
  SetCause(Cause::kNone);
  state_since_ = env_.clock.Now();
}

void Program::ReopenLogs() {
  stdout_log_->Reopen();
  if (stderr_log_) stderr_log_->Reopen();
}

void Program::RotateLogs() {
  stdout_log_->RotateNow();
  if (stderr_log_) stderr_log_->RotateNow();
}

void Program::EndFollowers(const std::string& reason) {
  stdout_log_->EndFollowers(reason);
  if (stderr_log_) stderr_log_->EndFollowers(reason);
}

void Program::Note(base::EventType type, const std::string& message) {
  if (env_.observer) env_.observer->OnProgramNote(*this, type, message);
}

base::Duration Program::BackoffDelay() {
  // initial * 2^(failures-1), capped, then jittered down by up to 20% so that programs
  // that failed together do not retry in lockstep.
  double ms = static_cast<double>(spec_.backoff_initial.count());
  for (int i = 1; i < failures_ && ms < static_cast<double>(spec_.backoff_max.count()); ++i) ms *= 2;
  ms = std::min(ms, static_cast<double>(spec_.backoff_max.count()));
  std::uniform_real_distribution<double> jitter(0.8, 1.0);
  return base::Duration(static_cast<int64_t>(ms * jitter(rng_)));
}

// --- readiness and heartbeats (docs/readiness.md) ---

void Program::StartReadiness() {
  ArmTimer(spec_.ready->timeout, Event::kReadyTimeout);
  switch (spec_.ready->kind) {
    case config::ReadyKind::kTcp:
    case config::ReadyKind::kHttp:
      VIGIL_CHECK(env_.ready_probes != nullptr, "program " + spec_.name + ": no ready probes");
      watch_.Mut().last_not_ready.clear();
      watch_.Mut().probe_delay = kFirstProbeDelay;
      ProbeReady();
      break;
    case config::ReadyKind::kLog:
      VIGIL_CHECK(env_.ready_probes != nullptr, "program " + spec_.name + ": no ready probes");
      watch_.Mut().ready_matcher = env_.ready_probes->MatchLines(spec_.ready->target);
      watch_.Mut().ready_partial.clear();
      break;
    case config::ReadyKind::kNotify:
    case config::ReadyKind::kStartSeconds:
      break;
  }
}

void Program::ProbeReady() {
  // The box lives as long as this Program, so `w` stays good in the callbacks.
  Watch& w = watch_.Mut();
  w.probe = env_.ready_probes->Probe(*spec_.ready, [this, &w](bool ready, std::string words) {
    w.probe.reset();  // allowed from its own callback (ReadyProbes::Probe)
    if (state_ != ProgramState::kStarting || failing_) return;
    if (ready) {
      Handle(Event::kReady);
      return;
    }
    w.last_not_ready = std::move(words);
    // Soon at first, since most servers bind within milliseconds; then less and less often.
    w.probe = env_.clock.AddTimer(w.probe_delay, [this, &w] {
      w.probe.reset();
      ProbeReady();
    });
    w.probe_delay = std::min(w.probe_delay * 2, kMaxProbeDelay);
  });
}

void Program::ScanForReady(std::string_view data) {
  // Lines are matched whole; a line longer than the bound is matched by its start.
  constexpr size_t kMaxLine = 4096;
  Watch& w = watch_.Mut();
  while (!data.empty() && w.ready_matcher) {
    const size_t nl = data.find('\n');
    const std::string_view piece = data.substr(0, nl);
    if (w.ready_partial.size() < kMaxLine) w.ready_partial.append(piece.substr(0, kMaxLine - w.ready_partial.size()));
    if (nl == std::string_view::npos) return;
    data.remove_prefix(nl + 1);
    const bool matched = w.ready_matcher(w.ready_partial);
    w.ready_partial.clear();
    if (matched && state_ == ProgramState::kStarting && !failing_) {
      w.ready_matcher = nullptr;  // safe: the reader calls on_data, not the matcher
      w.ready_partial.clear();
      Handle(Event::kReady);
      return;
    }
  }
}

std::string Program::ReadyTimeoutDetail() const {
  const std::string within = base::FormatDuration(spec_.ready->timeout);
  switch (spec_.ready->kind) {
    case config::ReadyKind::kNotify: return fmt::format("no READY=1 within {}", within);
    case config::ReadyKind::kTcp:
    case config::ReadyKind::kHttp:
      return fmt::format("{} not ready within {}{}", spec_.ready->target, within,
                         watch_->last_not_ready.empty() ? "" : " (last: " + watch_->last_not_ready + ")");
    case config::ReadyKind::kLog: return fmt::format("no line matching \"{}\" within {}", spec_.ready->target, within);
    case config::ReadyKind::kStartSeconds: break;
  }
  return "not ready within " + within;
}

base::Duration Program::WatchdogInterval() const {
  if (watch_->watchdog_override) return *watch_->watchdog_override;
  return spec_.watchdog.value_or(base::Duration{0});
}

void Program::ArmWatchdog(base::Duration delay) {
  if (WatchdogInterval().count() == 0) {
    if (watch_.allocated()) watch_.Mut().watchdog_timer.reset();
    return;
  }
  watch_.Mut().watchdog_timer = env_.clock.AddTimer(delay, [this] {
    watch_.Mut().watchdog_timer.reset();
    OnWatchdogTimer();
  });
}

void Program::OnWatchdogTimer() {
  const base::Duration interval = WatchdogInterval();
  if (!spec_.heartbeat_file.empty()) {
    // The file's mtime is the heartbeat: due `interval` after the last one seen. One timer
    // per interval, no polling in between.
    std::error_code ec;
    const auto mtime = std::filesystem::last_write_time(spec_.heartbeat_file, ec);
    if (!ec) {
      const auto seen = std::chrono::time_point_cast<base::Duration>(std::chrono::file_clock::to_sys(mtime));
      if (seen > watch_->heartbeat_seen) watch_.Mut().heartbeat_seen = seen;
    }
    const base::Duration left =
        std::chrono::duration_cast<base::Duration>(watch_->heartbeat_seen + interval - env_.clock.Now());
    if (left.count() > 0) {
      ArmWatchdog(left);
      return;
    }
    ExpireWatchdog(fmt::format("{} not touched for {}", spec_.heartbeat_file, base::FormatDuration(interval)));
    return;
  }
  ExpireWatchdog(fmt::format("no WATCHDOG=1 for {}", base::FormatDuration(interval)));
}

void Program::ExpireWatchdog(const std::string& detail) {
  if ((state_ != ProgramState::kStarting && state_ != ProgramState::kRunning) || failing_ || pid_ == 0) return;
  SetCause(Cause::kWatchdog, detail);
  if (env_.observer) env_.observer->OnWatchdogExpired(*this, detail);
  Handle(Event::kWatchdogExpired);
}

void Program::StopWatching() {
  if (!watch_.allocated()) return;  // every process's end passes here: allocate nothing
  Watch& w = watch_.Mut();
  w.probe.reset();
  w.ready_matcher = nullptr;
  w.ready_partial.clear();
  w.watchdog_timer.reset();
}

void Program::Notify(const process::NotifyMessage& message) {
  if (pid_ == 0 || !HasProcess(state_)) return;
  Watch& w = watch_.Mut();
  if (message.status) w.status_text = *message.status;
  const bool up = (state_ == ProgramState::kStarting || state_ == ProgramState::kRunning) && !failing_;
  if (message.stopping) {
    // It is on its way out: a slow exit is not a missed heartbeat (systemd's STOPPING=1
    // wins over READY=1 in the same message).
    w.watchdog_override = base::Duration{0};
    w.watchdog_timer.reset();
  }
  if (up && message.watchdog_usec) {
    w.watchdog_override = std::chrono::duration_cast<base::Duration>(std::chrono::microseconds(*message.watchdog_usec));
    ArmWatchdog(WatchdogInterval());
  }
  if (up && message.watchdog && spec_.watchdog && spec_.heartbeat_file.empty()) ArmWatchdog(WatchdogInterval());
  if (message.extend_timeout_usec) {
    // At least this long from now; a later deadline stays.
    const auto extend = std::chrono::duration_cast<base::Duration>(std::chrono::microseconds(*message.extend_timeout_usec));
    const bool waiting_ready = state_ == ProgramState::kStarting && !failing_ &&
                               spec_.ready->kind != config::ReadyKind::kStartSeconds && timer_;
    const bool stopping = state_ == ProgramState::kStopping && timer_;
    if ((waiting_ready || stopping) && env_.clock.SteadyNow() + extend > timer_deadline_) {
      ArmTimer(extend, waiting_ready ? Event::kReadyTimeout : Event::kStopTimeout);
    }
  }
  if (up && message.watchdog_trigger) {
    ExpireWatchdog("it sent WATCHDOG=trigger");
    return;
  }
  if (up && !message.stopping && message.ready && state_ == ProgramState::kStarting &&
      spec_.ready->kind == config::ReadyKind::kNotify) {
    Handle(Event::kReady);
  }
}

}  // namespace vigil::supervise
