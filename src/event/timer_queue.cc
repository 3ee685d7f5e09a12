// SPDX-License-Identifier: MIT
// TimerQueue: timers ordered by deadline in a multimap, one timerfd armed for the first.
#include "event/timer_queue.h"

#include <sys/timerfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

namespace vigil::event {

struct TimerQueue::Entry {
  std::function<void()> fn;
  uint64_t seq = 0;
  std::optional<Pending::iterator> position;  // empty once fired or cancelled
};

class TimerQueue::Timer : public Handle {
 public:
  Timer(TimerQueue& queue, std::unique_ptr<Entry> entry)
      : queue_(queue), entry_(std::move(entry)) {}
  ~Timer() override { queue_.Cancel(*entry_); }

 private:
  TimerQueue& queue_;
  std::unique_ptr<Entry> entry_;
};

TimerQueue::TimerQueue()
    : timer_fd_(::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC)) {
  if (!timer_fd_.valid()) std::perror("vigild: timerfd_create");
}

HandlePtr TimerQueue::Add(base::SteadyTime when, std::function<void()> fn) {
  auto entry = std::make_unique<Entry>();
  entry->fn = std::move(fn);
  entry->seq = next_seq_++;
  entry->position = pending_.emplace(when, entry.get());
  if (*entry->position == pending_.begin()) Rearm();
  return std::make_unique<Timer>(*this, std::move(entry));
}

void TimerQueue::Cancel(Entry& entry) {
  if (!entry.position) return;
  bool was_first = *entry.position == pending_.begin();
  pending_.erase(*entry.position);
  entry.position.reset();
  if (was_first) Rearm();
}

void TimerQueue::RunDue() {
  uint64_t expirations = 0;
  while (::read(timer_fd_.get(), &expirations, sizeof expirations) < 0 && errno == EINTR) {
  }
  armed_for_.reset();  // a fired timerfd is disarmed
  const base::SteadyTime now = std::chrono::steady_clock::now();
  const uint64_t seq_limit = next_seq_;
  while (!pending_.empty()) {
    auto first = pending_.begin();
    Entry* entry = first->second;
    // A timer added by a callback in this round has a deadline >= now and sorts after
    // the older ones with the same deadline, so stopping at it skips nothing due.
    if (first->first > now || entry->seq >= seq_limit) break;
    pending_.erase(first);
    entry->position.reset();
    // Moved out: the callback may destroy the handle, and with it the entry.
    auto fn = std::move(entry->fn);
    fn();
  }
  Rearm();
}

void TimerQueue::Rearm() {
  if (!timer_fd_.valid()) return;
  std::optional<base::SteadyTime> want;
  if (!pending_.empty()) want = pending_.begin()->first;
  if (want == armed_for_) return;
  itimerspec spec{};  // all zero disarms
  if (want) {
    auto since_epoch = want->time_since_epoch();
    if (since_epoch.count() <= 0) since_epoch = std::chrono::nanoseconds(1);
    auto secs = std::chrono::duration_cast<std::chrono::seconds>(since_epoch);
    spec.it_value.tv_sec = secs.count();
    spec.it_value.tv_nsec =
        std::chrono::duration_cast<std::chrono::nanoseconds>(since_epoch - secs).count();
    if (spec.it_value.tv_sec == 0 && spec.it_value.tv_nsec == 0) spec.it_value.tv_nsec = 1;
  }
  // steady_clock is CLOCK_MONOTONIC in libstdc++, so its time points are absolute times.
  if (::timerfd_settime(timer_fd_.get(), TFD_TIMER_ABSTIME, &spec, nullptr) == 0) {
    armed_for_ = want;
  } else {
    std::perror("vigild: timerfd_settime");
    armed_for_.reset();
  }
}

}  // namespace vigil::event
