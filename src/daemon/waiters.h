// SPDX-License-Identifier: MIT
// daemon::Waiters: start, stop and restart requests that wait until their programs reach a
// goal (up or down). Each ends: with success; with the reason one program cannot get
// there, as soon as that is so (the Supervisor judges, ProgressOf); or when its timeout
// passes. Looked at again whenever the programs settle after a change; no polling.
// Thread rule: loop thread only. `done` is called from Add() when the outcome is known at
// once, else from Check() or the timeout, once the list of waiters is consistent.
#pragma once

#include <cstdint>
#include <functional>
#include <list>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "event/clock.h"
#include "supervise/supervisor.h"

namespace vigil::daemon {

class Waiters {
 public:
  Waiters(supervise::Supervisor& supervisor, event::Clock& clock) : supervisor_(supervisor), clock_(clock) {}

  struct Target {
    std::string program;
    uint32_t epoch = 0;  // Supervisor::WantEpoch() when the request was made
  };
  // Calls `done` with Ok once every target reached `goal`, with Conflict naming a target
  // that cannot, or with DeadlineExceeded after `timeout`.
  void Add(std::vector<Target> targets, supervise::Goal goal, base::Duration timeout,
           std::function<void(base::Status)> done);
  // Looks at every waiting request again; finished ones are answered.
  void Check();
  size_t size() const { return waiters_.size(); }

 private:
  struct Waiter {
    std::vector<Target> targets;
    supervise::Goal goal;
    base::Duration timeout;
    std::function<void(base::Status)> done;
    event::HandlePtr timer;
  };
  // Ok when every target reached the goal, an error when one cannot, nullopt to wait.
  std::optional<base::Status> Evaluate(const Waiter& w) const;
  void TimedOut(std::list<Waiter>::iterator it);

  supervise::Supervisor& supervisor_;
  event::Clock& clock_;
  std::list<Waiter> waiters_;  // a list: the timers refer to their element
};

}  // namespace vigil::daemon
