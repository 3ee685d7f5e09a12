// SPDX-License-Identifier: MIT
// Task: one run at a time (or per overlap policy), each a process group with captured
// output and a timeout, or a built-in action; retries failed runs with back-off.
#include "tasks/task.h"

#include <sys/wait.h>

#include <csignal>
#include <thread>

#include <fmt/format.h>

#include "base/units.h"
#include "config/signals.h"
#include "logs/pipe_reader.h"
#include "process/launcher.h"
#include "process/spawn.h"
#include "tasks/cleanup.h"

namespace vigil::tasks {

std::string_view TriggerName(Trigger trigger) {
  switch (trigger) {
    case Trigger::kSchedule: return "schedule";
    case Trigger::kManual: return "manual";
    case Trigger::kCatchUp: return "catch-up";
    case Trigger::kRetry: return "retry";
    case Trigger::kReboot: return "reboot";
    case Trigger::kCheck: return "check";
  }
  return "manual";
}

std::optional<Trigger> ParseTrigger(std::string_view name) {
  for (Trigger t : {Trigger::kSchedule, Trigger::kManual, Trigger::kCatchUp, Trigger::kRetry, Trigger::kReboot,
                    Trigger::kCheck}) {
    if (TriggerName(t) == name) return t;
  }
  return std::nullopt;
}

namespace {

// retry_backoff * 2^(attempt-1), saturating instead of overflowing for huge settings.
base::Duration RetryDelay(base::Duration first, int attempt) {
  const int doublings = std::min(attempt - 1, 20);
  const base::Duration limit = event::Loop::kMaxTimerDelay;
  if (first > limit / (int64_t{1} << doublings)) return limit;
  return first * (int64_t{1} << doublings);
}

}  // namespace

std::string Run::Result() const {
  if (!ended) return interrupted ? "interrupted" : "running";
  if (timed_out) return "timed out";
  if (signal) return "killed by " + config::SignalName(*signal);
  if (exit_code) return "exit " + std::to_string(*exit_code);
  return "ended";
}

struct Task::Current {
  Run run;
  std::function<void(const Run&)> on_done;
  pid_t pid = 0;
  bool exited = true;  // the process (if any) has been reaped
  bool eof = true;     // the output pipe (if any) reached EOF
  bool replace_pending = false;
  std::unique_ptr<logs::PipeReader> reader;
  event::HandlePtr timeout_timer;
  event::HandlePtr delay_timer;
  std::thread worker;  // a cleanup action runs here, off the loop
};

Task::Task(TaskEnv& env, config::TaskSpec spec, schedule::Schedule schedule)
    : env_(env),
      spec_(std::move(spec)),
      schedule_(std::move(schedule)),
      enabled_(spec_.enabled),
      rng_(static_cast<unsigned>(std::hash<std::string>{}(spec_.name) ^
                                 std::chrono::steady_clock::now().time_since_epoch().count())) {}

Task::~Task() {
  *alive_ = false;
  if (!current_) return;
  if (current_->pid > 0) {
    env_.launcher.SignalGroup(current_->pid, SIGKILL);
    env_.launcher.Abandon(current_->pid);
  }
  if (current_->worker.joinable()) current_->worker.join();
}

base::Result<int64_t> Task::Start(Trigger trigger, std::function<void(const Run&)> on_done) {
  // A user asking for a run, or a retry of one that already waited, does not wait again.
  const bool waits = trigger == Trigger::kSchedule || trigger == Trigger::kCatchUp || trigger == Trigger::kReboot;
  if (spec_.when_idle && waits) {
    if (waiting_) {
      env_.host.OnTaskNote(
          *this,
          fmt::format("{} run folded into the {} run waiting for an idle machine for {}", TriggerName(trigger),
                      TriggerName(waiting_trigger_),
                      base::FormatDuration(std::chrono::ceil<base::Duration>(env_.clock.Now() - waiting_->since()))));
    } else {
      BeginWait(trigger, env_.clock.Now());
    }
    return int64_t{0};
  }
  return StartNow(trigger, std::move(on_done), base::Duration{0});
}

base::Result<int64_t> Task::StartNow(Trigger trigger, std::function<void(const Run&)> on_done,
                                     base::Duration deferred) {
  if (current_) {
    switch (spec_.overlap) {
      case config::OverlapPolicy::kSkip:
        env_.host.OnTaskNote(*this, fmt::format("{} run skipped: run {} is still going (overlap = skip)",
                                                TriggerName(trigger), current_->run.id));
        return base::Status::Conflict(
            fmt::format("{}: run {} is still going (overlap = skip)", spec_.name, current_->run.id));
      case config::OverlapPolicy::kQueue:
        queued_.push_back({trigger, std::move(on_done), deferred});
        env_.host.OnTaskNote(*this,
                             fmt::format("{} run queued behind run {}", TriggerName(trigger), current_->run.id));
        return int64_t{0};
      case config::OverlapPolicy::kReplace:
        queued_.clear();
        queued_.push_back({trigger, std::move(on_done), deferred});
        current_->replace_pending = true;
        env_.host.OnTaskNote(
            *this, fmt::format("run {} replaced by a {} run: killing it", current_->run.id, TriggerName(trigger)));
        KillGroup(SIGKILL);
        return int64_t{0};
    }
  }
  StartRun(trigger, std::move(on_done), deferred);
  return current_ ? current_->run.id : last_run_ ? last_run_->id : int64_t{0};
}

std::optional<base::WallTime> Task::waiting_since() const {
  if (!waiting_) return std::nullopt;
  return waiting_->since();
}

void Task::ResumeWait(Trigger trigger, base::WallTime since) {
  if (!enabled_ || waiting_) return;
  if (spec_.when_idle) return BeginWait(trigger, since);
  env_.host.OnTaskNote(
      *this, fmt::format("{} run no longer waits for an idle machine (when_idle was removed)", TriggerName(trigger)));
  auto ignored = StartNow(trigger, nullptr, std::chrono::ceil<base::Duration>(env_.clock.Now() - since));
  (void)ignored;
}

void Task::BeginWait(Trigger trigger, base::WallTime since) {
  const config::WhenIdleSpec& idle = *spec_.when_idle;
  waiting_trigger_ = trigger;
  waiting_ = std::make_unique<IdleWait>(env_.clock, idle, env_.host.NewIdleMeter(), since);
  std::optional<IdleWait::End> end = waiting_->Begin([this](IdleWait::End e) { EndWait(e); });
  if (end && *end == IdleWait::End::kIdle && since == env_.clock.Now()) {
    // Idle at once: no wait to speak of, and the run's start says the rest.
    return EndWait(*end);
  }
  std::string limits;
  if (idle.cpu_below_percent) limits = fmt::format("CPU below {:g}%", *idle.cpu_below_percent);
  if (idle.load_below) limits += fmt::format("{}load below {:g} per CPU", limits.empty() ? "" : ", ", *idle.load_below);
  env_.host.OnTaskNote(
      *this, fmt::format("{} run waits for an idle machine ({}; at most {}, then {}){}", TriggerName(trigger), limits,
                         base::FormatDuration(idle.max_wait), idle.skip_after_max_wait ? "skip" : "run",
                         waiting_->last_reason().empty() ? "" : ": " + waiting_->last_reason()));
  if (end) EndWait(*end);
}

void Task::EndWait(IdleWait::End end) {
  std::unique_ptr<IdleWait> wait = std::move(waiting_);
  const Trigger trigger = waiting_trigger_;
  const base::Duration deferred = std::chrono::ceil<base::Duration>(env_.clock.Now() - wait->since());
  if (end == IdleWait::End::kMaxWait) {
    const std::string busy = fmt::format("the machine was not idle within {} ({})",
                                         base::FormatDuration(spec_.when_idle->max_wait), wait->last_reason());
    if (spec_.when_idle->skip_after_max_wait) {
      env_.host.OnIdleSkip(*this, fmt::format("{} run skipped: {} (then = skip)", TriggerName(trigger), busy));
      return;
    }
    env_.host.OnTaskNote(*this, fmt::format("{} run starts anyway: {}", TriggerName(trigger), busy));
  }
  auto ignored = StartNow(trigger, nullptr, deferred);
  (void)ignored;
}

void Task::set_enabled(bool enabled) {
  enabled_ = enabled;
  if (!enabled) {
    retry_timer_.reset();
    attempt_ = 0;
    if (waiting_) {
      waiting_.reset();
      env_.host.OnTaskNote(*this, fmt::format("the {} run waiting for an idle machine is dropped: task disabled",
                                              TriggerName(waiting_trigger_)));
    }
  }
}

void Task::StartRun(Trigger trigger, std::function<void(const Run&)> on_done, base::Duration deferred) {
  retry_timer_.reset();
  current_ = std::make_unique<Current>();
  current_->on_done = std::move(on_done);
  current_->run.trigger = trigger;
  current_->run.started = env_.clock.Now();
  current_->run.deferred = deferred;
  current_->run.id = env_.host.NewRunId(*this, current_->run);
  last_run_ = current_->run;

  // Scheduled runs are spread by random_delay; a user asking for a run gets it now.
  base::Duration delay{0};
  if (spec_.random_delay.count() > 0 && (trigger == Trigger::kSchedule || trigger == Trigger::kCatchUp)) {
    std::uniform_int_distribution<int64_t> d(0, spec_.random_delay.count());
    delay = base::Duration(d(rng_));
  }
  auto go = [this] {
    switch (spec_.action) {
      case config::TaskAction::kCommand: SpawnCommand(); break;
      case config::TaskAction::kCleanup: RunCleanup(); break;
      case config::TaskAction::kRestart: {
        base::Result<std::string> outcome = env_.host.RestartPrograms(spec_.programs);
        current_->run.output = outcome ? *outcome : outcome.error().message() + "\n";
        current_->run.exit_code = outcome ? 0 : 1;
        Finish();
        break;
      }
      case config::TaskAction::kRotateLogs:
        env_.host.RotateLogs();
        current_->run.output = "rotated all log files\n";
        current_->run.exit_code = 0;
        Finish();
        break;
      case config::TaskAction::kReport: {
        base::Result<std::string> outcome = env_.host.WriteReport(spec_.report_period);
        current_->run.output = outcome ? *outcome : outcome.error().message() + "\n";
        current_->run.exit_code = outcome ? 0 : 1;
        Finish();
        break;
      }
    }
  };
  if (delay.count() > 0) {
    current_->delay_timer = env_.clock.AddTimer(delay, go);
  } else {
    go();
  }
}

void Task::SpawnCommand() {
  process::SpawnRequest req;
  req.argv = spec_.argv;
  req.directory = spec_.directory;
  req.environment = spec_.environment;
  req.environment["VIGIL_TASK"] = spec_.name;
  req.environment["VIGIL_RUN_ID"] = std::to_string(current_->run.id);
  req.environment["VIGIL_TRIGGER"] = std::string(TriggerName(current_->run.trigger));
  req.uid = spec_.uid;
  req.gid = spec_.gid;
  req.merge_stderr = true;  // one output per run, in the order it was written
  Current* cur = current_.get();
  auto child = env_.launcher.Launch(req, [this, cur](int status) {
    if (WIFEXITED(status)) cur->run.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) cur->run.signal = WTERMSIG(status);
    cur->exited = true;
    // Whatever the run left in its group goes with it, so nothing of a run outlives it.
    env_.launcher.SignalGroup(cur->pid, SIGKILL);
    MaybeFinish();
  });
  if (!child) {
    cur->run.output = "spawn failed: " + child.error().message() + "\n";
    cur->run.exit_code = 127;
    Finish();
    return;
  }
  const size_t max = spec_.output_max_bytes;
  auto reader = logs::PipeReader::Start(
      env_.loop, std::move(child->stdout_fd),
      [cur, max](std::string_view data) {
        std::string& out = cur->run.output;
        out.append(data);
        // Keep the end; trimming in bulk keeps appends amortised O(1).
        if (out.size() > 2 * max + 4096) out.erase(0, out.size() - max);
      },
      [this, cur, alive = std::weak_ptr<bool>(alive_)] {
        // Called from inside the reader; finish on the next turn, when it is safe to drop it.
        env_.loop.Post([this, cur, alive] {
          if (alive.expired() || current_.get() != cur) return;
          cur->eof = true;
          MaybeFinish();
        });
      });
  if (!reader) {
    // Nobody would read the pipe, so the run would block on it: it must not go on.
    env_.launcher.SignalGroup(child->pid, SIGKILL);
    env_.launcher.Abandon(child->pid);
    cur->run.output = fmt::format("spawn failed: cannot read the output of pid {}: {}; killed it\n", child->pid,
                                  reader.error().message());
    cur->run.exit_code = 127;
    Finish();
    return;
  }
  cur->pid = child->pid;
  cur->exited = false;
  cur->eof = false;
  cur->reader = std::move(reader).value();
  if (spec_.timeout) {
    cur->timeout_timer = env_.clock.AddTimer(*spec_.timeout, [this, cur] {
      cur->run.timed_out = true;
      env_.host.OnTaskNote(*this, fmt::format("run {} timed out after {}: killing its process group",
                                              cur->run.id, base::FormatDuration(*spec_.timeout)));
      KillGroup(SIGKILL);
    });
  }
}

