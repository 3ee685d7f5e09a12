// SPDX-License-Identifier: MIT
// Filesystem fullness from statvfs figures (see fs_usage.h).
#include "metrics/fs_usage.h"

#include <limits>

#include "metrics/text_util.h"

namespace vigil::metrics {
namespace {

uint64_t Minus(uint64_t a, uint64_t b) { return a > b ? a - b : 0; }

// part / whole * 100, 0 for no whole; in doubles, where sums cannot overflow.
double Percent(double part, double whole) { return whole == 0 ? 0 : part / whole * 100; }

}  // namespace

FsStat FsStatFrom(const struct statvfs& s) {
  // Linux fills f_frsize with f_bsize when a filesystem leaves it unset (fs/statfs.c), so
  // there is no fallback to f_bsize here.
  return FsStat{
      .fragment_size = s.f_frsize,
      .blocks = s.f_blocks,
      .blocks_free = s.f_bfree,
      .blocks_available = s.f_bavail,
      .inodes = s.f_files,
      .inodes_free = s.f_ffree,
  };
}

FsUsage UsageOf(const FsStat& stat) {
  // Percentages come from block counts, not the byte counts, so saturated bytes do not
  // skew them.
  const uint64_t used_blocks = Minus(stat.blocks, stat.blocks_free);
  const uint64_t used_inodes = Minus(stat.inodes, stat.inodes_free);
  return FsUsage{
      .total_bytes = MultiplySaturating(stat.blocks, stat.fragment_size),
      .available_bytes = MultiplySaturating(stat.blocks_available, stat.fragment_size),
      .used_bytes = MultiplySaturating(used_blocks, stat.fragment_size),
      .used_percent = Percent(static_cast<double>(used_blocks),
                              static_cast<double>(used_blocks) + static_cast<double>(stat.blocks_available)),
      .inodes = stat.inodes,
      .inodes_free = stat.inodes_free,
      .inodes_used_percent = Percent(static_cast<double>(used_inodes), static_cast<double>(stat.inodes)),
  };
}

}  // namespace vigil::metrics
