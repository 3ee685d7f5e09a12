// SPDX-License-Identifier: MIT
// Waiters: completion of waiting start/stop/restart requests.
#include "daemon/waiters.h"

#include <fmt/format.h>

#include "base/units.h"

namespace vigil::daemon {

using supervise::Progress;

void Waiters::Add(std::vector<Target> targets, supervise::Goal goal, base::Duration timeout,
                  std::function<void(base::Status)> done) {
  Waiter w{std::move(targets), goal, timeout, std::move(done), nullptr};
  // Decided already (a start of a running program, a name that was removed): answered now.
  if (std::optional<base::Status> result = Evaluate(w)) {
    w.done(*result);
    return;
  }
  waiters_.push_back(std::move(w));
  auto it = std::prev(waiters_.end());
  it->timer = clock_.AddTimer(timeout, [this, it] { TimedOut(it); });
}

void Waiters::Check() {
  std::vector<std::pair<std::function<void(base::Status)>, base::Status>> finished;
  for (auto it = waiters_.begin(); it != waiters_.end();) {
    if (std::optional<base::Status> result = Evaluate(*it)) {
      finished.emplace_back(std::move(it->done), std::move(*result));
      it = waiters_.erase(it);
    } else {
      ++it;
    }
  }
  // Answering may run arbitrary code (and add waiters): only once the list is consistent.
  for (auto& [done, status] : finished) done(status);
}

std::optional<base::Status> Waiters::Evaluate(const Waiter& w) const {
  // Every target is looked at: one that cannot get there fails the request at once, even
  // while others are still on their way.
  bool pending = false;
  for (const Target& t : w.targets) {
    Progress p = supervisor_.ProgressOf(t.program, w.goal, t.epoch);
    if (p.is == Progress::Is::kFailed) return base::Status::Conflict(p.why);
    if (p.is == Progress::Is::kPending) pending = true;
  }
  if (pending) return std::nullopt;
  return base::Status::Ok();
}

void Waiters::TimedOut(std::list<Waiter>::iterator it) {
  std::vector<std::string> late;
  for (const Target& t : it->targets) {
    if (supervisor_.ProgressOf(t.program, it->goal, t.epoch).is == Progress::Is::kReached) continue;
    supervise::Program* p = supervisor_.Find(t.program);
    std::string reason = p ? p->reason() : "";
    late.push_back(p ? fmt::format("{} ({}{}{})", t.program, supervise::StateName(p->state()),
                                   reason.empty() ? "" : ": ", reason)
                     : t.program);
  }
  std::string message =
      fmt::format("timed out after {} waiting for {} to {}: {}", base::FormatDuration(it->timeout),
                  late.size() == 1 ? "it" : "them", it->goal == supervise::Goal::kUp ? "come up" : "stop",
                  fmt::join(late, ", "));
  auto done = std::move(it->done);
  waiters_.erase(it);  // also drops the fired timer's handle
  done(base::Status::DeadlineExceeded(message));
}

}  // namespace vigil::daemon
