// SPDX-License-Identifier: MIT
// TcpProber: a ConnectAttempt that finishes as soon as it is connected. Asio without
// Beast, to keep this TU cheap to compile.
#include "probe/tcp_probe.h"

#include <cmath>
#include <memory>
#include <string>
#include <utility>

#include "probe/connect_attempt.h"

namespace vigil::probe {
namespace {

class Connect final : public ConnectAttempt {
 public:
  Connect(event::Loop& loop, const TcpProbeSpec& spec, DoneFn done)
      : ConnectAttempt(loop, spec.target, spec.timeout, std::move(done)) {}

 private:
  // Finish() closes the connection: the peer sees a connect and a FIN, without a byte.
  void OnConnected() override {
    double ms = ElapsedMs();
    Finish(health::Level::kOk, "connected in " + std::to_string(std::llround(ms)) + " ms", ms);
  }
};

}  // namespace

event::HandlePtr TcpProber::Probe(const TcpProbeSpec& spec, DoneFn done) {
  return ConnectAttempt::Start(std::make_shared<Connect>(loop_, spec, std::move(done)));
}

}  // namespace vigil::probe
