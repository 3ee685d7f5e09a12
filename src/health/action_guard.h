// SPDX-License-Identifier: MIT
// Whether a check may act now: a cooldown between actions and a limit such as "3 in 1h",
// after which it gives up, says so once, and acts again only after the check has been OK.
// Pure: the caller passes the time and keeps the state. monit's users asked for exactly
// this (restart loops that never stop, "for N cycles" forgotten after an action).
#pragma once

#include <optional>
#include <vector>

#include "base/clock.h"

namespace vigil::health {

struct GuardSpec {
  base::Duration cooldown{0};  // at least this long between two actions
  int limit = 0;               // at most this many actions ...
  base::Duration window{0};    // ... within this long; limit 0: no limit
};

struct GuardState {
  // Within the window, oldest first; at most `limit` long. A vector, not a deque: an
  // empty libstdc++ deque already holds 576 bytes, and vigild keeps one per check.
  std::vector<base::SteadyTime> actions;
  std::optional<base::SteadyTime> last;
  bool gave_up = false;
};

enum class Verdict {
  kAct,          // go ahead (recorded as an action)
  kCoolingDown,  // too soon after the last action; ask again later
  kGiveUp,       // the limit is reached: say once that vigil stops acting
  kGivenUp,      // already said; stay quiet until Resume()
};

Verdict Ask(const GuardSpec& spec, GuardState& state, base::SteadyTime now);

// The check has been OK: acting is allowed again and the count starts over.
void Resume(GuardState& state);

}  // namespace vigil::health