void Task::RunCleanup() {
  Current* cur = current_.get();
  config::CleanupSpec cleanup = spec_.cleanup;
  cur->exited = false;
  // Walking and deleting many files is slow I/O: do it off the loop, report back on it.
  const base::WallTime now = env_.clock.Now();  // the clock is not for other threads
  cur->worker = std::thread([this, cur, cleanup, now, alive = std::weak_ptr<bool>(alive_)] {
    CleanupReport report = Cleanup(cleanup, now);
    env_.loop.Post([this, cur, report, alive] {
      if (alive.expired() || current_.get() != cur) return;
      cur->worker.join();
      cur->run.output = report.Summary();
      cur->run.exit_code = report.errors.empty() ? 0 : 1;
      cur->exited = true;
      MaybeFinish();
    });
  });
}

void Task::KillGroup(int signo) {
  if (current_ && current_->pid > 0 && !current_->exited) env_.launcher.SignalGroup(current_->pid, signo);
}

void Task::MaybeFinish() {
  if (current_ && current_->exited && current_->eof) Finish();
}

void Task::Finish() {
  std::unique_ptr<Current> cur = std::move(current_);
  // Nothing of this run may act after it ended (a late timeout would hit the next run).
  cur->timeout_timer.reset();
  cur->delay_timer.reset();
  const Run run = [&] {
    Run r = std::move(cur->run);
    r.ended = env_.clock.Now();
    if (r.output.size() > spec_.output_max_bytes) r.output.erase(0, r.output.size() - spec_.output_max_bytes);
    return r;
  }();
  last_run_ = run;
  auto on_done = std::move(cur->on_done);
  const bool replaced = cur->replace_pending;
  // The reader may still be on the call stack (a spawn failure has none); drop it later.
  env_.loop.Post([cur = std::shared_ptr<Current>(std::move(cur))] {});

  // The task's own state is settled (retry armed or streak over) before anyone hears of
  // the run's end, so nothing told can find it half-way.
  std::string retry_note;
  if (run.Succeeded()) {
    attempt_ = 0;
  } else if (!replaced && run.trigger != Trigger::kManual && run.trigger != Trigger::kCheck &&
             attempt_ < spec_.retries) {
    ++attempt_;
    base::Duration delay = RetryDelay(spec_.retry_backoff, attempt_);
    retry_note = fmt::format("run {} failed ({}); retry {} of {} in {}", run.id, run.Result(), attempt_,
                             spec_.retries, base::FormatDuration(delay));
    retry_timer_ = env_.clock.AddTimer(delay, [this] {
      if (!current_) StartRun(Trigger::kRetry, nullptr);
    });
  } else {
    attempt_ = 0;  // the streak is over; the next scheduled run gets its retries again
  }

  env_.host.OnRunFinished(*this, run);
  if (on_done) on_done(run);
  if (!retry_note.empty()) env_.host.OnTaskNote(*this, retry_note);

  if (!queued_.empty() && !current_) {
    Queued next = std::move(queued_.front());
    queued_.pop_front();
    StartRun(next.trigger, std::move(next.on_done), next.deferred);
  }
}

}  // namespace vigil::tasks
