// SPDX-License-Identifier: MIT
// Supervisor: wants and epochs, the reconciler, reload diff, shutdown, and the progress of
// waiting requests.
#include "supervise/supervisor.h"

#include <algorithm>
#include <unordered_set>

#include <fmt/format.h>

#include "base/check.h"

namespace vigil::supervise {
namespace {

// A dependency is satisfied by a running program, or by a one-shot that finished cleanly.
bool Satisfies(const Program& dep) {
  return dep.state() == ProgramState::kRunning ||
         (dep.state() == ProgramState::kExited && dep.last_exit_clean());
}

std::string StateAndReason(const Program& p) {
  std::string reason = p.reason();
  return fmt::format("{}{}{}", StateName(p.state()), reason.empty() ? "" : ": ", reason);
}

// Output still in the pipes is read before vigild exits, but a pipe held open by a
// process that escaped its group cannot hold the shutdown forever.
constexpr base::Duration kShutdownDrainLimit{2000};

// Notes a batch usually holds, and the most one program gives in one reconcile pass
// (process started, state changed, and a spawn error or a note).
constexpr size_t kSmallBatch = 8;
constexpr size_t kNotesPerProgram = 3;

}  // namespace

Supervisor::Supervisor(ProgramEnv env, SupervisorObserver* observer)
    : loop_(env.loop), env_(std::move(env)), observer_(observer) {
  env_.observer = this;
}

Supervisor::~Supervisor() { *alive_ = false; }

std::vector<Program*> Supervisor::programs() const {
  std::vector<Program*> out;
  out.reserve(entries_.size());
  for (const auto& e : entries_) out.push_back(e->program.get());
  return out;
}

std::vector<Program*> Supervisor::Dependencies(const Program& p) const {
  std::vector<Program*> out;
  for (Entry* e : DependenciesOf(EntryOf(p))) out.push_back(e->program.get());
  return out;
}

std::vector<Program*> Supervisor::Dependents(const Program& p) const {
  std::vector<Program*> out;
  for (Entry* e : DependentsOf(EntryOf(p))) out.push_back(e->program.get());
  return out;
}

uint32_t Supervisor::IndexOf(std::string_view name) const {
  auto it = std::lower_bound(by_name_.begin(), by_name_.end(), name,
                             [this](uint32_t i, std::string_view n) { return entries_[i]->program->name() < n; });
  if (it == by_name_.end() || entries_[*it]->program->name() != name) return kNoEntry;
  return *it;
}

Supervisor::Entry* Supervisor::EntryOf(std::string_view name) const {
  uint32_t i = IndexOf(name);
  return i == kNoEntry ? nullptr : entries_[i].get();
}

Supervisor::Entry& Supervisor::EntryOf(const Program& p) const {
  Entry* e = EntryOf(p.name());
  VIGIL_CHECK(e != nullptr && e->program.get() == &p, "program " + p.name() + " is not the supervisor's");
  return *e;
}

Program* Supervisor::Find(std::string_view name) {
  Entry* e = EntryOf(name);
  return e ? e->program.get() : nullptr;
}

bool Supervisor::WantsUp(const Program& p) const { return EntryOf(p).want_up; }
uint32_t Supervisor::WantEpoch(const Program& p) const { return EntryOf(p).want_epoch; }

ReloadResult Supervisor::Apply(const std::vector<config::ProgramSpec>& specs) {
  ReloadResult result;
  // The new entries_, in config order: each spec takes its program's entry or a new one.
  // Every lookup comes before the first entry moves: the index compares the entries' names.
  std::vector<uint32_t> found(specs.size());
  for (size_t s = 0; s < specs.size(); ++s) found[s] = IndexOf(specs[s].name);
  std::vector<std::unique_ptr<Entry>> next;
  next.reserve(specs.size());
  for (size_t s = 0; s < specs.size(); ++s) {
    const config::ProgramSpec& spec = specs[s];
    const uint32_t i = found[s];
    if (i == kNoEntry) {
      auto e = std::make_unique<Entry>();
      e->program = std::make_unique<Program>(env_, spec);
      Cause cause = Cause::kNone;
      e->want_up = InitialWant(spec, &cause);
      e->program->SetCause(cause);
      next.push_back(std::move(e));
      result.added.push_back(spec.name);
      continue;
    }
    std::unique_ptr<Entry> e = std::move(entries_[i]);
    if (e->program->spec() == spec && !e->removing) {
      e->replacement.reset();
      result.unchanged.push_back(spec.name);
    } else {
      e->removing = false;
      e->replacement = std::make_unique<config::ProgramSpec>(spec);
      result.changed.push_back(spec.name);
    }
    next.push_back(std::move(e));
  }
  // What is left is not in the config any more: it stops, whatever depends on it (the
  // dependents were changed or removed by the same reload, since a config cannot name a
  // missing dependency), and goes once stopped. Listed last, so status keeps file order.
  for (auto& e : entries_) {
    if (!e) continue;
    if (!e->removing) result.removed.push_back(e->program->name());
    e->removing = true;
    e->replacement.reset();
    e->want_up = false;
    next.push_back(std::move(e));
  }
  entries_ = std::move(next);
  RebuildGraph();
  ScheduleReconcile();
  return result;
}

void Supervisor::RebuildGraph() {
  by_name_.resize(entries_.size());
  for (uint32_t i = 0; i < entries_.size(); ++i) by_name_[i] = i;
  std::sort(by_name_.begin(), by_name_.end(),
            [this](uint32_t a, uint32_t b) { return entries_[a]->program->name() < entries_[b]->program->name(); });
  dependents_.clear();
  for (auto& e : entries_) {
    for (Entry* d : DependenciesOf(*e)) dependents_[d].push_back(e.get());
  }
  // Depth by a memoised walk, kept in the entries (-1: not known yet; -2: being computed,
  // which only a cycle, excluded when the config is loaded, could meet again).
  for (auto& e : entries_) e->depth = -1;
  std::function<int(Entry&)> depth_of = [&](Entry& e) {
    if (e.depth >= 0) return e.depth;
    if (e.depth == -2) return 0;
    e.depth = -2;
    int d = 0;
    for (Entry* dep : DependenciesOf(e)) d = std::max(d, depth_of(*dep) + 1);
    e.depth = d;
    return d;
  };
  by_depth_.clear();
  by_depth_.reserve(entries_.size());
  for (auto& e : entries_) {
    depth_of(*e);
    by_depth_.push_back(e.get());
  }
  std::stable_sort(by_depth_.begin(), by_depth_.end(),
                   [](const Entry* a, const Entry* b) { return a->depth < b->depth; });
}

std::vector<Supervisor::Entry*> Supervisor::DependenciesOf(const Entry& e) const {
  std::vector<Entry*> out;
  for (const auto& name : e.program->spec().depends_on) {
    if (Entry* d = EntryOf(name)) out.push_back(d);
  }
  return out;
}

const std::vector<Supervisor::Entry*>& Supervisor::DependentsOf(const Entry& e) const {
  static const std::vector<Entry*> kNone;
  auto it = dependents_.find(&e);
  return it == dependents_.end() ? kNone : it->second;
}

base::Result<std::vector<Program*>> Supervisor::Resolve(const std::vector<std::string>& names) {
  std::vector<Program*> out;
  std::unordered_set<const Program*> seen;
  auto add = [&](Entry* e) {
    if (e && !e->removing && seen.insert(e->program.get()).second) out.push_back(e->program.get());
  };
  for (const auto& name : names) {
    if (name == "all") {
      for (auto& e : entries_) add(e.get());
      continue;
    }
    if (Entry* e = EntryOf(name); e && !e->removing) {
      add(e);
      continue;
    }
    // A [program.NAME] with instances: NAME:0, NAME:1, ... are contiguous.
    bool found = false;
    for (int i = 0;; ++i) {
      Entry* e = EntryOf(name + ":" + std::to_string(i));
      if (!e) break;
      if (e->removing || e->program->spec().table_name != name) continue;
      add(e);
      found = true;
    }
    if (!found) return base::Status::NotFound("unknown program: " + name);
  }
  return out;
}

void Supervisor::SetWant(Entry& e, bool up) {
  if (e.want_up == up) return;
  e.want_up = up;
  ProgramNote note;
  note.kind = ProgramNote::Kind::kWantChanged;
  note.program = e.program->name();
  note.want_up = up;
  note.spec = std::make_shared<const config::ProgramSpec>(e.program->spec());
  Queue(std::move(note));
}

void Supervisor::Start(Program& p) {
  Entry& e = EntryOf(p);
  if (e.removing) return;
  SetWant(e, true);
  // A user's start is also the way out of FATAL, EXITED and BACKOFF: one more try.
  const ProgramState s = p.state();
  if (s == ProgramState::kFatal || s == ProgramState::kExited || s == ProgramState::kBackoff) ++e.want_epoch;
  for (Entry* d : DependenciesOf(e)) Start(*d->program);
  ScheduleReconcile();
}

void Supervisor::Stop(Program& p) {
  Entry& e = EntryOf(p);
  SetWant(e, false);
  for (Entry* d : DependentsOf(e)) {
    if (d->want_up) Stop(*d->program);
  }
  ScheduleReconcile();
}

void Supervisor::Restart(Program& p) {
  Entry& e = EntryOf(p);
  if (e.removing) return;
  Start(p);
  // A new process even if one runs: the reconciler stops the current one, then starts.
  if (e.run_epoch == e.want_epoch) ++e.want_epoch;
  ScheduleReconcile();
}

std::optional<std::string> Supervisor::RestartIfWanted(Program& p) {
  Entry& e = EntryOf(p);
  if (shutting_down()) return "vigild is shutting down";
  if (e.removing) return "being removed from the config";
  if (!e.want_up) return "stopped by request";
  if (e.run_epoch == e.want_epoch) ++e.want_epoch;
  ScheduleReconcile();
  return std::nullopt;
}

Progress Supervisor::ProgressOf(const std::string& name, Goal goal, uint32_t epoch) const {
  auto failed = [](std::string why) { return Progress{Progress::Is::kFailed, std::move(why)}; };
  const Progress reached{Progress::Is::kReached, ""};
  const Progress pending{Progress::Is::kPending, ""};
  const Entry* e = EntryOf(name);
  // A program gone from the config is stopped for good: what a stop wants, never a start.
  if (!e) return goal == Goal::kDown ? reached : failed(name + ": removed from the config");
  if (e->removing && goal == Goal::kUp) return failed(name + ": removed from the config");
  const Program& p = *e->program;
  if (goal == Goal::kDown) {
    if (p.state() == ProgramState::kStopped) return reached;
    if (e->want_up) return failed(name + ": started again by another request");
    return pending;
  }
  if (!e->want_up) {
    return failed(shutting_down() ? name + ": vigild is shutting down"
                                  : name + ": stopped by another request (" + StateAndReason(p) + ")");
  }
  if (e->replacement) return pending;  // restarts with its new settings
  if (p.state() == ProgramState::kStopped) {
    if (auto why = Blocked(*e, 0)) return failed(name + ": cannot start: it needs " + *why);
    return pending;
  }
  // A process started before this request does not answer it (a restart wants a new one).
  if (e->run_epoch < epoch) return pending;
  switch (p.state()) {
    case ProgramState::kRunning:
      return reached;
    case ProgramState::kExited:
      // A one-shot that finished is a success.
      if (p.last_exit_clean()) return reached;
      return failed(name + ": " + StateAndReason(p));
    case ProgramState::kBackoff:
    case ProgramState::kFatal:
      return failed(name + ": " + StateAndReason(p));
    default:
      return pending;
  }
}

std::optional<std::string> Supervisor::Blocked(const Entry& e, int depth) const {
  if (depth > static_cast<int>(entries_.size())) return std::nullopt;  // only a cycle gets here
  for (Entry* d : DependenciesOf(e)) {
    const Program& dep = *d->program;
    if (Satisfies(dep)) continue;
    const bool settled = d->run_epoch >= d->want_epoch;  // no retry asked for and not yet made
    switch (dep.state()) {
      case ProgramState::kFatal:
      case ProgramState::kBackoff:
        if (settled) return dep.name() + ", which is " + StateAndReason(dep);
        break;
      case ProgramState::kExited:
        if (settled) return dep.name() + ", which is " + StateAndReason(dep);
        break;
      case ProgramState::kStopped:
        if (!d->want_up) return dep.name() + ", which is stopped";
        if (auto why = Blocked(*d, depth + 1)) return dep.name() + ", which needs " + *why;
        break;
      default:
        break;  // STARTING, or STOPPING on its way to a restart: it may still come up
    }
  }
  return std::nullopt;
}

void Supervisor::Shutdown(std::function<void()> done) {
  shutdown_done_ = std::move(done);
  for (auto& e : entries_) e->want_up = false;
  ScheduleReconcile();
}

void Supervisor::ReopenLogs() {
  for (auto& e : entries_) e->program->ReopenLogs();
}

void Supervisor::RotateLogs() {
  for (auto& e : entries_) e->program->RotateLogs();
}

// --- notes ---

void Supervisor::Queue(ProgramNote note) {
  // A burst (a thousand programs starting) would grow the outbox block by block, each
  // freed copy a hole between the programs' own allocations that glibc can never give
  // back. Past a small batch, it takes room for the largest burst at once: one large
  // block, mapped and unmapped whole.
  if (outbox_.size() == outbox_.capacity() && outbox_.size() >= kSmallBatch) {
    outbox_.reserve(std::max(2 * outbox_.size(), kNotesPerProgram * entries_.size()));
  }
  outbox_.push_back(std::move(note));
  if (flush_scheduled_) return;
  flush_scheduled_ = true;
  loop_.Post([this, alive = std::weak_ptr<bool>(alive_)] {
    if (alive.expired()) return;
    flush_scheduled_ = false;
    std::vector<ProgramNote> notes;
    notes.swap(outbox_);  // the observer may cause new notes; they go in the next batch
    if (!observer_) return;
    for (const ProgramNote& note : notes) observer_->OnProgramNote(note);
    observer_->OnProgramsSettled(notes.size());
  });
}

void Supervisor::OnStateChanged(Program& program, ProgramState from, const std::string& message) {
  ProgramNote note;
  note.kind = ProgramNote::Kind::kStateChanged;
  note.program = program.name();
  note.type = base::EventType::kState;
  note.from = from;
  note.to = program.state();
  note.pid = program.pid();
  note.message = message;
  Queue(std::move(note));
  ScheduleReconcile();
}

void Supervisor::OnProgramNote(Program& program, base::EventType type, const std::string& message) {
  ProgramNote note;
  note.kind = ProgramNote::Kind::kMessage;
  note.program = program.name();
  note.type = type;
  note.message = message;
  Queue(std::move(note));
}

void Supervisor::OnProcessStarted(Program& program, pid_t pid) {
  ProgramNote note;
  note.kind = ProgramNote::Kind::kProcessStarted;
  note.program = program.name();
  note.pid = pid;
  Queue(std::move(note));
}

void Supervisor::OnProcessEnded(Program& program, pid_t pid, const std::string& exit_status) {
  ProgramNote note;
  note.kind = ProgramNote::Kind::kProcessEnded;
  note.program = program.name();
  note.pid = pid;
  note.message = exit_status;
  note.reason = program.reason();
  Queue(std::move(note));
}

void Supervisor::OnWatchdogExpired(Program& program, const std::string& detail) {
  ProgramNote note;
  note.kind = ProgramNote::Kind::kWatchdogExpired;
  note.program = program.name();
  note.pid = program.pid();
  note.message = detail;
  Queue(std::move(note));
}

void Supervisor::OnOutputDrained(Program&) {
  if (shutdown_done_) ScheduleReconcile();
}

bool Supervisor::InitialWant(const config::ProgramSpec& spec, Cause* cause) const {
  std::optional<bool> remembered = initial_want_ ? initial_want_(spec) : std::nullopt;
  if (remembered) {
    if (!*remembered) *cause = Cause::kStoppedByRequest;
    return *remembered;
  }
  if (!spec.autostart) *cause = Cause::kAutostartOff;
  return spec.autostart;
}

// --- the reconciler ---

void Supervisor::ScheduleReconcile() {
  if (reconcile_scheduled_) return;
  reconcile_scheduled_ = true;
  loop_.Post([this, alive = std::weak_ptr<bool>(alive_)] {
    if (alive.expired()) return;
    reconcile_scheduled_ = false;
    Reconcile();
  });
}

void Supervisor::Reconcile() {
  if (ApplyReplacementsAndRemovals()) RebuildGraph();
  // Dependencies before dependents, so that one pass starts a dependency and shows its
  // dependents waiting on its new state.
  for (Entry* e : by_depth_) {
    if (e->removing || e->replacement) continue;
    if (e->want_up && !shutdown_done_) {
      ReconcileUp(*e);
    } else {
      ReconcileDown(*e);
    }
  }
  CheckShutdownDone();
}

bool Supervisor::ApplyReplacementsAndRemovals() {
  bool changed = false;
  for (size_t i = 0; i < entries_.size();) {
    Entry& e = *entries_[i];
    if (!e.removing && !e.replacement) {
      ++i;
      continue;
    }
    Program& p = *e.program;
    // They wait only for their own process to be gone, not for dependents.
    if (p.state() != ProgramState::kStopped && p.state() != ProgramState::kStopping) p.Handle(Event::kStop);
    if (p.state() != ProgramState::kStopped) {
      ++i;
      continue;
    }
    // The index holds positions, which the erase below shifts; it is rebuilt after the
    // loop, which does no lookups.
    changed = true;
    if (e.removing) {
      OnProgramNote(p, base::EventType::kNote, RemovedNote());
      p.EndFollowers(RemovedFollowersNote(p.name()));
      entries_.erase(entries_.begin() + static_cast<std::ptrdiff_t>(i));
      continue;
    }
    p.Reconfigure(std::move(*e.replacement));
    e.replacement.reset();
    // A changed config starts an autostart program again, even one the user stopped; that
    // is recorded like any change of want, so a restart of vigild keeps it.
    if (p.spec().autostart && !shutting_down()) SetWant(e, true);
    if (!e.want_up) p.SetCause(Cause::kAutostartOff);
    OnProgramNote(p, base::EventType::kNote, ReconfiguredNote());
    ++i;
  }
  return changed;
}

void Supervisor::ReconcileUp(Entry& e) {
  Program& p = *e.program;
  const ProgramState s = p.state();
  if (HasProcess(s)) {
    // A restart: the new process follows once this one is gone.
    if (s != ProgramState::kStopping && e.run_epoch < e.want_epoch) p.Handle(Event::kStop);
    return;
  }
  // BACKOFF retries by itself; FATAL and EXITED wait for a user (or fatal_retry_after).
  if (s != ProgramState::kStopped && e.run_epoch >= e.want_epoch) return;
  std::vector<std::string> waiting;
  for (Entry* d : DependenciesOf(e)) {
    if (!Satisfies(*d->program))
      waiting.push_back(fmt::format("{} ({})", d->program->name(), StateName(d->program->state())));
  }
  if (waiting.empty()) {
    e.run_epoch = e.want_epoch;
    p.Handle(Event::kStart);
    return;
  }
  if (s != ProgramState::kStopped) p.Handle(Event::kStop);
  p.SetCause(Cause::kWaitingFor, fmt::format("{}", fmt::join(waiting, ", ")));
}

void Supervisor::ReconcileDown(Entry& e) {
  Program& p = *e.program;
  const ProgramState s = p.state();
  if (s == ProgramState::kStopped || s == ProgramState::kStopping) return;
  if (!HasProcess(s)) {
    p.Handle(Event::kStop);  // BACKOFF, EXITED, FATAL: nothing runs, nothing to wait for
    return;
  }
  // Dependents stop first: a program stops only once nothing that needs it runs.
  std::vector<std::string> waiting;
  for (Entry* d : DependentsOf(e)) {
    if (HasProcess(d->program->state())) waiting.push_back(d->program->name());
  }
  if (waiting.empty()) {
    p.Handle(Event::kStop);
  } else {
    p.SetCause(Cause::kStoppingAfter, fmt::format("{}", fmt::join(waiting, ", ")));
  }
}

void Supervisor::CheckShutdownDone() {
  if (!shutdown_done_) return;
  bool all_down = std::all_of(entries_.begin(), entries_.end(),
                              [](const auto& e) { return !HasProcess(e->program->state()); });
  if (!all_down) return;
  bool draining = std::any_of(entries_.begin(), entries_.end(),
                              [](const auto& e) { return e->program->DrainingPipes(); });
  auto finish = [this] {
    drain_timer_.reset();
    auto done = std::move(shutdown_done_);
    shutdown_done_ = [] {};  // stays "shutting down"
    if (done) done();
  };
  if (!draining) {
    finish();
  } else if (!drain_timer_) {
    drain_timer_ = env_.clock.AddTimer(kShutdownDrainLimit, finish);
  }
}

}  // namespace vigil::supervise
