// SPDX-License-Identifier: MIT
// TcpProber: does a TCP connect to host:port succeed? The connection is closed at once,
// without a byte sent. Runs on the loop's Asio context. Thread rule: loop thread only.
#pragma once

#include "base/clock.h"
#include "base/http_url.h"
#include "event/loop.h"
#include "probe/outcome.h"

namespace vigil::probe {

struct TcpProbeSpec {
  base::HostPort target;
  base::Duration timeout{10000};  // for resolving and connecting together
};

class TcpProber {
 public:
  explicit TcpProber(event::Loop& loop) : loop_(loop) {}

  // Connects to spec.target, then calls `done` once with one of:
  //   OK   "connected in 3 ms"        value: the connect time in ms
  //   CRIT "connection refused", "cannot resolve NAME: ...", other socket errors in words
  //   CRIT "no answer within 10s"     when spec.timeout passes first
  //   UNKNOWN "internal error: ..." if Asio, Beast or the allocator threw
  // A numeric host is connected to directly; a name is resolved by getaddrinfo(3) on
  // Asio's resolver thread, and each of its addresses tried in turn.
  // Destroying the returned handle cancels the probe: the socket is closed and `done` is
  // never called afterwards. The handle may outlive the prober, not the loop.
  event::HandlePtr Probe(const TcpProbeSpec& spec, DoneFn done);

 private:
  event::Loop& loop_;
};

}  // namespace vigil::probe
