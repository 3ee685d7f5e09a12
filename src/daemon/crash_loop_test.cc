// SPDX-License-Identifier: MIT
// CrashLoopWatch: the threshold, the sliding window, once per episode, and forgetting.
#include "daemon/crash_loop.h"

#include <gtest/gtest.h>

#include <vector>

namespace vigil::daemon {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

class CrashLoopTest : public ::testing::Test {
 protected:
  std::optional<std::string> Crash(base::Duration at, const std::string& program = "web") {
    return watch_.OnCrash(program, t0_ + at, "(exit 1)");
  }
  CrashLoopWatch watch_;
  const base::SteadyTime t0_ = base::SteadyTime(std::chrono::hours(5));
};

TEST_F(CrashLoopTest, TheFifthCrashWithinTheWindowIsAFinding) {
  for (int i = 0; i < 4; ++i) EXPECT_FALSE(Crash(seconds(10 * i)));
  auto finding = Crash(seconds(40));
  ASSERT_TRUE(finding);
  EXPECT_EQ(*finding,
            "web is crash-looping: its process ended 5 times in 40s, the last (exit 1). vigil keeps restarting "
            "it, but something makes it fail after it starts: read why in vigil logs web (and vigil logs web "
            "--stderr).");
}

TEST_F(CrashLoopTest, CrashesSpreadWiderThanTheWindowAreNot) {
  for (int i = 0; i < 20; ++i) EXPECT_FALSE(Crash(minutes(3 * i))) << i;  // 4 in any 10 minutes at most
}

TEST_F(CrashLoopTest, OncePerEpisodeThenAgainAfterAQuietWindow) {
  // A crash every 30 s for 25 minutes: said at the fifth, then every ten minutes it goes on.
  std::vector<int> said_at_seconds;
  for (int t = 0; t <= 25 * 60; t += 30) {
    if (Crash(seconds(t))) said_at_seconds.push_back(t);
  }
  EXPECT_EQ(said_at_seconds, (std::vector<int>{120, 720, 1320}));
}

TEST_F(CrashLoopTest, ProgramsAreCountedApartAndCanBeForgotten) {
  for (int i = 0; i < 4; ++i) Crash(seconds(i), "web");
  EXPECT_FALSE(Crash(seconds(5), "db"));
  watch_.Forget("web");
  EXPECT_FALSE(Crash(seconds(6), "web"));
}

}  // namespace
}  // namespace vigil::daemon
