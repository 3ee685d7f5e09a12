// SPDX-License-Identifier: MIT
// How full one filesystem is, from what statvfs(3) reports, kept as plain numbers so tests need no filesystem.
// Thread rule: plain functions without state; safe from any thread.
#pragma once

#include <sys/statvfs.h>

#include <cstdint>

namespace vigil::metrics {

// What statvfs(3) says about one filesystem. Block counts are in fragment_size units.
struct FsStat {
  uint64_t fragment_size = 0;     // f_frsize
  uint64_t blocks = 0;            // f_blocks
  uint64_t blocks_free = 0;       // f_bfree (including those reserved for root)
  uint64_t blocks_available = 0;  // f_bavail (for unprivileged users)
  uint64_t inodes = 0;            // f_files
  uint64_t inodes_free = 0;       // f_ffree
};
FsStat FsStatFrom(const struct statvfs& s);

struct FsUsage {
  uint64_t total_bytes = 0;      // blocks * fragment_size
  uint64_t available_bytes = 0;  // blocks_available * fragment_size
  uint64_t used_bytes = 0;       // (blocks - blocks_free) * fragment_size
  // As df's "Use%" (unrounded; df rounds it up): used / (used + available) * 100, so the
  // blocks reserved for root count as neither, and a disk that unprivileged programs
  // cannot write to shows 100. 0 when used + available is 0.
  double used_percent = 0;
  uint64_t inodes = 0;
  uint64_t inodes_free = 0;
  // (inodes - inodes_free) / inodes * 100; 0 when the filesystem keeps no inode count
  // (btrfs, vfat report 0 inodes).
  double inodes_used_percent = 0;
};

// Never overflows or wraps: byte counts saturate at UINT64_MAX, free counts above the
// totals read as nothing used, and the percentages stay within 0 to 100.
FsUsage UsageOf(const FsStat& stat);

}  // namespace vigil::metrics
