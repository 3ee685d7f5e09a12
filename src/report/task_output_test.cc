// SPDX-License-Identifier: MIT
#include "report/task_output.h"

#include <gtest/gtest.h>

namespace vigil::report {
namespace {

TEST(CleanupBytesFreedTest, ReadsTheBuiltInCleanupsSummary) {
  EXPECT_EQ(CleanupBytesFreed("deleted 12 files (3456 bytes); kept 4 matching files\n"), 3456u);
  EXPECT_EQ(CleanupBytesFreed("deleted 0 files (0 bytes); kept 0 matching files\nerror: x: denied\n"), 0u);
  EXPECT_FALSE(CleanupBytesFreed(""));
  EXPECT_FALSE(CleanupBytesFreed("removed some files (lots)\n"));
}

TEST(UpdatesInTest, ReadsTheLastLinesOfEachKind) {
  Updates u = UpdatesIn("checking...\nupdates found: 3\nupdates found: 5\nupdates applied: 2\n");
  EXPECT_EQ(u.found, 5);
  EXPECT_EQ(u.applied, 2);
  u = UpdatesIn("packages with updates: 4\n  updates found: 9\nupdates found: many\n");
  EXPECT_FALSE(u.found);
  EXPECT_FALSE(u.applied);
  u = UpdatesIn("updates applied: 7");
  EXPECT_FALSE(u.found);
  EXPECT_EQ(u.applied, 7);
}

}  // namespace
}  // namespace vigil::report
