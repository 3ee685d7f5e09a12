// SPDX-License-Identifier: MIT
// Program: applies lifecycle outcomes to a real process, its group, timers and logs.
#include "supervise/program.h"

#include <sys/wait.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>

#include <fmt/format.h>

#include "base/units.h"
#include "config/signals.h"
#include "logs/pipe_reader.h"
#include "process/spawn.h"

namespace vigil::supervise {

std::string_view NoteKindName(NoteKind kind) {
  switch (kind) {
    case NoteKind::kNote: return "note";
    case NoteKind::kSignal: return "signal";
    case NoteKind::kSpawnError: return "spawn_error";
    case NoteKind::kLog: return "log";
  }
  return "note";
}

namespace {

std::filesystem::path LogPath(const std::filesystem::path& dir, const std::string& name, const char* suffix) {
  return dir / (name + suffix);
}

}  // namespace

Program::Program(ProgramEnv& env, config::ProgramSpec spec)
    : env_(env),
      spec_(std::move(spec)),
      state_since_(std::chrono::system_clock::now()),
      rng_(static_cast<unsigned>(std::hash<std::string>{}(spec_.name) ^
                                 std::chrono::steady_clock::now().time_since_epoch().count())) {
  stdout_log_ = std::make_unique<logs::LogFile>(env_.loop, LogPath(env_.log_dir, spec_.name, ".out.log"),
                                                spec_.stdout_log, env_.compressor);
  if (!spec_.merge_stderr) {
    stderr_log_ = std::make_unique<logs::LogFile>(env_.loop, LogPath(env_.log_dir, spec_.name, ".err.log"),
                                                  spec_.stderr_log, env_.compressor);
  }
  auto report = [this](const std::string& message) {
    if (env_.observer) env_.observer->OnProgramNote(*this, NoteKind::kLog, message);
  };
  stdout_log_->SetProblemListener(report);
  if (stderr_log_) stderr_log_->SetProblemListener(report);
}

Program::~Program() {
  // Normally every process is stopped before a Program goes away; this is the last guard
  // against leaving a process of a removed program behind.
  if (pgid_ > 0 && spec_.kill_group) ::kill(-pgid_, SIGKILL);
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    env_.reaper.Unwatch(pid_);
  }
}

std::optional<base::Duration> Program::uptime() const {
  if (pid_ == 0) return std::nullopt;
  return std::chrono::duration_cast<base::Duration>(std::chrono::steady_clock::now() - spawned_at_);
}

std::string Program::LogProblem() const {
  std::string p = stdout_log_->problem();
  if (stderr_log_ && !stderr_log_->problem().empty()) p += (p.empty() ? "" : "; ") + stderr_log_->problem();
  return p;
}

void Program::Handle(Event event) {
  Facts facts{spec_.autorestart, last_exit_clean_, failures_, spec_.start_retries};
  Apply(Transition(state_, event, facts), event, "");
}

