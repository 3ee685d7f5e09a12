// SPDX-License-Identifier: MIT
// TimerQueue: every timer of the loop on one timerfd of vigil's own. Asio's reactor is
// never given a timer, because once it has had one it re-arms its own timerfd for five
// minutes at a time forever, and an idle vigild would wake every 300 s for nothing.
// Internal to event/: the Loop watches fd() and calls RunDue() when it is readable.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>

#include "base/clock.h"
#include "base/unique_fd.h"
#include "event/loop.h"

namespace vigil::event {

class TimerQueue {
 public:
  TimerQueue();
  TimerQueue(const TimerQueue&) = delete;
  TimerQueue& operator=(const TimerQueue&) = delete;

  // The timerfd; readable when the earliest timer is due. -1 if it could not be created.
  int fd() const { return timer_fd_.get(); }

  // Calls `fn` once at `when` (or as soon as possible if that has passed). Destroying the
  // handle cancels it; the queue must outlive the handle.
  HandlePtr Add(base::SteadyTime when, std::function<void()> fn);

  // Runs every timer that is due now, in deadline order (insertion order for equal
  // deadlines). Timers added meanwhile wait for the next call, even with a zero delay, so
  // that a callback re-arming itself cannot starve the loop.
  void RunDue();

  size_t size() const { return pending_.size(); }

 private:
  struct Entry;
  using Pending = std::multimap<base::SteadyTime, Entry*>;
  class Timer;

  void Cancel(Entry& entry);
  // Points the timerfd at the earliest deadline, or disarms it.
  void Rearm();

  base::UniqueFd timer_fd_;
  Pending pending_;
  uint64_t next_seq_ = 0;
  std::optional<base::SteadyTime> armed_for_;
};

}  // namespace vigil::event
