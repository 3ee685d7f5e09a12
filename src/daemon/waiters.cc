// SPDX-License-Identifier: MIT
// Waiters: completion of waiting start/stop/restart requests.
#include "daemon/waiters.h"

#include <fmt/format.h>

namespace vigil::daemon {

using supervise::ProgramState;

void Waiters::Add(std::vector<std::string> programs, Goal goal, api::DoneFn done) {
  Waiter w{std::move(programs), goal, std::move(done)};
  if (auto result = Check(w)) {
    w.done(*result);
    return;
  }
  waiters_.push_back(std::move(w));
}

void Waiters::OnStateChanged() {
  // Completing a waiter may run arbitrary code; take the list first.
  std::vector<Waiter> pending;
  pending.swap(waiters_);
  std::vector<std::pair<api::DoneFn, base::Status>> finished;
  for (auto& w : pending) {
    if (auto result = Check(w)) {
      finished.emplace_back(std::move(w.done), *result);
    } else {
      waiters_.push_back(std::move(w));
    }
  }
  for (auto& [done, status] : finished) done(status);
}

std::optional<base::Status> Waiters::Check(const Waiter& w) {
  for (const auto& name : w.programs) {
    supervise::Program* p = supervisor_.Find(name);
    if (!p) return base::Status::NotFound(name + ": removed from the config");
    ProgramState s = p->state();
    auto failed = [&] {
      return base::Status::Conflict(fmt::format("{}: {}{}{}", name, supervise::StateName(s),
                                                p->reason().empty() ? "" : ": ", p->reason()));
    };
    if (w.goal == Goal::kDown) {
      if (s != ProgramState::kStopped) return std::nullopt;
      continue;
    }
    switch (s) {
      case ProgramState::kRunning: continue;
      case ProgramState::kExited:
        if (p->last_exit_clean()) continue;  // a one-shot that finished is a success
        return failed();
      case ProgramState::kBackoff:
      case ProgramState::kFatal: return failed();
      case ProgramState::kStopped:
        // Waiting for a dependency that has already failed would never end.
        for (const auto& dep : p->spec().depends_on) {
          supervise::Program* d = supervisor_.Find(dep);
          if (d && (d->state() == ProgramState::kFatal || d->state() == ProgramState::kBackoff)) {
            return base::Status::Conflict(fmt::format("{}: cannot start: dependency {} is {}: {}", name, dep,
                                                      supervise::StateName(d->state()), d->reason()));
          }
        }
        if (!supervisor_.WantsUp(*p)) return failed();
        return std::nullopt;
      default: return std::nullopt;
    }
  }
  return base::Status::Ok();
}

}  // namespace vigil::daemon