void Program::Apply(const Outcome& outcome, Event event, const std::string& why) {
  (void)why;
  const ProgramState old = state_;
  if (outcome.next == old && outcome.actions == kNone) return;
  if (outcome.actions & kCancelTimers) timer_.reset();
  if (outcome.actions & kResetFailures) failures_ = 0;
  if (outcome.actions & kCountFailure) ++failures_;
  if (outcome.actions & kCountRestart) ++restarts_;

  std::string message;
  if (outcome.next != old) {
    state_ = outcome.next;
    state_since_ = std::chrono::system_clock::now();
  }

  if (outcome.actions & kSpawn) {
    if (!SpawnChild()) return;  // SpawnChild fed kSpawnFailed and reported it
    message = fmt::format("started pid {}", pid_);
    if (event == Event::kExited) message += fmt::format(" after the previous process ended ({})", last_exit_);
    if (event == Event::kBackoffElapsed) message += fmt::format(" (attempt {} of {})", failures_ + 1, spec_.start_retries + 1);
    if (event == Event::kFatalRetryElapsed) message += " (retrying after FATAL)";
    reason_.clear();
  }
  if (outcome.actions & kArmBackoff) {
    base::Duration delay = BackoffDelay();
    reason_ = fmt::format("{}; retry {} of {} in {}", reason_, failures_, spec_.start_retries,
                          base::FormatDuration(delay));
    message = reason_;
    ArmTimer(delay, Event::kBackoffElapsed);
  }
  if (outcome.actions & kArmFatalRetry) {
    reason_ = fmt::format("{}; gave up after {} attempts", reason_, failures_);
    if (spec_.fatal_retry_after) {
      reason_ += "; will try again in " + base::FormatDuration(*spec_.fatal_retry_after);
      ArmTimer(*spec_.fatal_retry_after, Event::kFatalRetryElapsed);
    }
    message = reason_;
  }
  if (outcome.actions & kSendStopSignal) {
    KillGroup(spec_.stop_signal);
    reason_ = "stopping";
    message = fmt::format("sent {} to {} {}", config::SignalName(spec_.stop_signal),
                          spec_.kill_group ? "process group" : "pid", spec_.kill_group ? pgid_ : pid_);
    ArmTimer(spec_.stop_timeout, Event::kStopTimeout);
  }
  if (outcome.actions & kSendKill) {
    KillGroup(SIGKILL);
    reason_ = fmt::format("did not stop within {}; killed", base::FormatDuration(spec_.stop_timeout));
    if (env_.observer)
      env_.observer->OnProgramNote(*this, NoteKind::kSignal, fmt::format("stop_timeout {} passed: sent SIGKILL to {} {}",
                                                      base::FormatDuration(spec_.stop_timeout),
                                                      spec_.kill_group ? "process group" : "pid",
                                                      spec_.kill_group ? pgid_ : pid_));
  }
  if (state_ == ProgramState::kExited && old != ProgramState::kExited) {
    reason_ = fmt::format("exited ({})", last_exit_);
    if (spec_.autorestart == config::AutoRestart::kNever) reason_ += "; autorestart = never";
    else if (last_exit_clean_) reason_ += "; expected exit code, not restarted";
    message = reason_;
  }
  if (state_ == ProgramState::kRunning && old == ProgramState::kStarting) {
    message = fmt::format("pid {} up for {}", pid_, base::FormatDuration(spec_.start_seconds));
  }
  if (state_ == ProgramState::kStopped && old == ProgramState::kStopping) {
    if (reason_ == "stopping") reason_.clear();
    message = last_exit_.empty() ? "stopped" : fmt::format("stopped ({})", last_exit_);
  }
  if (state_ == ProgramState::kStopped && old != ProgramState::kStopping) reason_.clear();

  if (env_.observer) {
    if (state_ != old) env_.observer->OnStateChanged(*this, old, message);
    else if (!message.empty() && !(outcome.actions & kSendKill))
      env_.observer->OnProgramNote(*this, (outcome.actions & kSendStopSignal) ? NoteKind::kSignal : NoteKind::kNote,
                                   message);
  }

  // Spawned: arm the start_seconds timer after reporting STARTING, so a zero start_seconds
  // reports STARTING then RUNNING in order.
  if ((outcome.actions & kSpawn) && state_ == ProgramState::kStarting && pid_ > 0) {
    if (spec_.start_seconds.count() == 0) {
      Handle(Event::kStartSecondsElapsed);
    } else {
      ArmTimer(spec_.start_seconds, Event::kStartSecondsElapsed);
    }
  }
}

bool Program::SpawnChild() {
  process::SpawnRequest req;
  req.argv = spec_.argv;
  req.directory = spec_.directory;
  req.environment = spec_.environment;
  req.environment["VIGIL_PROGRAM"] = spec_.name;
  req.environment["VIGIL_INSTANCE"] = std::to_string(spec_.instance);
  req.uid = spec_.uid;
  req.gid = spec_.gid;
  req.umask = spec_.umask;
  req.merge_stderr = spec_.merge_stderr;
  auto child = process::Spawn(req);
  if (!child) {
    reason_ = "spawn failed: " + child.error().message();
    last_exit_.clear();
    last_exit_clean_ = false;
    if (env_.observer) env_.observer->OnProgramNote(*this, NoteKind::kSpawnError, reason_);
    Handle(Event::kSpawnFailed);
    return false;
  }
  pid_ = child->pid;
  pgid_ = child->pid;
  main_exited_ = false;
  spawned_at_ = std::chrono::steady_clock::now();
  env_.reaper.Watch(pid_, [this](pid_t, int status) { OnChildExit(status); });
  if (env_.observer) env_.observer->OnProcessStarted(*this, pid_);
  AddReader(child->stdout_fd.release(), *stdout_log_);
  if (child->stderr_fd.valid()) AddReader(child->stderr_fd.release(), *stderr_log_);
  return true;
}

