// SPDX-License-Identifier: MIT
// Filesystem fullness on this machine's root, and exact arithmetic on made-up statvfs figures.
#include "metrics/fs_usage.h"

#include <gtest/gtest.h>
#include <sys/statvfs.h>

#include <limits>

namespace vigil::metrics {
namespace {

constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();

TEST(FsUsageTest, TheRootFilesystemOfThisMachine) {
  struct statvfs s {};
  ASSERT_EQ(statvfs("/", &s), 0);
  const FsStat stat = FsStatFrom(s);
  EXPECT_EQ(stat.fragment_size, s.f_frsize);
  EXPECT_EQ(stat.blocks, s.f_blocks);
  EXPECT_EQ(stat.blocks_free, s.f_bfree);
  EXPECT_EQ(stat.blocks_available, s.f_bavail);
  EXPECT_EQ(stat.inodes, s.f_files);
  EXPECT_EQ(stat.inodes_free, s.f_ffree);

  const FsUsage usage = UsageOf(stat);
  EXPECT_GT(usage.total_bytes, 0u);
  EXPECT_LE(usage.used_bytes, usage.total_bytes);
  EXPECT_LE(usage.available_bytes, usage.total_bytes);
  EXPECT_GE(usage.used_percent, 0);
  EXPECT_LE(usage.used_percent, 100);
  EXPECT_GE(usage.inodes_used_percent, 0);
  EXPECT_LE(usage.inodes_used_percent, 100);
}

// df's own case: 10 % free, but half of that reserved for root, so "Use%" is 900 of the
// 950 blocks an unprivileged program can have, not 900 of 1000.
TEST(FsUsageTest, ReservedBlocksCountAsNotAvailableAsInDf) {
  const FsUsage usage = UsageOf(FsStat{.fragment_size = 4096,
                                       .blocks = 1000,
                                       .blocks_free = 100,
                                       .blocks_available = 50,
                                       .inodes = 200,
                                       .inodes_free = 150});
  EXPECT_EQ(usage.total_bytes, 1000u * 4096);
  EXPECT_EQ(usage.used_bytes, 900u * 4096);
  EXPECT_EQ(usage.available_bytes, 50u * 4096);
  EXPECT_DOUBLE_EQ(usage.used_percent, 900.0 / (900 + 50) * 100);  // df shows 95%
  EXPECT_EQ(usage.inodes, 200u);
  EXPECT_EQ(usage.inodes_free, 150u);
  EXPECT_DOUBLE_EQ(usage.inodes_used_percent, 25);
}

TEST(FsUsageTest, NothingReservedIsPlainUsedOverTotal) {
  const FsUsage usage =
      UsageOf(FsStat{.fragment_size = 512, .blocks = 400, .blocks_free = 100, .blocks_available = 100});
  EXPECT_DOUBLE_EQ(usage.used_percent, 75);
  EXPECT_EQ(usage.used_bytes, 300u * 512);
}

TEST(FsUsageTest, AFullDiskWithOnlyReservedBlocksLeftIs100) {
  const FsUsage usage =
      UsageOf(FsStat{.fragment_size = 4096, .blocks = 1000, .blocks_free = 50, .blocks_available = 0});
  EXPECT_DOUBLE_EQ(usage.used_percent, 100);
}

TEST(FsUsageTest, NoInodeCountIsZeroPercent) {
  // btrfs and vfat report 0 inodes.
  const FsUsage usage = UsageOf(FsStat{.fragment_size = 4096, .blocks = 10, .blocks_free = 5, .blocks_available = 5});
  EXPECT_EQ(usage.inodes, 0u);
  EXPECT_EQ(usage.inodes_used_percent, 0);
}

TEST(FsUsageTest, AnEmptyFilesystemIsZeroPercent) {
  const FsUsage usage = UsageOf(FsStat{});
  EXPECT_EQ(usage.total_bytes, 0u);
  EXPECT_EQ(usage.used_bytes, 0u);
  EXPECT_EQ(usage.available_bytes, 0u);
  EXPECT_EQ(usage.used_percent, 0);
  EXPECT_EQ(usage.inodes_used_percent, 0);
}

TEST(FsUsageTest, FreeAboveTheTotalIsNothingUsed) {
  const FsUsage usage = UsageOf(FsStat{.fragment_size = 4096,
                                       .blocks = 100,
                                       .blocks_free = 150,
                                       .blocks_available = 120,
                                       .inodes = 10,
                                       .inodes_free = 20});
  EXPECT_EQ(usage.used_bytes, 0u);
  EXPECT_EQ(usage.used_percent, 0);
  EXPECT_EQ(usage.inodes_used_percent, 0);
}

TEST(FsUsageTest, HugeFiguresSaturateInsteadOfWrapping) {
  const FsUsage usage = UsageOf(FsStat{.fragment_size = kMax,
                                       .blocks = kMax,
                                       .blocks_free = 1,
                                       .blocks_available = kMax,
                                       .inodes = kMax,
                                       .inodes_free = 0});
  EXPECT_EQ(usage.total_bytes, kMax);
  EXPECT_EQ(usage.used_bytes, kMax);
  EXPECT_EQ(usage.available_bytes, kMax);
  EXPECT_NEAR(usage.used_percent, 50, 1e-9);
  EXPECT_DOUBLE_EQ(usage.inodes_used_percent, 100);

  // A product just past 64 bits saturates; one just within it is exact.
  EXPECT_EQ(UsageOf(FsStat{.fragment_size = 1ull << 32, .blocks = 1ull << 32}).total_bytes, kMax);
  EXPECT_EQ(UsageOf(FsStat{.fragment_size = 1ull << 31, .blocks = 1ull << 32}).total_bytes, 1ull << 63);
}

TEST(FsUsageTest, AZeroFragmentSizeGivesNoBytesButStillAPercentage) {
  const FsUsage usage = UsageOf(FsStat{.fragment_size = 0, .blocks = 100, .blocks_free = 50, .blocks_available = 50});
  EXPECT_EQ(usage.total_bytes, 0u);
  EXPECT_DOUBLE_EQ(usage.used_percent, 50);
}

}  // namespace
}  // namespace vigil::metrics
