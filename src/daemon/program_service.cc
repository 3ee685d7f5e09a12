// SPDX-License-Identifier: MIT
// ProgramService: program control for the API, and the record of what programs do.
#include "daemon/program_service.h"

#include <fmt/format.h>

#include <unordered_set>

namespace vigil::daemon {
namespace {

constexpr base::Duration kWaitMargin = std::chrono::seconds(30);
// A batch of notes this large is a burst (many programs started or stopped together).
constexpr size_t kBurstNotes = 256;

}  // namespace

ProgramService::ProgramService(supervise::ProgramEnv env, EventLog& event_log, History& history,
                               std::function<void()> after_burst)
    : event_log_(event_log),
      history_(history),
      clock_(env.clock),
      after_burst_(std::move(after_burst)),
      supervisor_(std::move(env), this),
      waiters_(supervisor_, clock_) {
  // A program the user stopped stays stopped across vigild restarts, until started or
  // until its config changes.
  supervisor_.SetInitialWant([this](const config::ProgramSpec& spec) { return history_.RememberedWant(spec); });
}

supervise::ReloadResult ProgramService::Apply(const std::vector<config::ProgramSpec>& specs) {
  supervise::ReloadResult result = supervisor_.Apply(specs);
  if (changed_) {
    for (const auto* names : {&result.added, &result.removed, &result.changed}) {
      for (const std::string& name : *names) changed_(name);
    }
  }
  return result;
}

void ProgramService::Shutdown(std::function<void()> done) {
  supervisor_.Shutdown(std::move(done));
  waiters_.Check();  // waits for programs to come up cannot succeed any more
}

int ProgramService::KilledAfterStopTimeout() const {
  int killed = 0;
  for (const supervise::Program* p : supervisor_.programs()) {
    if (p->cause() == supervise::Cause::kKilledAfterTimeout) ++killed;
  }
  return killed;
}

std::vector<std::string> ProgramService::Problems() const {
  std::vector<std::string> out;
  for (supervise::Program* p : supervisor_.programs()) {
    if (std::string problem = p->LogProblem(); !problem.empty()) out.push_back(p->name() + ": " + problem);
  }
  return out;
}

base::Result<std::string> ProgramService::RestartIfWanted(const std::vector<std::string>& names) {
  auto programs = supervisor_.Resolve(names);
  if (!programs) return programs.error();
  std::string out;
  for (supervise::Program* p : *programs) {
    if (std::optional<std::string> why_not = supervisor_.RestartIfWanted(*p)) {
      out += p->name() + ": not restarted (" + *why_not + ")\n";
    } else {
      out += p->name() + ": restarting\n";
    }
  }
  return out;
}

void ProgramService::OnNotify(const process::NotifySocket::Sender& sender, const process::NotifyMessage& message,
                              const std::filesystem::path& proc_root) {
  auto led_by = [this](pid_t leader) -> supervise::Program* {
    for (supervise::Program* p : supervisor_.programs()) {
      if (p->pid() == leader) return p;
    }
    return nullptr;
  };
  supervise::Program* program = led_by(sender.pid);
  // Every program's main process leads its own group, so a helper's group names the program.
  if (program == nullptr) {
    if (const std::optional<pid_t> group = process::ProcessGroupOf(sender.pid, proc_root); group && *group > 0) {
      program = led_by(*group);
    }
  }
  if (program != nullptr) program->Notify(message);
}

// --- notes ---

void ProgramService::OnProgramsSettled(size_t notes) {
  waiters_.Check();
  if (notes >= kBurstNotes && after_burst_) after_burst_();
}

void ProgramService::OnProgramNote(const supervise::ProgramNote& note) {
  using Kind = supervise::ProgramNote::Kind;
  switch (note.kind) {
    case Kind::kStateChanged: {
      if (changed_) changed_(note.program);
      const std::string_view from = supervise::StateName(note.from);
      const std::string_view to = supervise::StateName(note.to);
      event_log_.Write(note.program,
                       fmt::format("{} -> {}{}{}", from, to, note.message.empty() ? "" : ": ", note.message),
                       base::EventType::kState,
                       fmt::format(R"({{"from":"{}","to":"{}","pid":{}}})", from, to, note.pid));
      // An unplanned end: a crash restarted at once, or a failed start backing off.
      const bool crashed = (note.from == supervise::ProgramState::kRunning && note.to == supervise::ProgramState::kStarting) ||
                           note.to == supervise::ProgramState::kBackoff;
      if (crashed && findings_ != nullptr) {
        // The latest exit; the note's own message tells the restart, not the crash.
        const supervise::Program* program = supervisor_.Find(note.program);
        const std::string how = program != nullptr && !program->last_exit().empty() ? "(" + program->last_exit() + ")" : "";
        if (auto text = crash_loops_.OnCrash(note.program, clock_.SteadyNow(), how)) {
          findings_->Record(Severity::kWarn, "program", note.program, *text);
        }
      }
      if (note.to == supervise::ProgramState::kStopped) crash_loops_.Forget(note.program);
      if (note.to == supervise::ProgramState::kFatal && findings_ != nullptr) {
        findings_->Record(Severity::kCrit, "program", note.program,
                          fmt::format("{} gave up and is FATAL{}{}. Read its log (vigil logs {}), then start it again "
                                      "(vigil start {}).",
                                      note.program, note.message.empty() ? "" : ": ", note.message, note.program,
                                      note.program));
      }
      break;
    }
    case Kind::kMessage:
      event_log_.Write(note.program, note.message, note.type);
      break;
    case Kind::kProcessStarted:
      history_.ProcessStarted(note.program, note.pid);
      break;
    case Kind::kProcessEnded:
      history_.ProcessEnded(note.program, note.pid, note.message, note.reason);
      break;
    case Kind::kWantChanged:
      if (note.spec) history_.SetWant(*note.spec, note.want_up);
      break;
    case Kind::kWatchdogExpired:
      if (findings_ != nullptr) {
        findings_->Record(Severity::kCrit, "program", note.program,
                          supervise::WatchdogFinding(note.program, note.message));
      }
      break;
  }
}

// --- api::ProgramController ---

std::vector<api::ProgramInfo> ProgramService::ListPrograms() {
  std::vector<api::ProgramInfo> out;
  for (supervise::Program* p : supervisor_.programs()) out.push_back(ToInfo(*p));
  return out;
}

base::Result<std::vector<api::ProgramInfo>> ProgramService::FindPrograms(const std::vector<std::string>& names) {
  auto programs = supervisor_.Resolve(names);
  if (!programs) return programs.error();
  std::vector<api::ProgramInfo> out;
  for (supervise::Program* p : *programs) out.push_back(ToInfo(*p));
  return out;
}

base::Status ProgramService::VisitPrograms(const std::vector<std::string>& names,
                                          const std::function<void(const api::ProgramInfo&)>& visit) {
  // One ProgramInfo filled in place for every program: after the first, its strings have
  // room for the next one's, so a list of 100 programs allocates next to nothing.
  auto programs = names.empty() ? base::Result<std::vector<supervise::Program*>>(supervisor_.programs())
                                : supervisor_.Resolve(names);
  if (!programs) return programs.error();
  api::ProgramInfo info;
  for (supervise::Program* p : *programs) {
    FillInfo(*p, &info);
    visit(info);
  }
  return base::Status::Ok();
}

base::Result<std::vector<api::ProgramInfo>> ProgramService::SetAutostart(const std::vector<std::string>& names,
                                                                         bool enabled) {
  auto programs = supervisor_.Resolve(names);
  if (!programs) return programs.error();
  std::vector<api::ProgramInfo> out;
  for (supervise::Program* p : *programs) {
    // The same memory as a stop or start: it holds until the program's config changes.
    history_.SetWant(p->spec(), enabled);
    event_log_.Write(p->name(), enabled ? "autostart on: starts when vigild starts"
                                        : "autostart off: stays stopped when vigild starts",
                     base::EventType::kNote);
    out.push_back(ToInfo(*p));
    if (changed_) changed_(p->name());
  }
  return out;
}

base::Result<api::ProgramInfo> ProgramService::GetProgram(const std::string& name) {
  supervise::Program* p = supervisor_.Find(name);
  if (!p) return base::Status::NotFound("unknown program: " + name);
  return ToInfo(*p);
}

std::optional<api::ProgramRun> ProgramService::RunOf(const std::string& name) {
  supervise::Program* p = supervisor_.Find(name);
  if (!p) return std::nullopt;
  api::ProgramRun run{std::string(supervise::StateName(p->state())), p->pid(), -1};
  if (auto up = p->uptime()) run.uptime_ms = up->count();
  return run;
}

void ProgramService::Start(const std::vector<std::string>& names, const api::WaitOptions& wait,
                           api::ProgramsDoneFn done) {
  Act(Action::kStart, names, wait, std::move(done));
}
void ProgramService::Stop(const std::vector<std::string>& names, const api::WaitOptions& wait,
                          api::ProgramsDoneFn done) {
  Act(Action::kStop, names, wait, std::move(done));
}
void ProgramService::Restart(const std::vector<std::string>& names, const api::WaitOptions& wait,
                             api::ProgramsDoneFn done) {
  Act(Action::kRestart, names, wait, std::move(done));
}

void ProgramService::Act(Action action, const std::vector<std::string>& names, const api::WaitOptions& wait,
                         api::ProgramsDoneFn done) {
  if (supervisor_.shutting_down()) return done(base::Status::Conflict("vigild is shutting down"));
  auto programs = supervisor_.Resolve(names);
  if (!programs) return done(programs.error());
  for (supervise::Program* p : *programs) {
    switch (action) {
      case Action::kStart: supervisor_.Start(*p); break;
      case Action::kStop: supervisor_.Stop(*p); break;
      case Action::kRestart: supervisor_.Restart(*p); break;
    }
  }
  // What the answer lists: the programs named, as they are when it is given.
  auto answer = [this, names, done = std::move(done)](base::Status status) {
    if (!status.ok()) return done(status);
    done(FindPrograms(names));
  };
  if (!wait.wait) return answer(base::Status::Ok());
  const supervise::Goal goal = action == Action::kStop ? supervise::Goal::kDown : supervise::Goal::kUp;
  std::vector<Waiters::Target> targets;
  for (supervise::Program* p : *programs) targets.push_back({p->name(), supervisor_.WantEpoch(*p)});
  waiters_.Add(std::move(targets), goal, wait.timeout.value_or(DefaultTimeout(*programs, goal)), std::move(answer));
}

base::Duration ProgramService::DefaultTimeout(const std::vector<supervise::Program*>& programs,
                                              supervise::Goal goal) const {
  // Everything the request may have to wait through: a start waits for the dependencies
  // (each may first have to stop, for a restart); a stop for the dependents to stop first.
  std::unordered_set<const supervise::Program*> involved;
  std::vector<const supervise::Program*> todo(programs.begin(), programs.end());
  while (!todo.empty()) {
    const supervise::Program* p = todo.back();
    todo.pop_back();
    if (!involved.insert(p).second) continue;
    for (supervise::Program* next :
         goal == supervise::Goal::kUp ? supervisor_.Dependencies(*p) : supervisor_.Dependents(*p)) {
      todo.push_back(next);
    }
  }
  base::Duration total = kWaitMargin;
  for (const supervise::Program* p : involved) {
    total += p->spec().stop_timeout;
    if (goal == supervise::Goal::kUp) {
      total += p->spec().ready->kind == config::ReadyKind::kStartSeconds ? p->spec().start_seconds
                                                                         : p->spec().ready->timeout;
    }
  }
  return std::min(total, event::Loop::kMaxTimerDelay);
}

base::Result<std::vector<api::SignalOutcome>> ProgramService::Signal(const std::vector<std::string>& names,
                                                                     int signo) {
  // Every name is checked before anything is sent.
  auto programs = supervisor_.Resolve(names);
  if (!programs) return programs.error();
  std::vector<api::SignalOutcome> out;
  for (supervise::Program* p : *programs) {
    const pid_t pid = p->pid();
    base::Status sent = p->Signal(signo);
    out.push_back({p->name(), pid, sent.ok() ? "" : sent.message()});
  }
  return out;
}

base::Result<std::filesystem::path> ProgramService::LogPath(const std::string& name, api::Stream stream) {
  supervise::Program* p = supervisor_.Find(name);
  if (!p) return base::Status::NotFound("unknown program: " + name);
  return stream == api::Stream::kStdout ? p->stdout_log().path() : p->stderr_log().path();
}

uint64_t ProgramService::LogLineCount(const std::string& name, api::Stream stream) {
  supervise::Program* p = supervisor_.Find(name);
  if (!p) return 0;
  return (stream == api::Stream::kStdout ? p->stdout_log() : p->stderr_log()).lines_written();
}

std::string ProgramService::LogLevelRegex(const std::string& name) {
  supervise::Program* p = supervisor_.Find(name);
  return p ? p->spec().log_level_regex : std::string();
}

base::Result<event::HandlePtr> ProgramService::FollowLog(const std::string& name, api::Stream stream,
                                                         std::function<void(std::string_view)> on_data,
                                                         std::function<void(std::string_view)> on_end) {
  supervise::Program* p = supervisor_.Find(name);
  if (!p) return base::Status::NotFound("unknown program: " + name);
  auto& log = stream == api::Stream::kStdout ? p->stdout_log() : p->stderr_log();
  return log.Subscribe(std::move(on_data), std::move(on_end));
}

api::ProgramInfo ProgramService::ToInfo(supervise::Program& p) const {
  api::ProgramInfo info;
  FillInfo(p, &info);
  return info;
}

void ProgramService::FillInfo(supervise::Program& p, api::ProgramInfo* info) const {
  info->name = p.name();
  info->state = supervise::StateName(p.state());
  info->want = supervisor_.WantsUp(p) ? "up" : "down";
  info->pid = p.pid();
  auto up = p.uptime();
  info->uptime_ms = up ? up->count() : -1;
  info->state_since_ms = base::UnixMs(p.state_since());
  info->restarts = p.restarts();
  info->last_exit = p.last_exit();
  info->reason = p.reason();
  info->status = p.status_text();
  info->autostart = history_.RememberedWant(p.spec()).value_or(p.spec().autostart);
  if (auto problem = p.LogProblem(); !problem.empty()) info->reason += (info->reason.empty() ? "" : "; ") + problem;
  info->stdout_log = p.stdout_log().path_name();
  info->stderr_log = p.stderr_log().path_name();
}

}  // namespace vigil::daemon