void Program::ArmTimer(base::Duration delay, Event event) {
  timer_ = env_.loop.AddTimer(delay, [this, event] {
    // A fired timer is dropped at once: a thousand programs past start_seconds would
    // otherwise each keep one for nothing.
    timer_.reset();
    Handle(event);
  });
}

void Program::AddReader(int fd, logs::LogFile& log) {
  uint64_t id = next_reader_id_++;
  // A finished reader is removed on the next loop turn, never from inside its own callback.
  auto on_eof = [this, id, alive = std::weak_ptr<bool>(alive_)] {
    env_.loop.Post([this, id, alive] {
      if (alive.expired()) return;
      std::erase_if(readers_, [id](const auto& r) { return r.first == id; });
      if (readers_.empty() && env_.observer) env_.observer->OnOutputDrained(*this);
    });
  };
  readers_.emplace_back(id, std::make_unique<logs::PipeReader>(
                                env_.loop, base::UniqueFd(fd), [&log](std::string_view data) { log.Write(data); },
                                std::move(on_eof)));
}

void Program::OnChildExit(int wait_status) {
  last_exit_ = process::DescribeWaitStatus(wait_status);
  last_exit_clean_ = WIFEXITED(wait_status) &&
                     std::find(spec_.exit_codes.begin(), spec_.exit_codes.end(), WEXITSTATUS(wait_status)) !=
                         spec_.exit_codes.end();
  if (env_.observer) env_.observer->OnProcessEnded(*this, pid_, last_exit_);
  pid_ = 0;
  main_exited_ = true;
  if (state_ == ProgramState::kStopping) {
    if (spec_.kill_group && GroupAlive()) return;  // CheckGroupGone() finishes the stop
    pgid_ = 0;
    Handle(Event::kExited);
    return;
  }
  // The main process is gone; whatever it left in its group would hold ports and files
  // that the next process needs.
  if (spec_.kill_group && GroupAlive()) {
    KillGroup(SIGKILL);
    if (env_.observer)
      env_.observer->OnProgramNote(*this, NoteKind::kSignal, fmt::format("killed processes left in group {} after the main process ended", pgid_));
  }
  pgid_ = 0;
  reason_ = fmt::format("exited too quickly ({})", last_exit_);
  Handle(Event::kExited);
}

void Program::CheckGroupGone() {
  if (state_ != ProgramState::kStopping || !main_exited_ || GroupAlive()) return;
  pgid_ = 0;
  Handle(Event::kExited);
}

bool Program::GroupAlive() const {
  // kill(2) with signal 0 checks existence; ESRCH means no process is left in the group.
  return pgid_ > 0 && ::kill(-pgid_, 0) == 0;
}

void Program::KillGroup(int signo) {
  if (spec_.kill_group && pgid_ > 0) {
    ::kill(-pgid_, signo);
  } else if (pid_ > 0) {
    ::kill(pid_, signo);
  }
}

base::Status Program::Signal(int signo) {
  if (pid_ == 0) {
    return base::Status::Conflict(fmt::format("{} has no running process ({})", spec_.name, StateName(state_)));
  }
  KillGroup(signo);
  if (env_.observer)
    env_.observer->OnProgramNote(*this, NoteKind::kSignal, fmt::format("sent {} to {} {} on request", config::SignalName(signo),
                                                    spec_.kill_group ? "process group" : "pid",
                                                    spec_.kill_group ? pgid_ : pid_));
  return base::Status::Ok();
}

void Program::ReopenLogs() {
  stdout_log_->Reopen();
  if (stderr_log_) stderr_log_->Reopen();
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

}  // namespace vigil::supervise
