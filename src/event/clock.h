// SPDX-License-Identifier: MIT
// event::Clock: the time seam of modules that decide *when* (supervise, tasks): the
// wall-clock and monotonic time now, and a one-shot timer. LoopClock is the production
// binding (the system clocks and the event::Loop's timers); tests/fakes/fake_clock.h is the
// test one.
// Thread rule: as the Loop's, loop thread only.
#pragma once

#include <chrono>
#include <functional>

#include "base/clock.h"
#include "event/loop.h"

namespace vigil::event {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual base::WallTime Now() const = 0;
  // Monotonic time, for durations (uptime) that a wall-clock step must not distort.
  virtual base::SteadyTime SteadyNow() const = 0;
  // Calls `fn` once, on the loop thread, when `delay` has passed (at once if it is not
  // positive, but never from inside this call). Destroying the handle cancels it. Delays
  // beyond Loop::kMaxTimerDelay are cut to it.
  virtual HandlePtr AddTimer(base::Duration delay, std::function<void()> fn) = 0;
};

class LoopClock final : public Clock {
 public:
  explicit LoopClock(Loop& loop) : loop_(loop) {}
  base::WallTime Now() const override { return std::chrono::system_clock::now(); }
  base::SteadyTime SteadyNow() const override { return std::chrono::steady_clock::now(); }
  HandlePtr AddTimer(base::Duration delay, std::function<void()> fn) override {
    return loop_.AddTimer(delay, std::move(fn));
  }

 private:
  Loop& loop_;
};

}  // namespace vigil::event
