// SPDX-License-Identifier: MIT
// Supervisor: wants, dependency order, reload diff and shutdown.
#include "supervise/supervisor.h"

#include <algorithm>
#include <set>
#include <unordered_map>

#include <fmt/format.h>

namespace vigil::supervise {
namespace {

// A dependency is satisfied by a running program, or by a one-shot that finished cleanly.
bool Satisfies(const Program& dep) {
  return dep.state() == ProgramState::kRunning ||
         (dep.state() == ProgramState::kExited && dep.last_exit_clean());
}

}  // namespace

Supervisor::Supervisor(event::Loop& loop, event::ChildReaper& reaper, logs::Compressor* compressor,
                       std::filesystem::path log_dir, SupervisorObserver* observer)
    : loop_(loop), env_{loop, reaper, compressor, std::move(log_dir), this}, observer_(observer) {}

Supervisor::~Supervisor() { *alive_ = false; }

std::vector<Program*> Supervisor::programs() const {
  std::vector<Program*> out;
  out.reserve(entries_.size());
  for (const auto& e : entries_) out.push_back(e.program.get());
  return out;
}

Supervisor::Entry* Supervisor::EntryOf(const std::string& name) {
  for (auto& e : entries_)
    if (e.program->name() == name) return &e;
  return nullptr;
}

Program* Supervisor::Find(const std::string& name) {
  Entry* e = EntryOf(name);
  return e ? e->program.get() : nullptr;
}

bool Supervisor::WantsUp(const Program& p) const {
  for (const auto& e : entries_)
    if (e.program.get() == &p) return e.want_up;
  return false;
}

ReloadResult Supervisor::Apply(const std::vector<config::ProgramSpec>& specs) {
  ReloadResult result;
  std::set<std::string> new_names;
  for (const auto& spec : specs) new_names.insert(spec.name);

  for (auto& e : entries_) {
    if (!new_names.count(e.program->name())) {
      e.removing = true;
      e.replacement.reset();
      e.want_up = false;
      result.removed.push_back(e.program->name());
      // Removed programs stop now, whatever depends on them (the dependents were changed
      // or removed by the same reload, since a config cannot name a missing dependency).
      e.program->Handle(Event::kStop);
    }
  }
  for (const auto& spec : specs) {
    Entry* existing = EntryOf(spec.name);
    if (!existing) {
      Entry e;
      e.program = std::make_unique<Program>(env_, spec);
      std::string reason;
      e.want_up = InitialWant(spec, &reason);
      e.program->set_reason(reason);
      entries_.push_back(std::move(e));
      result.added.push_back(spec.name);
    } else if (existing->program->spec() == spec && !existing->removing) {
      existing->replacement.reset();
      result.unchanged.push_back(spec.name);
    } else {
      existing->removing = false;
      existing->replacement = std::make_unique<config::ProgramSpec>(spec);
      result.changed.push_back(spec.name);
      existing->program->Handle(Event::kStop);
    }
  }
  // Keep config order, so status lists programs as the file does.
  std::stable_sort(entries_.begin(), entries_.end(), [&specs](const Entry& a, const Entry& b) {
    auto pos = [&specs](const Entry& e) {
      for (size_t i = 0; i < specs.size(); ++i)
        if (specs[i].name == e.program->name()) return i;
      return specs.size();
    };
    return pos(a) < pos(b);
  });
  ScheduleReconcile();
  return result;
}

base::Result<std::vector<Program*>> Supervisor::Resolve(const std::vector<std::string>& names) {
  std::vector<Program*> out;
  auto add = [&out](Program* p) {
    if (std::find(out.begin(), out.end(), p) == out.end()) out.push_back(p);
  };
  for (const auto& name : names) {
    if (name == "all") {
      for (auto& e : entries_)
        if (!e.removing) add(e.program.get());
      continue;
    }
    bool found = false;
    for (auto& e : entries_) {
      if (e.removing) continue;
      if (e.program->name() == name || e.program->spec().table_name == name) {
        add(e.program.get());
        found = true;
      }
    }
    if (!found) return base::Status::NotFound("unknown program: " + name);
  }
  return out;
}

void Supervisor::Start(Program& p) {
  Entry* e = EntryOf(p.name());
  if (!e || e->removing) return;
  e->want_up = true;
  for (const auto& dep : p.spec().depends_on)
    if (Program* d = Find(dep)) {
      if (!WantsUp(*d)) Start(*d);
    }
  // A user start is also the way out of FATAL or EXITED.
  if (p.state() == ProgramState::kFatal || p.state() == ProgramState::kExited ||
      p.state() == ProgramState::kBackoff) {
    p.Handle(Event::kStop);
  }
  ScheduleReconcile();
}

void Supervisor::Stop(Program& p) {
  Entry* e = EntryOf(p.name());
  if (!e) return;
  e->want_up = false;
  for (Program* d : Dependents(p))
    if (WantsUp(*d)) Stop(*d);
  ScheduleReconcile();
}

void Supervisor::Restart(Program& p) {
  Entry* e = EntryOf(p.name());
  if (!e || e->removing) return;
  Start(p);
  p.Handle(Event::kStop);  // reconcile starts it again once STOPPED, since want is up
  ScheduleReconcile();
}

std::vector<Program*> Supervisor::Dependents(const Program& p) const {
  std::vector<Program*> out;
  for (const auto& e : entries_) {
    const auto& deps = e.program->spec().depends_on;
    if (std::find(deps.begin(), deps.end(), p.name()) != deps.end()) out.push_back(e.program.get());
  }
  return out;
}

void Supervisor::Shutdown(std::function<void()> done) {
  shutdown_done_ = std::move(done);
  for (auto& e : entries_) e.want_up = false;
  ScheduleReconcile();
}

void Supervisor::ReopenLogs() {
  for (auto& e : entries_) e.program->ReopenLogs();
}

void Supervisor::AfterReap() {
  for (auto& e : entries_) e.program->CheckGroupGone();
}

void Supervisor::OnStateChanged(Program& program, ProgramState old_state, const std::string& message) {
  if (observer_) observer_->OnStateChanged(program, old_state, message);
  ScheduleReconcile();
}

void Supervisor::OnProgramNote(Program& program, NoteKind kind, const std::string& message) {
  if (observer_) observer_->OnNote(program.name(), kind, message);
}

void Supervisor::OnProcessStarted(Program& program, pid_t pid) {
  if (observer_) observer_->OnProcessStarted(program, pid);
}

void Supervisor::OnProcessEnded(Program& program, pid_t pid, const std::string& exit_status) {
  if (observer_) observer_->OnProcessEnded(program, pid, exit_status);
}

bool Supervisor::InitialWant(const config::ProgramSpec& spec, std::string* reason) const {
  std::optional<bool> remembered = initial_want_ ? initial_want_(spec) : std::nullopt;
  if (remembered) {
    if (!*remembered) *reason = "stopped by request (remembered across vigild restarts until started or reconfigured)";
    return *remembered;
  }
  if (!spec.autostart) *reason = "not started: autostart = false";
  return spec.autostart;
}

void Supervisor::OnOutputDrained(Program&) {
  if (shutdown_done_) ScheduleReconcile();
}

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
  // Replacements and removals first: they wait only for their own process to be gone.
  for (size_t i = 0; i < entries_.size();) {
    Entry& e = entries_[i];
    bool idle = !HasProcess(e.program->state());
    if (idle && e.program->state() != ProgramState::kStopped) {
      // BACKOFF/FATAL/EXITED of a program that is being replaced or removed.
      if (e.removing || e.replacement) e.program->Handle(Event::kStop);
    }
    if (e.removing && e.program->state() == ProgramState::kStopped) {
      if (observer_) observer_->OnNote(e.program->name(), NoteKind::kNote, "removed from the config");
      entries_.erase(entries_.begin() + static_cast<std::ptrdiff_t>(i));
      continue;
    }
    if (e.replacement && e.program->state() == ProgramState::kStopped) {
      e.program = std::make_unique<Program>(env_, *e.replacement);
      e.want_up = e.replacement->autostart || e.want_up;
      if (!e.want_up) e.program->set_reason("not started: autostart = false");
      e.replacement.reset();
      if (observer_) observer_->OnNote(e.program->name(), NoteKind::kNote, "config changed; restarting with the new settings");
    }
    ++i;
  }

