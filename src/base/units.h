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

// Parses "250ms", "10s", "5m", "1h", "1d", compounds in decreasing unit order ("1h30m",
// "2m30s500ms") and the bare "0". No spaces, signs or fractions. On failure returns
// InvalidArgument whose message quotes the input, e.g.
// `expected a duration like "10s", "250ms", "5m", got "10 sec"`.
Result<Duration> ParseDuration(std::string_view text);

// Parses a byte count: a bare number ("4096") or a number with a unit. Units are
// 1024-based whatever the spelling: B, K/KB/KiB, M/MB/MiB, G/GB/GiB, T/TB/TiB (case does
// not matter), so "10MB" is 10485760. On failure (garbage, fraction, overflow of 64 bits)
// returns InvalidArgument quoting the input.
Result<uint64_t> ParseSize(std::string_view text);

// Compact display form for status columns: "250ms" below one second, otherwise the two
// most significant of d/h/m/s, truncated ("42s", "3m12s", "2h5m", "3d4h", "2h" rather
// than "2h0m"). Lossy by design; negative values get a leading '-'.
std::string FormatDuration(Duration d);

}  // namespace vigil::base
