// SPDX-License-Identifier: MIT
// ConnectAttempt: what the HTTP and TCP probes share. One probe that connects to
// host:port (a numeric address directly, a name through the resolver, then each of its
// addresses in turn) under a timeout, and answers once. A subclass says what follows a
// connect. Internal to probe/; Asio without Beast. Thread rule: loop thread only.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/system/error_code.hpp>
#include <chrono>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "base/clock.h"
#include "base/http_url.h"
#include "event/loop.h"
#include "probe/outcome.h"

namespace vigil::probe {

// One probe. Owned by the handle Start() returns and by every Asio handler in flight, so
// a handler that runs after a cancel or a timeout still finds it, sees it finished and
// does nothing. Plain completion handlers, no coroutines.
// Invariant: once finished, done_ is empty, the timer is gone and the socket closed;
// handlers that still run return at once.
class ConnectAttempt : public std::enable_shared_from_this<ConnectAttempt> {
 public:
  virtual ~ConnectAttempt() = default;
  ConnectAttempt(const ConnectAttempt&) = delete;
  ConnectAttempt& operator=(const ConnectAttempt&) = delete;

  // Starts `attempt` and returns the handle that owns it. Never calls done itself: every
  // outcome comes from a handler or the timer, or is posted. Destroying the handle
  // cancels the attempt: the socket is closed and done is never called afterwards. The
  // handle may outlive the prober, not the loop.
  static event::HandlePtr Start(std::shared_ptr<ConnectAttempt> attempt);

 protected:
  using Tcp = boost::asio::ip::tcp;
  using ErrorCode = boost::system::error_code;

  // `timeout` covers every step, the subclass's too; when it passes first the outcome is
  // CRIT "no answer within 10s".
  ConnectAttempt(event::Loop& loop, base::HostPort target, base::Duration timeout, DoneFn done);

  // Called once the socket is connected, from a Guarded handler. Ends with Finish(), now
  // or from a later Guarded handler. A failed resolve or connect never gets here: it
  // finishes as CRIT "connection refused", "cannot resolve NAME: ...", other socket
  // errors in words.
  virtual void OnConnected() = 0;

  // A completion handler that keeps the attempt alive, does nothing once it is finished,
  // and turns an exception (Beast and the allocator may throw) into UNKNOWN
  // "internal error: ..." instead of letting it reach the loop, which would end vigild.
  // `fn` is called as fn(Self&, handler arguments...).
  template <typename Self, typename Fn>
  auto Guarded(Fn fn) {
    static_assert(std::is_base_of_v<ConnectAttempt, Self>);
    return [self = shared_from_this(), fn = std::move(fn)](auto&&... args) mutable {
      if (self->finished_) return;
      try {
        fn(static_cast<Self&>(*self), std::forward<decltype(args)>(args)...);
      } catch (const std::exception& e) {
        self->Finish(health::Level::kUnknown, std::string("internal error: ") + e.what());
      } catch (...) {
        self->Finish(health::Level::kUnknown, "internal error");
      }
    };
  }

  // Calls done once with this outcome, after releasing the socket; nothing if finished.
  // done may destroy the handle: a caller that runs outside a Guarded handler keeps the
  // attempt alive itself.
  void Finish(health::Level level, std::string message, std::optional<double> value = std::nullopt);

  // Since Start(), in milliseconds.
  double ElapsedMs() const;

  // Asio's messages as words of a sentence: "Connection refused" -> "connection refused".
  // An initial acronym ("EOF ...") keeps its case.
  static std::string Words(const ErrorCode& ec);

  Tcp::socket& socket() { return socket_; }

 private:
  class Handle;

  void Begin() noexcept;
  // The handle is gone: done_ is dropped uncalled.
  void Cancel() noexcept;
  void PostFailure(std::string message);
  void OnResolved(const ErrorCode& ec, const Tcp::resolver::results_type& results);
  void OnConnectDone(const ErrorCode& ec);
  void Release() noexcept;

  event::Loop& loop_;
  const base::HostPort target_;
  const base::Duration timeout_;
  DoneFn done_;
  bool finished_ = false;
  std::chrono::steady_clock::time_point started_;
  event::HandlePtr timer_;
  Tcp::resolver resolver_;
  Tcp::socket socket_;
};

}  // namespace vigil::probe