  // Indexes for this pass, so that a pass stays linear in the number of programs.
  std::unordered_map<std::string, Program*> by_name;
  std::unordered_map<std::string, std::vector<Program*>> dependents;
  for (auto& e : entries_) by_name.emplace(e.program->name(), e.program.get());
  for (auto& e : entries_)
    for (const auto& dep : e.program->spec().depends_on) dependents[dep].push_back(e.program.get());

  // Dependencies before dependents, so that one pass starts a dependency and shows its
  // dependents waiting on its new state.
  std::unordered_map<std::string, int> depth;
  std::function<int(const Program&)> depth_of = [&](const Program& p) {
    auto it = depth.find(p.name());
    if (it != depth.end()) return it->second;
    depth[p.name()] = 0;  // the config has no cycles; this only guards the recursion
    int d = 0;
    for (const auto& dep : p.spec().depends_on) {
      auto dp = by_name.find(dep);
      if (dp != by_name.end()) d = std::max(d, depth_of(*dp->second) + 1);
    }
    return depth[p.name()] = d;
  };
  std::vector<std::pair<int, Entry*>> ordered;
  ordered.reserve(entries_.size());
  for (auto& e : entries_) ordered.emplace_back(depth_of(*e.program), &e);
  std::stable_sort(ordered.begin(), ordered.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });

  for (auto& [unused_depth, entry] : ordered) {
    Entry& e = *entry;
    Program& p = *e.program;
    if (e.removing || e.replacement) continue;
    if (e.want_up && !shutdown_done_) {
      if (p.state() != ProgramState::kStopped) continue;
      std::vector<std::string> waiting;
      for (const auto& dep : p.spec().depends_on) {
        auto d = by_name.find(dep);
        if (d != by_name.end() && !Satisfies(*d->second))
          waiting.push_back(fmt::format("{} ({})", dep, StateName(d->second->state())));
      }
      if (waiting.empty()) {
        p.Handle(Event::kStart);
      } else {
        p.set_reason(fmt::format("waiting for {}", fmt::join(waiting, ", ")));
      }
    } else {
      if (p.state() == ProgramState::kStopped || p.state() == ProgramState::kStopping) continue;
      // Dependents stop first: a program stops only once nothing that needs it runs.
      std::vector<std::string> waiting;
      for (Program* d : dependents[p.name()])
        if (HasProcess(d->state())) waiting.push_back(d->name());
      if (waiting.empty()) {
        p.Handle(Event::kStop);
      } else if (p.state() == ProgramState::kRunning || p.state() == ProgramState::kStarting) {
        p.set_reason(fmt::format("stopping after {}", fmt::join(waiting, ", ")));
      }
    }
  }

  if (shutdown_done_) {
    bool all_down = std::all_of(entries_.begin(), entries_.end(), [](const Entry& e) {
      return !HasProcess(e.program->state());
    });
    if (!all_down) return;
    bool draining = std::any_of(entries_.begin(), entries_.end(),
                                [](const Entry& e) { return e.program->DrainingPipes(); });
    auto finish = [this] {
      drain_timer_.reset();
      auto done = std::move(shutdown_done_);
      shutdown_done_ = [] {};  // stays "shutting down"
      if (done) done();
    };
    if (!draining) {
      finish();
    } else if (!drain_timer_) {
      // Output still in the pipes is read before exiting; a pipe held open by a process
      // that escaped its group cannot hold vigild forever.
      drain_timer_ = loop_.AddTimer(base::Duration(2000), finish);
    }
  }
}

}  // namespace vigil::supervise
