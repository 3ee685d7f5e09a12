// SPDX-License-Identifier: MIT
// event::Loop on top of one single-threaded asio::io_context.
#include "event/loop.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

namespace vigil::event {
namespace asio = boost::asio;

namespace {

// A shared "alive" flag guards every callback: asio may still deliver a completion
// (with operation_aborted or, for an already-queued handler, success) after cancel, and
// the flag guarantees the owner's callback is never called once its handle is gone.
class FdWatch : public Handle {
 public:
  FdWatch(asio::io_context& io, int fd, std::function<void()> fn)
      : desc_(io, fd), fn_(std::move(fn)), alive_(std::make_shared<bool>(true)) {
    Arm();
  }
  ~FdWatch() override {
    *alive_ = false;
    desc_.cancel();
    desc_.release();  // the fd belongs to the caller
  }

 private:
  void Arm() {
    desc_.async_wait(asio::posix::descriptor_base::wait_read,
                     [this, alive = alive_](const boost::system::error_code& ec) {
                       if (!*alive || ec) return;
                       // Re-arm first: the callback may destroy this watch.
                       Arm();
                       fn_();
                     });
  }
  asio::posix::stream_descriptor desc_;
  std::function<void()> fn_;
  std::shared_ptr<bool> alive_;
};

class Timer : public Handle {
 public:
  Timer(asio::io_context& io, base::Duration delay, std::function<void()> fn)
      : timer_(io, delay), alive_(std::make_shared<bool>(true)) {
    timer_.async_wait([fn = std::move(fn), alive = alive_](const boost::system::error_code& ec) {
      if (!*alive || ec) return;
      *alive = false;
      fn();
    });
  }
  ~Timer() override {
    *alive_ = false;
    timer_.cancel();
  }

 private:
  asio::steady_timer timer_;
  std::shared_ptr<bool> alive_;
};

class SignalWatch : public Handle {
 public:
  SignalWatch(asio::io_context& io, const std::vector<int>& signals, std::function<void(int)> fn)
      : set_(io), fn_(std::move(fn)), alive_(std::make_shared<bool>(true)) {
    for (int s : signals) set_.add(s);
    Arm();
  }
  ~SignalWatch() override {
    *alive_ = false;
    boost::system::error_code ignored;
    set_.cancel(ignored);
    set_.clear(ignored);
  }

 private:
  void Arm() {
    set_.async_wait([this, alive = alive_](const boost::system::error_code& ec, int signo) {
      if (!*alive || ec) return;
      Arm();
      fn_(signo);
    });
  }
  asio::signal_set set_;
  std::function<void(int)> fn_;
  std::shared_ptr<bool> alive_;
};

}  // namespace

Loop::Loop() : io_(std::make_unique<asio::io_context>(1)) {}
Loop::~Loop() = default;

void Loop::Run() {
  // A work guard keeps Run() from returning when nothing is pending.
  auto guard = asio::make_work_guard(*io_);
  io_->restart();
  io_->run();
}
size_t Loop::Poll() {
  io_->restart();
  return io_->poll();
}
size_t Loop::RunOne() {
  io_->restart();
  return io_->run_one();
}
void Loop::Stop() { io_->stop(); }
void Loop::Post(std::function<void()> fn) { asio::post(*io_, std::move(fn)); }

HandlePtr Loop::WatchReadable(int fd, std::function<void()> on_readable) {
  return std::make_unique<FdWatch>(*io_, fd, std::move(on_readable));
}
HandlePtr Loop::AddTimer(base::Duration delay, std::function<void()> fn) {
  return std::make_unique<Timer>(*io_, delay, std::move(fn));
}
HandlePtr Loop::WatchSignals(const std::vector<int>& signals, std::function<void(int)> fn) {
  return std::make_unique<SignalWatch>(*io_, signals, std::move(fn));
}
asio::io_context& Loop::context() { return *io_; }

}  // namespace vigil::event
