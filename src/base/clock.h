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

}  // namespace vigil::base
