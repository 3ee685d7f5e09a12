// SPDX-License-Identifier: MIT
// Helpers of the TCP and HTTP probe tests: loopback listeners on ephemeral ports, a port
// nobody listens on, a loop run against a deadline, and a DoneFn that records outcomes.
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

#include "base/unique_fd.h"
#include "event/loop.h"
#include "probe/outcome.h"

namespace vigil::probe::testing {

// Runs the loop until `done()` or `deadline` (a loop timer); returns done(). Tests wait
// for an outcome this way, never with a fixed sleep.
inline bool RunUntil(event::Loop& loop, const std::function<bool()>& done,
                     base::Duration deadline = std::chrono::seconds(10)) {
  bool timed_out = false;
  auto guard = loop.AddTimer(deadline, [&] { timed_out = true; });
  while (!done() && !timed_out) loop.RunOne();
  return done();
}

// Runs the loop for `how_long` of loop time, to show that nothing more happens in it.
inline void RunFor(event::Loop& loop, base::Duration how_long) {
  bool over = false;
  auto timer = loop.AddTimer(how_long, [&] { over = true; });
  while (!over) loop.RunOne();
}

// A listening TCP socket on a loopback address and a port the kernel chose. Nothing
// accepts on it unless a test does, but connects still complete: the kernel answers the
// handshake and queues the connection, up to `backlog`.
struct Listener {
  base::UniqueFd fd;
  uint16_t port = 0;
};

// Listens on `address` ("127.0.0.1" or "::1"); nullopt if that address cannot be bound
// (a machine without IPv6).
inline std::optional<Listener> Listen(const char* address, int backlog = 16) {
  bool v6 = std::string_view(address).find(':') != std::string_view::npos;
  Listener out;
  out.fd.reset(::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!out.fd.valid()) return std::nullopt;
  sockaddr_storage storage{};
  socklen_t length;
  if (v6) {
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&storage);
    sin6->sin6_family = AF_INET6;
    if (::inet_pton(AF_INET6, address, &sin6->sin6_addr) != 1) return std::nullopt;
    length = sizeof(sockaddr_in6);
  } else {
    auto* sin = reinterpret_cast<sockaddr_in*>(&storage);
    sin->sin_family = AF_INET;
    if (::inet_pton(AF_INET, address, &sin->sin_addr) != 1) return std::nullopt;
    length = sizeof(sockaddr_in);
  }
  if (::bind(out.fd.get(), reinterpret_cast<sockaddr*>(&storage), length) != 0) return std::nullopt;
  if (::listen(out.fd.get(), backlog) != 0) return std::nullopt;
  if (::getsockname(out.fd.get(), reinterpret_cast<sockaddr*>(&storage), &length) != 0) {
    return std::nullopt;
  }
  out.port = ntohs(v6 ? reinterpret_cast<sockaddr_in6*>(&storage)->sin6_port
                      : reinterpret_cast<sockaddr_in*>(&storage)->sin_port);
  return out;
}

// A port of 127.0.0.1 that was free a moment ago and has no listener: connects to it are
// refused (unless another process takes it meanwhile, which the kernel makes unlikely by
// handing out ephemeral ports in turn).
inline uint16_t ClosedPort() {
  std::optional<Listener> listener = Listen("127.0.0.1");
  EXPECT_TRUE(listener.has_value());
  return listener ? listener->port : 1;
}

// A DoneFn that records every call, to check that there is exactly one (or none).
struct Outcomes {
  std::vector<Outcome> seen;
  DoneFn Fn() {
    return [this](Outcome outcome) { seen.push_back(std::move(outcome)); };
  }
  bool any() const { return !seen.empty(); }
};

}  // namespace vigil::probe::testing
