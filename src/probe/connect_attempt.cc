// SPDX-License-Identifier: MIT
// ConnectAttempt: the timer, the resolve-or-not, the connect to each address in turn and
// the single answer that the HTTP and TCP probes share.
#include "probe/connect_attempt.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>

#include "base/units.h"

namespace vigil::probe {

namespace asio = boost::asio;
using health::Level;

class ConnectAttempt::Handle final : public event::Handle {
 public:
  explicit Handle(std::shared_ptr<ConnectAttempt> attempt) : attempt_(std::move(attempt)) {}
  ~Handle() override { attempt_->Cancel(); }

 private:
  std::shared_ptr<ConnectAttempt> attempt_;
};

event::HandlePtr ConnectAttempt::Start(std::shared_ptr<ConnectAttempt> attempt) {
  attempt->Begin();
  return std::make_unique<Handle>(std::move(attempt));
}

ConnectAttempt::ConnectAttempt(event::Loop& loop, base::HostPort target, base::Duration timeout, DoneFn done)
    : loop_(loop),
      target_(std::move(target)),
      timeout_(timeout),
      done_(std::move(done)),
      resolver_(loop.context()),
      socket_(loop.context()) {}

void ConnectAttempt::Begin() noexcept {
  try {
    started_ = std::chrono::steady_clock::now();
    // Covers every step; a loop timer, never an Asio one (see event/loop.h).
    timer_ = loop_.AddTimer(timeout_, [this] {
      auto keep_alive = shared_from_this();  // done_ may destroy the handle
      Finish(Level::kCrit, "no answer within " + base::FormatDuration(timeout_));
    });
    ErrorCode not_numeric;
    asio::ip::address address = asio::ip::make_address(target_.host, not_numeric);
    if (!not_numeric) {
      socket_.async_connect(
          Tcp::endpoint(address, target_.port),
          Guarded<ConnectAttempt>([](ConnectAttempt& self, ErrorCode ec) { self.OnConnectDone(ec); }));
      return;
    }
    resolver_.async_resolve(
        target_.host, std::to_string(target_.port), Tcp::resolver::numeric_service,
        Guarded<ConnectAttempt>([](ConnectAttempt& self, ErrorCode ec, const Tcp::resolver::results_type& results) {
          self.OnResolved(ec, results);
        }));
  } catch (const std::exception& e) {
    PostFailure(std::string("internal error: ") + e.what());
  } catch (...) {
    PostFailure("internal error");
  }
}

void ConnectAttempt::Cancel() noexcept {
  if (finished_) return;
  finished_ = true;
  done_ = nullptr;
  Release();
}

void ConnectAttempt::PostFailure(std::string message) {
  loop_.Post([self = shared_from_this(), message = std::move(message)]() mutable {
    self->Finish(Level::kUnknown, std::move(message));
  });
}

void ConnectAttempt::OnResolved(const ErrorCode& ec, const Tcp::resolver::results_type& results) {
  if (ec) {
    Finish(Level::kCrit, "cannot resolve " + target_.host + ": " + Words(ec));
    return;
  }
  // Tries each address in turn; the error is the last one's.
  asio::async_connect(socket_, results,
                      Guarded<ConnectAttempt>(
                          [](ConnectAttempt& self, ErrorCode ec, const Tcp::endpoint&) { self.OnConnectDone(ec); }));
}

void ConnectAttempt::OnConnectDone(const ErrorCode& ec) {
  if (ec) {
    Finish(Level::kCrit, Words(ec));
    return;
  }
  OnConnected();
}

void ConnectAttempt::Finish(Level level, std::string message, std::optional<double> value) {
  if (finished_) return;
  finished_ = true;
  Release();
  DoneFn done = std::exchange(done_, nullptr);
  if (done) done(Outcome{level, std::move(message), value});
}

// Ends whatever is in flight (pending handlers run later with operation_aborted) and,
// after a success, closes the connection: the peer sees a FIN. A subclass's buffers stay
// until the attempt is destroyed, as a read still in Asio's queue may point into them.
void ConnectAttempt::Release() noexcept {
  timer_.reset();
  resolver_.cancel();
  ErrorCode ignored;
  socket_.close(ignored);
}

double ConnectAttempt::ElapsedMs() const {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started_).count();
}

std::string ConnectAttempt::Words(const ErrorCode& ec) {
  std::string text = ec.message();
  if (text.size() >= 2 && text[0] >= 'A' && text[0] <= 'Z' && !(text[1] >= 'A' && text[1] <= 'Z')) {
    text[0] = static_cast<char>(text[0] - 'A' + 'a');
  }
  return text;
}

}  // namespace vigil::probe
