// SPDX-License-Identifier: MIT
// ProbeReadiness: readiness looks through the probe module.
#include "daemon/ready_probes.h"

#include "base/http_url.h"
#include "metrics/process_table.h"

namespace vigil::daemon {
namespace {

// One look may take this long; the Program's ready_timeout bounds the whole wait.
constexpr base::Duration kLookTimeout = std::chrono::seconds(2);

}  // namespace

event::HandlePtr ProbeReadiness::Probe(const config::ReadySpec& spec, DoneFn done) {
  auto judge = [done = std::move(done)](probe::Outcome outcome) {
    done(outcome.level == health::Level::kOk, std::move(outcome.message));
  };
  if (spec.kind == config::ReadyKind::kHttp) {
    probe::HttpProbeSpec http;
    http.url = *base::ParseHttpUrl(spec.target);  // validated by the config
    http.tls = spec.tls;
    http.timeout = kLookTimeout;
    return http_.Probe(http, std::move(judge));
  }
  probe::TcpProbeSpec tcp;
  tcp.target = *base::ParseHostPort(spec.target);  // validated by the config
  tcp.timeout = kLookTimeout;
  return tcp_.Probe(tcp, std::move(judge));
}

supervise::ReadyProbes::LineMatcher ProbeReadiness::MatchLines(const std::string& pattern) {
  auto regex = metrics::CompileCommandRegex(pattern);
  if (!regex) return [](std::string_view) { return false; };  // the config refused it already
  return [regex = std::move(*regex)](std::string_view line) { return regex.SearchIn(line); };
}

}  // namespace vigil::daemon
