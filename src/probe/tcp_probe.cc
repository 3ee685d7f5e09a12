// SPDX-License-Identifier: MIT
// TcpProber: each probe is a Connect shared by its handle and by the Asio handlers in
// flight, so a handler that runs after a cancel or a timeout still finds it, sees it
// finished and does nothing. Asio without Beast, to keep this TU cheap to compile.
#include "probe/tcp_probe.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cmath>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "base/units.h"

namespace vigil::probe {
namespace {

namespace asio = boost::asio;
using Tcp = asio::ip::tcp;
using ErrorCode = boost::system::error_code;
using health::Level;

// Asio's messages as words of a sentence: "Connection refused" -> "connection refused".
// An initial acronym keeps its case. (As in http_probe.cc; two copies of four lines are
// cheaper than a header of their own.)
std::string Words(const ErrorCode& ec) {
  std::string text = ec.message();
  if (text.size() >= 2 && text[0] >= 'A' && text[0] <= 'Z' && !(text[1] >= 'A' && text[1] <= 'Z')) {
    text[0] = static_cast<char>(text[0] - 'A' + 'a');
  }
  return text;
}

// One probe. Owned by its ProbeHandle and by every Asio handler in flight.
// Invariant: once finished_ is set, done_ is empty, the timer is gone and the socket
// closed; handlers that still run return at once.
class Connect final : public std::enable_shared_from_this<Connect> {
  // A completion handler that keeps the probe alive, does nothing once it is finished, and
  // turns an exception into an outcome instead of letting it reach the loop.
  // First in the class, as Start() needs its deduced return type.
  template <typename Fn>
  auto Guarded(Fn fn) {
    return [self = shared_from_this(), fn = std::move(fn)](auto&&... args) mutable {
      if (self->finished_) return;
      try {
        fn(*self, std::forward<decltype(args)>(args)...);
      } catch (const std::exception& e) {
        self->Finish(Level::kUnknown, std::string("internal error: ") + e.what());
      } catch (...) {
        self->Finish(Level::kUnknown, "internal error");
      }
    };
  }

 public:
  Connect(event::Loop& loop, const TcpProbeSpec& spec, DoneFn done)
      : loop_(loop), spec_(spec), done_(std::move(done)), resolver_(loop.context()), socket_(loop.context()) {}

  // Starts the probe. Never calls done_ itself: every outcome comes from a handler or the
  // timer, or is posted.
  void Start() noexcept {
    try {
      started_ = std::chrono::steady_clock::now();
      // A loop timer, never an Asio one (see event/loop.h).
      timer_ = loop_.AddTimer(spec_.timeout, [this] {
        auto keep_alive = shared_from_this();  // done_ may destroy the handle
        Finish(Level::kCrit, "no answer within " + base::FormatDuration(spec_.timeout));
      });
      ErrorCode not_numeric;
      asio::ip::address address = asio::ip::make_address(spec_.target.host, not_numeric);
      if (!not_numeric) {
        socket_.async_connect(Tcp::endpoint(address, spec_.target.port),
                              Guarded([](Connect& self, ErrorCode ec) { self.OnConnected(ec); }));
        return;
      }
      resolver_.async_resolve(spec_.target.host, std::to_string(spec_.target.port), Tcp::resolver::numeric_service,
                              Guarded([](Connect& self, ErrorCode ec, const Tcp::resolver::results_type& results) {
                                self.OnResolved(ec, results);
                              }));
    } catch (const std::exception& e) {
      PostFailure(std::string("internal error: ") + e.what());
    } catch (...) {
      PostFailure("internal error");
    }
  }

  // The handle is gone: done_ is dropped uncalled.
  void Cancel() noexcept {
    if (finished_) return;
    finished_ = true;
    done_ = nullptr;
    Release();
  }

 private:
  void PostFailure(std::string message) {
    loop_.Post([self = shared_from_this(), message = std::move(message)]() mutable {
      self->Finish(Level::kUnknown, std::move(message));
    });
  }

  void OnResolved(const ErrorCode& ec, const Tcp::resolver::results_type& results) {
    if (ec) {
      Finish(Level::kCrit, "cannot resolve " + spec_.target.host + ": " + Words(ec));
      return;
    }
    // Tries each address in turn; the error is the last one's.
    asio::async_connect(socket_, results,
                        Guarded([](Connect& self, ErrorCode ec, const Tcp::endpoint&) { self.OnConnected(ec); }));
  }

  void OnConnected(const ErrorCode& ec) {
    if (ec) {
      Finish(Level::kCrit, Words(ec));
      return;
    }
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started_).count();
    Finish(Level::kOk, "connected in " + std::to_string(std::llround(ms)) + " ms", ms);
  }

  void Finish(Level level, std::string message, std::optional<double> value = std::nullopt) {
    if (finished_) return;
    finished_ = true;
    Release();
    DoneFn done = std::exchange(done_, nullptr);
    if (done) done(Outcome{level, std::move(message), value});
  }

  // Ends whatever is in flight (pending handlers run later with operation_aborted) and,
  // after a success, closes the connection: the peer sees a connect and a FIN.
  void Release() noexcept {
    timer_.reset();
    resolver_.cancel();
    ErrorCode ignored;
    socket_.close(ignored);
  }

  event::Loop& loop_;
  const TcpProbeSpec spec_;
  DoneFn done_;
  bool finished_ = false;
  std::chrono::steady_clock::time_point started_;
  event::HandlePtr timer_;
  Tcp::resolver resolver_;
  Tcp::socket socket_;
};

class ProbeHandle final : public event::Handle {
 public:
  explicit ProbeHandle(std::shared_ptr<Connect> connect) : connect_(std::move(connect)) {}
  ~ProbeHandle() override { connect_->Cancel(); }

 private:
  std::shared_ptr<Connect> connect_;
};

}  // namespace

event::HandlePtr TcpProber::Probe(const TcpProbeSpec& spec, DoneFn done) {
  auto connect = std::make_shared<Connect>(loop_, spec, std::move(done));
  connect->Start();
  return std::make_unique<ProbeHandle>(std::move(connect));
}

}  // namespace vigil::probe
