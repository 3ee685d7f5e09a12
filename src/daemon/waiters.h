// SPDX-License-Identifier: MIT
// daemon::Waiters: API requests that wait until their programs reach a goal (up or
// down). Checked on every state change; no polling. A waiter fails as soon as one of its
// programs cannot reach the goal (BACKOFF, FATAL, unclean EXITED), naming it and why.
// Thread rule: loop thread only.
#pragma once

#include <string>
#include <vector>

#include "api/controller.h"
#include "supervise/supervisor.h"

namespace vigil::daemon {

class Waiters {
 public:
  enum class Goal { kUp, kDown };
  explicit Waiters(supervise::Supervisor& supervisor) : supervisor_(supervisor) {}

  // Calls `done` now if the goal is already met or missed, else on a later state change.
  void Add(std::vector<std::string> programs, Goal goal, api::DoneFn done);
  void OnStateChanged();

 private:
  struct Waiter {
    std::vector<std::string> programs;
    Goal goal;
    api::DoneFn done;
  };
  // Ok when every program reached the goal, an error when one cannot, nullopt to keep waiting.
  std::optional<base::Status> Check(const Waiter& w);

  supervise::Supervisor& supervisor_;
  std::vector<Waiter> waiters_;
};

}  // namespace vigil::daemon
