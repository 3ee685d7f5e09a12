// SPDX-License-Identifier: MIT
// ProbeReadiness: supervise::ReadyProbes answered with the probe module's TCP and HTTP
// probes (one short look each; the Program repeats it) and metrics' bounded-time regex for
// `ready = { log = "..." }`.
// Thread rule: loop thread only.
#pragma once

#include "event/loop.h"
#include "probe/http_probe.h"
#include "probe/tcp_probe.h"
#include "supervise/ready_probes.h"

namespace vigil::daemon {

class ProbeReadiness final : public supervise::ReadyProbes {
 public:
  explicit ProbeReadiness(event::Loop& loop) : http_(loop), tcp_(loop) {}

  event::HandlePtr Probe(const config::ReadySpec& spec, DoneFn done) override;
  LineMatcher MatchLines(const std::string& pattern) override;

 private:
  probe::HttpProber http_;
  probe::TcpProber tcp_;
};

}  // namespace vigil::daemon
