// SPDX-License-Identifier: MIT
// web::AttemptLimiter: at most `limit` failed logins (a wrong token, a dead login code)
// within `window`, counted for all callers together (on a loopback listener they all come
// from one address). Past it, every attempt is refused until the oldest failure ages out,
// so guessing a 256-bit token stays hopeless and costs vigild nothing.
// Thread rule: loop thread only; time comes in as arguments.
#pragma once

#include <deque>

#include "base/clock.h"

namespace vigil::web {

class AttemptLimiter {
 public:
  AttemptLimiter(size_t limit, base::Duration window) : limit_(limit), window_(window) {}

  // Whether an attempt may be judged now; if not, how long until one may.
  bool Allowed(base::SteadyTime now);
  base::Duration RetryAfter(base::SteadyTime now);
  void Failed(base::SteadyTime now);

 private:
  void Forget(base::SteadyTime now);

  size_t limit_;
  base::Duration window_;
  std::deque<base::SteadyTime> failures_;  // at most limit_, oldest first
};

}  // namespace vigil::web
