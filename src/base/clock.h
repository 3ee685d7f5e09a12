// SPDX-License-Identifier: MIT
// Time types used across vigil: monotonic durations and wall-clock timestamps.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace vigil::base {

using Duration = std::chrono::milliseconds;
using SteadyTime = std::chrono::steady_clock::time_point;
using WallTime = std::chrono::system_clock::time_point;

// Milliseconds since the Unix epoch: how the API and the history write times.
inline int64_t UnixMs(WallTime t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

// "2026-11-22T21:45:03.123Z" (UTC, millisecond precision).
std::string FormatIso8601(WallTime t);

// `t` in UTC through strftime(3)'s `format` ("%Y%m%dT%H%M%SZ"), whatever the local time
// zone is. (fmt 9 formats a system_clock time point in local time.)
std::string FormatUtc(WallTime t, const char* format);

}  // namespace vigil::base
