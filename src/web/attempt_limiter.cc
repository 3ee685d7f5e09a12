// SPDX-License-Identifier: MIT
// A sliding window of failure times.
#include "web/attempt_limiter.h"

#include <algorithm>

namespace vigil::web {

void AttemptLimiter::Forget(base::SteadyTime now) {
  while (!failures_.empty() && now - failures_.front() >= window_) failures_.pop_front();
}

bool AttemptLimiter::Allowed(base::SteadyTime now) {
  Forget(now);
  return failures_.size() < limit_;
}

base::Duration AttemptLimiter::RetryAfter(base::SteadyTime now) {
  Forget(now);
  if (failures_.size() < limit_) return base::Duration{0};
  return std::max(base::Duration{1000},
                  std::chrono::duration_cast<base::Duration>(failures_.front() + window_ - now));
}

void AttemptLimiter::Failed(base::SteadyTime now) {
  Forget(now);
  failures_.push_back(now);
  while (failures_.size() > limit_) failures_.pop_front();
}

}  // namespace vigil::web
