// SPDX-License-Identifier: MIT
// ChildReaper: SIGCHLD-driven reaping of all children, dispatched by pid.
#include <sys/wait.h>

#include <cerrno>
#include <csignal>

#include "event/loop.h"

namespace vigil::event {

ChildReaper::ChildReaper(Loop& loop)
    : signal_watch_(loop.WatchSignals({SIGCHLD}, [this](int) { ReapNow(); })) {}

ChildReaper::~ChildReaper() = default;

void ChildReaper::Watch(pid_t pid, ExitFn on_exit) { watched_[pid] = std::move(on_exit); }

void ChildReaper::Unwatch(pid_t pid) {
  watched_.erase(pid);
}

void ChildReaper::ReapNow() {
  // SIGCHLD coalesces, so reap until nothing is left (waitpid(2): 0 = children remain
  // but none has changed state; -1/ECHILD = no children at all).
  for (;;) {
    int status = 0;
    pid_t pid = ::waitpid(-1, &status, WNOHANG);
    if (pid < 0 && errno == EINTR) continue;
    has_children_ = !(pid < 0 && errno == ECHILD);
    if (pid <= 0) break;
    auto it = watched_.find(pid);
    if (it == watched_.end()) {  // an adopted orphan: reaped, nothing to tell
      ++orphans_reaped_;
      continue;
    }
    ExitFn fn = std::move(it->second);
    watched_.erase(it);
    fn(status);
  }
  if (after_reap_) after_reap_();
}

}  // namespace vigil::event
