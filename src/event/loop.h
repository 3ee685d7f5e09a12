// SPDX-License-Identifier: MIT
// event::Loop: the single event loop of vigild. Every fd, timer, signal and child exit
// arrives here as a callback on the loop thread. Wraps Boost.Asio so that no module other
// than event/ and api/ includes Asio. Watched fds and timers live on an epoll set and a
// timerfd of vigil's own, which Asio's reactor watches as one descriptor: that costs a few
// dozen bytes per watched pipe instead of Asio's per-descriptor state, and keeps Asio's
// timer (re-armed every five minutes once used) out of an idle vigild.
// Thread rule: all methods are called on the loop thread, except Post(), which is safe
// from any thread.
#pragma once

#include <sys/types.h>

#include <functional>
#include <memory>
#include <unordered_map>
#include <vector>

#include "base/clock.h"
#include "base/status.h"

namespace boost::asio {
class io_context;
}

namespace vigil::event {

// A registration that is cancelled when the handle is destroyed. The callback is never
// invoked after the handle is gone.
class Handle {
 public:
  virtual ~Handle() = default;
};
using HandlePtr = std::unique_ptr<Handle>;

class Loop {
 public:
  Loop();
  ~Loop();
  Loop(const Loop&) = delete;
  Loop& operator=(const Loop&) = delete;

  // Runs until Stop() is called.
  void Run();
  // Runs handlers that are ready now, without blocking. Returns the number run.
  size_t Poll();
  // Runs at most one handler, blocking until one is ready. For tests.
  size_t RunOne();
  void Stop();

  // Runs `fn` on the loop thread soon. Safe from any thread.
  void Post(std::function<void()> fn);

  // Calls `on_readable` every time `fd` becomes readable (or hung up), until the handle is
  // destroyed. The fd is not owned and must outlive the handle. The watch is
  // edge-triggered (EPOLLET): the callback must read until EAGAIN, or arrange to come back
  // (a zero timer) for data it leaves behind. Fails with the epoll_ctl(2) error (EPERM for
  // a regular file, ENOMEM, ENOSPC past max_user_watches...); nothing is watched then.
  base::Result<HandlePtr> WatchReadable(int fd, std::function<void()> on_readable);

  // Calls `fn` once after `delay`, never earlier. Destroying the handle cancels it. Timers
  // due at the same time run in the order they were added. A delay longer than
  // kMaxTimerDelay is cut to it, so no delay can overflow the clock into the past.
  HandlePtr AddTimer(base::Duration delay, std::function<void()> fn);
  static constexpr base::Duration kMaxTimerDelay = std::chrono::hours(24 * 36500);

  // Calls `fn(signo)` each time one of `signals` arrives, until the handle is destroyed.
  HandlePtr WatchSignals(const std::vector<int>& signals, std::function<void(int)> fn);

  // For the HTTP server's sockets. Never give it a timer: use AddTimer (see top).
  boost::asio::io_context& context();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// Reaps every child process of vigild (direct children and orphans adopted as a
// subreaper) on SIGCHLD and dispatches exits to the callback registered for that pid.
// Exits of unregistered pids (orphaned grandchildren) are reaped and reported to the
// optional orphan callback. Only one ChildReaper may exist per process, and nothing else
// in vigild may call wait*() with -1.
class ChildReaper {
 public:
  using ExitFn = std::function<void(int wait_status)>;
  explicit ChildReaper(Loop& loop);
  ~ChildReaper();

  // Registers `on_exit` for `pid`. Called once, with the raw wait(2) status. (No pid
  // argument: the caller knows it, and a callback that only captures its owner fits in
  // std::function's own storage, which saves an allocation per supervised process.)
  void Watch(pid_t pid, ExitFn on_exit);
  void Unwatch(pid_t pid);
  // Called after each SIGCHLD batch, once every reaped pid has been dispatched.
  void SetAfterReap(std::function<void()> fn) { after_reap_ = std::move(fn); }
  // Reaps whatever has exited now. Called on SIGCHLD; public for tests.
  void ReapNow();
  // False once the last reap found no child at all (waitpid: ECHILD): as a container's
  // PID 1, the namespace is empty but for vigild.
  bool has_children() const { return has_children_; }
  // Exits of processes nobody watched: orphans adopted as a subreaper or as PID 1.
  uint64_t orphans_reaped() const { return orphans_reaped_; }

 private:
  HandlePtr signal_watch_;
  bool has_children_ = true;
  uint64_t orphans_reaped_ = 0;
  std::unordered_map<pid_t, ExitFn> watched_;
  std::function<void()> after_reap_;
};

}  // namespace vigil::event
