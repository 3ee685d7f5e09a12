// SPDX-License-Identifier: MIT
// Cooldown, limit and give-up for a check's actions (see action_guard.h).
#include "health/action_guard.h"

namespace vigil::health {

Verdict Ask(const GuardSpec& spec, GuardState& state, base::SteadyTime now) {
  if (state.gave_up) return Verdict::kGivenUp;
  if (state.last && now - *state.last < spec.cooldown) return Verdict::kCoolingDown;
  if (spec.limit > 0) {
    std::erase_if(state.actions, [&](base::SteadyTime at) { return now - at >= spec.window; });
    if (static_cast<int>(state.actions.size()) >= spec.limit) {
      state.gave_up = true;
      return Verdict::kGiveUp;
    }
    state.actions.push_back(now);
  }
  state.last = now;
  return Verdict::kAct;
}

void Resume(GuardState& state) {
  state.actions.clear();
  state.gave_up = false;
}

}  // namespace vigil::health
