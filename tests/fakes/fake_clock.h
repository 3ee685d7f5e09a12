// SPDX-License-Identifier: MIT
// event::FakeClock: the test binding of event::Clock. Time stands still until the test
// calls Advance(), which fires the timers that fall due, in time order, each seeing Now()
// equal to its own due time. Nothing here sleeps or touches the real clock.
// Thread rule: the test's thread only.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <utility>

#include "event/clock.h"

namespace vigil::event {

class FakeClock final : public Clock {
 public:
  explicit FakeClock(base::WallTime start) : state_(std::make_shared<State>()) {
    state_->now = start;
    state_->start = start;
  }

  base::WallTime Now() const override { return state_->now; }
  // Moves with Now(), from an arbitrary origin.
  base::SteadyTime SteadyNow() const override {
    return base::SteadyTime(std::chrono::hours(1)) + (state_->now - state_->start);
  }

  HandlePtr AddTimer(base::Duration delay, std::function<void()> fn) override {
    Key key{state_->now + std::clamp(delay, base::Duration(0), Loop::kMaxTimerDelay), state_->next_seq++};
    state_->timers.emplace(key, std::move(fn));
    return std::make_unique<TimerHandle>(state_, key);
  }

  // Moves time forward by `d`, firing every timer due by then, including timers that the
  // callbacks add. Timers due at the same time fire in the order they were added.
  void Advance(base::Duration d) {
    const base::WallTime end = state_->now + d;
    while (!state_->timers.empty() && state_->timers.begin()->first.first <= end) {
      auto it = state_->timers.begin();
      state_->now = it->first.first;
      // Off the map before the call: the callback may destroy its own handle.
      std::function<void()> fn = std::move(it->second);
      state_->timers.erase(it);
      fn();
    }
    state_->now = end;
  }

  // Timers armed and not yet fired or cancelled.
  size_t pending() const { return state_->timers.size(); }
  // When the earliest pending timer is due; nullopt if none is.
  std::optional<base::WallTime> next_due() const {
    if (state_->timers.empty()) return std::nullopt;
    return state_->timers.begin()->first.first;
  }

 private:
  using Key = std::pair<base::WallTime, uint64_t>;  // due time, then order of arming
  struct State {
    base::WallTime now;
    base::WallTime start;
    uint64_t next_seq = 0;
    std::map<Key, std::function<void()>> timers;
  };
  // Shares the state, so a handle outliving the clock is harmless.
  class TimerHandle final : public Handle {
   public:
    TimerHandle(std::weak_ptr<State> state, Key key) : state_(std::move(state)), key_(key) {}
    ~TimerHandle() override {
      if (auto state = state_.lock()) state->timers.erase(key_);
    }

   private:
    std::weak_ptr<State> state_;
    Key key_;
  };

  std::shared_ptr<State> state_;
};

}  // namespace vigil::event
