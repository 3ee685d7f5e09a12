// SPDX-License-Identifier: MIT
// Wall-clock formatting: UTC whatever the local time zone is.
#include "base/clock.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <time.h>

#include <chrono>
#include <optional>
#include <string>

namespace vigil::base {
namespace {

// Sets TZ for one test and restores it.
class InTimeZone {
 public:
  explicit InTimeZone(const char* zone) {
    if (const char* old = ::getenv("TZ")) old_ = old;
    ::setenv("TZ", zone, 1);
    ::tzset();
  }
  ~InTimeZone() {
    if (old_) {
      ::setenv("TZ", old_->c_str(), 1);
    } else {
      ::unsetenv("TZ");
    }
    ::tzset();
  }

 private:
  std::optional<std::string> old_;
};

// Regression test: fmt 9 formats a system_clock time point in local time, so vigild under
// TZ=Asia/Tokyo wrote its logs nine hours off, with a "Z" that said UTC.
TEST(FormatUtcTest, IsUtcInAnyLocalTimeZone) {
  InTimeZone tokyo("Asia/Tokyo");
  const WallTime t = WallTime(std::chrono::milliseconds(1796130000123));  // 2026-12-01T13:00:00.123Z
  EXPECT_EQ(FormatIso8601(t), "2026-12-01T13:00:00.123Z");
  EXPECT_EQ(FormatUtc(t, "%Y%m%dT%H%M%SZ"), "20261201T130000Z");
  EXPECT_EQ(FormatUtc(t, "%Y-%m-%d %H:%M"), "2026-12-01 13:00");
}

}  // namespace
}  // namespace vigil::base
