// SPDX-License-Identifier: MIT
// Parsing and printing of the human units used in the config and CLI: durations and sizes.
// The accepted syntax is documented in docs/config.md ("Durations and sizes").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/status.h"

namespace vigil::base {

// The longest duration vigil accepts from a user: 36500 days, 100 years. Every duration
// ends up added to or subtracted from a clock reading (a deadline on steady_clock, a time
// on system_clock), and both clocks count int64 nanoseconds, about 292 years either side
// of their epoch. With this bound, now + d and now - d fit until the year 2162 for the
// wall clock and for 190 years of uptime for the steady one (units.cc checks it).
inline constexpr Duration kMaxDuration = std::chrono::hours(24 * 36500);

// Parses "250ms", "10s", "5m", "1h", "1d", compounds in decreasing unit order ("1h30m",
// "2m30s500ms") and the bare "0", up to kMaxDuration. No spaces, signs or fractions. On
// failure returns InvalidArgument whose message quotes the input, e.g.
// `expected a duration like "10s", "250ms", "5m", got "10 sec"` or
// `duration "1000000d" is too large (at most 36500d, 100 years)`.
Result<Duration> ParseDuration(std::string_view text);

// A whole number of seconds (a config's integer duration) as a Duration, with the same
// bounds: InvalidArgument for a negative count or one beyond kMaxDuration.
Result<Duration> DurationFromSeconds(int64_t seconds);

// Parses a byte count: a bare number ("4096") or a number with a unit. Units are
// 1024-based whatever the spelling: B, K/KB/KiB, M/MB/MiB, G/GB/GiB, T/TB/TiB (case does
// not matter), so "10MB" is 10485760. On failure (garbage, fraction, overflow of 64 bits)
// returns InvalidArgument quoting the input.
Result<uint64_t> ParseSize(std::string_view text);

// Compact display form for status columns: "250ms" below one second, otherwise the two
// most significant of d/h/m/s, truncated ("42s", "3m12s", "2h5m", "3d4h", "2h" rather
// than "2h0m"). Lossy by design; negative values get a leading '-'.
std::string FormatDuration(Duration d);

// Display form for messages, in the units ParseSize reads: "512 bytes" below 1 KB, else
// the largest 1024-based unit up to TB, whole when exact ("8 MB") and otherwise with one
// decimal rounded up ("8.1 MB" for 8 MB + 1 byte), so a size over a limit never reads as
// the limit itself.
std::string FormatSize(uint64_t bytes);

}  // namespace vigil::base
