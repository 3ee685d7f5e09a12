// SPDX-License-Identifier: MIT
// Formatting of wall-clock times in UTC.
#include "base/clock.h"

#include <fmt/format.h>
#include <time.h>

namespace vigil::base {

std::string FormatIso8601(WallTime t) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count() % 1000;
  if (ms < 0) ms += 1000;  // before 1970: the second was rounded towards zero
  const auto second = std::chrono::floor<std::chrono::seconds>(t);
  return fmt::format("{}.{:03d}Z", FormatUtc(second, "%Y-%m-%dT%H:%M:%S"), ms);
}

std::string FormatUtc(WallTime t, const char* format) {
  const time_t seconds = std::chrono::system_clock::to_time_t(t);
  struct tm tm = {};
  ::gmtime_r(&seconds, &tm);
  char buffer[128];
  const size_t n = ::strftime(buffer, sizeof buffer, format, &tm);
  return std::string(buffer, n);
}

}  // namespace vigil::base
