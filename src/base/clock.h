// SPDX-License-Identifier: MIT
// Time types used across vigil: monotonic durations and wall-clock timestamps.
#pragma once

#include <chrono>
#include <string>

namespace vigil::base {

using Duration = std::chrono::milliseconds;
using SteadyTime = std::chrono::steady_clock::time_point;
using WallTime = std::chrono::system_clock::time_point;

// "2026-11-22T21:45:03.123Z" (UTC, millisecond precision).
std::string FormatIso8601(WallTime t);

}  // namespace vigil::base
