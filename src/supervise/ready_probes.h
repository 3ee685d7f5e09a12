// SPDX-License-Identifier: MIT
// supervise::ReadyProbes: the seam through which a Program asks whether its process is
// ready when `ready` names a TCP port, an HTTP URL or a log line (docs/readiness.md). The
// daemon answers with the probe module's TCP and HTTP probes and a bounded-time regex;
// tests answer with fakes. supervise itself opens no socket and compiles no regex.
// Thread rule: loop thread only.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "config/spec.h"
#include "event/loop.h"

namespace vigil::supervise {

class ReadyProbes {
 public:
  using DoneFn = std::function<void(bool ready, std::string words)>;
  using LineMatcher = std::function<bool(std::string_view line)>;

  virtual ~ReadyProbes() = default;
  // One look at a kTcp or kHttp target. `done` is called once, later, on the loop (never
  // from inside Probe), with whether it is ready and, if not, why in a few words
  // ("connection refused", "HTTP 503"). Dropping the handle cancels the look.
  virtual event::HandlePtr Probe(const config::ReadySpec& spec, DoneFn done) = 0;
  // A test of one stdout line for a kLog target (the config has validated the pattern).
  virtual LineMatcher MatchLines(const std::string& pattern) = 0;
};

}  // namespace vigil::supervise
