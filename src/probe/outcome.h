// SPDX-License-Identifier: MIT
// probe::Outcome: what one look at a service says — a level straight from the probe (an
// HTTP answer, a TCP connect, a Nagios plugin's exit code, a file's age) and one line of
// plain words. Every prober of this module answers with one, once, through a DoneFn.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "health/level.h"

namespace vigil::probe {

struct Outcome {
  health::Level level = health::Level::kUnknown;  // never kPending
  std::string message;          // one line: "HTTP 200 in 12 ms", "connection refused"
  std::optional<double> value;  // a figure when there is one (response time in ms, age in s)
};

// Called once, on the loop thread, never from inside the call that started the probe.
using DoneFn = std::function<void(Outcome)>;

}  // namespace vigil::probe
