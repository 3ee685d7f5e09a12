// SPDX-License-Identifier: MIT
// event::Clock: the time seam of modules that decide *when* (tasks): the wall-clock time
// now, and a one-shot timer. LoopClock is the production binding (system_clock and the
// event::Loop's timers); tests/fakes/fake_clock.h is the test one.
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
  // Calls `fn` once, on the loop thread, when `delay` has passed (at once if it is not
  // positive, but never from inside this call). Destroying the handle cancels it.
  virtual HandlePtr AddTimer(base::Duration delay, std::function<void()> fn) = 0;
};

class LoopClock final : public Clock {
 public:
  explicit LoopClock(Loop& loop) : loop_(loop) {}
  base::WallTime Now() const override { return std::chrono::system_clock::now(); }
  HandlePtr AddTimer(base::Duration delay, std::function<void()> fn) override {
    return loop_.AddTimer(delay, std::move(fn));
  }

 private:
  Loop& loop_;
};

}  // namespace vigil::event
