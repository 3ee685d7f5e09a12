// SPDX-License-Identifier: MIT
// Rotated-file naming: parsing, ordering with counters and .gz, collisions, pruning.
#include "logs/rotated_files.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "logs/test_util.h"

namespace vigil::logs {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;
using testing::WriteFileForTest;

std::vector<std::string> Names(const std::vector<RotatedFile>& files) {
  std::vector<std::string> out;
  for (const auto& f : files) out.push_back(f.path.filename().string());
  return out;
}

TEST(RotatedFilesTest, ListsOnlyThisStreamOldestFirst) {
  TempDir dir;
  for (const char* name :
       {"a.out.log", "a.out.log.20261122T214503.123Z.gz", "a.out.log.20261122T214503.123Z.2",
        "a.out.log.20261122T214503.123Z.10.gz", "a.out.log.20251231T235959.999Z",
        "a.out.log.20261122T214503.123Z.1", "a.err.log.20261122T214503.123Z",
        "a.out.log.20261122T214503.123Z.gz.tmp", "a.out.log.bogus", "aa.out.log.20261122T214503.123Z",
        "a.out.log.20261122T214503.123Z.01"}) {
    WriteFileForTest(dir / name, "x");
  }
  auto files = RotatedFiles(dir / "a.out.log");
  ASSERT_TRUE(files.has_value());
  EXPECT_THAT(Names(*files),
              ::testing::ElementsAre("a.out.log.20251231T235959.999Z", "a.out.log.20261122T214503.123Z.gz",
                                     "a.out.log.20261122T214503.123Z.1", "a.out.log.20261122T214503.123Z.2",
                                     "a.out.log.20261122T214503.123Z.10.gz"));
  EXPECT_TRUE((*files)[1].gzipped);
  EXPECT_EQ((*files)[4].counter, 10u);
}

TEST(RotatedFilesTest, PrefersPlainFileWhenBothPlainAndGzipExist) {
  TempDir dir;
  WriteFileForTest(dir / "a.log.20261122T214503.123Z", "x");
  WriteFileForTest(dir / "a.log.20261122T214503.123Z.gz", "x");
  auto files = RotatedFiles(dir / "a.log");
  ASSERT_EQ(files->size(), 1u);
  EXPECT_FALSE(files->front().gzipped);
}

TEST(RotatedFilesTest, MissingDirectoryIsEmpty) {
  auto files = RotatedFiles("/nonexistent/dir/a.log");
  ASSERT_TRUE(files.has_value());
  EXPECT_TRUE(files->empty());
}

TEST(RotatedFilesTest, NextNameAvoidsCollisionsAndClockSteps) {
  TempDir dir;
  fs::path current = dir / "a.log";
  auto t = std::chrono::sys_days{std::chrono::year{2026} / 11 / 22} + std::chrono::hours{21} +
           std::chrono::minutes{45} + std::chrono::milliseconds{3123};
  fs::path first = NextRotatedName(current, {}, t);
  EXPECT_EQ(first.filename(), "a.log.20261122T214503.123Z");
  WriteFileForTest(first.string() + ".gz", "x");
  fs::path second = NextRotatedName(current, *RotatedFiles(current), t);
  EXPECT_EQ(second.filename(), "a.log.20261122T214503.123Z.1");
  WriteFileForTest(second, "x");
  // The wall clock went back an hour: the new name still sorts last.
  fs::path third = NextRotatedName(current, *RotatedFiles(current), t - std::chrono::hours{1});
  EXPECT_EQ(third.filename(), "a.log.20261122T214503.123Z.2");
}

TEST(RotatedFilesTest, PruneKeepsNewest) {
  TempDir dir;
  for (const char* name : {"a.log.20260101T000000.000Z", "a.log.20260102T000000.000Z.gz",
                           "a.log.20260103T000000.000Z", "a.log.20260103T000000.000Z.1"}) {
    WriteFileForTest(dir / name, "x");
  }
  ASSERT_TRUE(PruneRotated(dir / "a.log", 2).ok());
  EXPECT_THAT(Names(*RotatedFiles(dir / "a.log")),
              ::testing::ElementsAre("a.log.20260103T000000.000Z", "a.log.20260103T000000.000Z.1"));
  ASSERT_TRUE(PruneRotated(dir / "a.log", 0).ok());
  EXPECT_TRUE(RotatedFiles(dir / "a.log")->empty());
}

}  // namespace
}  // namespace vigil::logs
