// SPDX-License-Identifier: MIT
// ScopedTimeZone: pins the process's local time zone (TZ) for a test, so local-time output
// is the same on every machine, and restores the previous setting afterwards.
// Thread rule: TZ is process-wide; use it only in single-threaded test code.
#pragma once

#include <stdlib.h>
#include <time.h>

#include <optional>
#include <string>

namespace vigil::cli {

class ScopedTimeZone {
 public:
  // `tz` is a POSIX TZ string such as "UTC0" or "XST-2" (two hours east of UTC), which
  // glibc reads without a time-zone database.
  explicit ScopedTimeZone(const char* tz) {
    if (const char* old = getenv("TZ")) old_ = old;
    setenv("TZ", tz, 1);
    tzset();
  }
  ~ScopedTimeZone() {
    if (old_) {
      setenv("TZ", old_->c_str(), 1);
    } else {
      unsetenv("TZ");
    }
    tzset();
  }
  ScopedTimeZone(const ScopedTimeZone&) = delete;
  ScopedTimeZone& operator=(const ScopedTimeZone&) = delete;

 private:
  std::optional<std::string> old_;
};

}  // namespace vigil::cli
