// SPDX-License-Identifier: MIT
// event::Loop: one single-threaded asio::io_context, plus an epoll set of vigil's own for
// watched fds and the timerfd, drained whenever Asio reports the epoll fd readable.
#include "event/loop.h"

#include <sys/epoll.h>

#include <algorithm>
#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/signal_set.hpp>
#include <cerrno>
#include <cstdio>
#include <vector>

#include "base/unique_fd.h"
#include "event/timer_queue.h"

namespace vigil::event {
namespace asio = boost::asio;

namespace {

// What an epoll event points at. The timerfd has one with an empty callback.
struct Watched {
  std::function<void()> fn;
  bool alive = true;
};

// At most this many rounds of kBatch events per wake-up, so that a flood on the child
// pipes cannot starve the API socket; whatever is left is drained from a posted handler.
constexpr int kBatch = 64;
constexpr int kRoundsPerTurn = 16;

}  // namespace

class Loop::Impl {
 public:
  Impl()
      : io_(std::make_unique<asio::io_context>(1)),
        epoll_fd_(::epoll_create1(EPOLL_CLOEXEC)),
        epoll_desc_(std::make_unique<asio::posix::stream_descriptor>(*io_)) {
    if (!epoll_fd_.valid()) {
      std::perror("vigild: epoll_create1");
      return;
    }
    epoll_desc_->assign(epoll_fd_.get());
    if (auto s = Register(timers_.fd(), &timer_watch_); !s.ok()) {
      std::fprintf(stderr, "vigild: cannot watch the timerfd: %s\n", s.message().c_str());
    }
    ArmEpollWait();
  }
  ~Impl() {
    boost::system::error_code ignored;
    epoll_desc_->cancel(ignored);
    epoll_desc_->release();  // epoll_fd_ closes it
    epoll_desc_.reset();
    // Handlers still queued are destroyed, not run, and may own handles (an HTTP
    // session's timer, say): the timer queue and the epoll set must still be there.
    io_.reset();
  }

  asio::io_context& io() { return *io_; }
  TimerQueue& timers() { return timers_; }
  base::Result<HandlePtr> Watch(int fd, std::function<void()> fn) {
    auto watched = std::make_unique<Watched>();
    watched->fn = std::move(fn);
    if (auto s = Register(fd, watched.get()); !s.ok()) return s;
    return HandlePtr(std::make_unique<FdWatch>(*this, fd, std::move(watched)));
  }

 private:
  class FdWatch : public Handle {
   public:
    // `watched` is registered already.
    FdWatch(Impl& impl, int fd, std::unique_ptr<Watched> watched)
        : impl_(impl), fd_(fd), watched_(std::move(watched)) {}
    ~FdWatch() override { impl_.Unregister(fd_, std::move(watched_)); }

   private:
    Impl& impl_;
    int fd_;
    std::unique_ptr<Watched> watched_;
  };

  base::Status Register(int fd, Watched* watched) {
    if (!epoll_fd_.valid()) return base::Status::IoError("the event loop has no epoll set");
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLRDHUP | EPOLLET;
    ev.data.ptr = watched;
    if (::epoll_ctl(epoll_fd_.get(), EPOLL_CTL_ADD, fd, &ev) != 0) {
      return base::ErrnoStatus("cannot watch fd " + std::to_string(fd) + " (epoll_ctl)", errno);
    }
    return base::Status::Ok();
  }

  // Stops events for `fd` and frees `watched`, later if events for it may still be in
  // the batch being dispatched.
  void Unregister(int fd, std::unique_ptr<Watched> watched) {
    // Fails harmlessly if the fd was closed first: closing removes it from the set.
    ::epoll_ctl(epoll_fd_.get(), EPOLL_CTL_DEL, fd, nullptr);
    watched->alive = false;
    if (dispatch_depth_ > 0) retired_.push_back(std::move(watched));
  }

  void ArmEpollWait() {
    epoll_desc_->async_wait(asio::posix::descriptor_base::wait_read,
                           [this](const boost::system::error_code& ec) {
                             if (ec) return;  // cancelled: the loop is going away
                             // Re-armed before draining: Asio registers the epoll fd
                             // edge-triggered, and an event arriving after the drain
                             // must find a wait in place.
                             ArmEpollWait();
                             Drain();
                           });
  }

  void Drain() {
    std::array<epoll_event, kBatch> events;
    for (int round = 0; round < kRoundsPerTurn; ++round) {
      int n = ::epoll_wait(epoll_fd_.get(), events.data(), kBatch, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return;
      ++dispatch_depth_;
      for (int i = 0; i < n; ++i) {
        auto* watched = static_cast<Watched*>(events[i].data.ptr);
        if (watched == &timer_watch_) {
          timers_.RunDue();
        } else if (watched->alive) {
          watched->fn();
        }
      }
      if (--dispatch_depth_ == 0) retired_.clear();
      if (n < kBatch) return;
    }
    asio::post(*io_, [this] { Drain(); });
  }

  // Destroyed first, by hand (see ~Impl).
  std::unique_ptr<asio::io_context> io_;
  base::UniqueFd epoll_fd_;
  std::unique_ptr<asio::posix::stream_descriptor> epoll_desc_;
  TimerQueue timers_;
  Watched timer_watch_;
  int dispatch_depth_ = 0;
  std::vector<std::unique_ptr<Watched>> retired_;
};

namespace {

// Signals stay with Asio's signal_set: one self-pipe for the whole process, no timers.
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

Loop::Loop() : impl_(std::make_unique<Impl>()) {}
Loop::~Loop() = default;

void Loop::Run() {
  // A work guard keeps Run() from returning when nothing is pending.
  auto guard = asio::make_work_guard(impl_->io());
  impl_->io().restart();
  impl_->io().run();
}
size_t Loop::Poll() {
  impl_->io().restart();
  return impl_->io().poll();
}
size_t Loop::RunOne() {
  impl_->io().restart();
  return impl_->io().run_one();
}
void Loop::Stop() { impl_->io().stop(); }
void Loop::Post(std::function<void()> fn) { asio::post(impl_->io(), std::move(fn)); }

base::Result<HandlePtr> Loop::WatchReadable(int fd, std::function<void()> on_readable) {
  return impl_->Watch(fd, std::move(on_readable));
}
HandlePtr Loop::AddTimer(base::Duration delay, std::function<void()> fn) {
  // steady_clock counts int64 nanoseconds: now + 292 years would wrap into the past.
  delay = std::clamp(delay, base::Duration::zero(), kMaxTimerDelay);
  return impl_->timers().Add(std::chrono::steady_clock::now() + delay, std::move(fn));
}
HandlePtr Loop::WatchSignals(const std::vector<int>& signals, std::function<void(int)> fn) {
  return std::make_unique<SignalWatch>(impl_->io(), signals, std::move(fn));
}
asio::io_context& Loop::context() { return impl_->io(); }

}  // namespace vigil::event
