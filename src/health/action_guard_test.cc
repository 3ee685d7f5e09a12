// SPDX-License-Identifier: MIT
#include "health/action_guard.h"

#include <gtest/gtest.h>

namespace vigil::health {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

const base::SteadyTime kT0{std::chrono::hours(1000)};

TEST(ActionGuardTest, NoGuardAlwaysActs) {
  GuardSpec spec;
  GuardState state;
  for (int i = 0; i < 100; ++i) EXPECT_EQ(Ask(spec, state, kT0 + seconds(i)), Verdict::kAct);
}

TEST(ActionGuardTest, CooldownRefusesUntilItHasPassed) {
  GuardSpec spec;
  spec.cooldown = minutes(5);
  GuardState state;
  EXPECT_EQ(Ask(spec, state, kT0), Verdict::kAct);
  EXPECT_EQ(Ask(spec, state, kT0 + minutes(1)), Verdict::kCoolingDown);
  EXPECT_EQ(Ask(spec, state, kT0 + minutes(5) - seconds(1)), Verdict::kCoolingDown);
  EXPECT_EQ(Ask(spec, state, kT0 + minutes(5)), Verdict::kAct);
  // A refusal is not an action: the cooldown counts from the last real one.
  EXPECT_EQ(Ask(spec, state, kT0 + minutes(10)), Verdict::kAct);
}

TEST(ActionGuardTest, LimitGivesUpOnceAndStaysQuietUntilResumed) {
  GuardSpec spec;
  spec.limit = 3;
  spec.window = std::chrono::hours(1);
  GuardState state;
  EXPECT_EQ(Ask(spec, state, kT0), Verdict::kAct);
  EXPECT_EQ(Ask(spec, state, kT0 + minutes(10)), Verdict::kAct);
  EXPECT_EQ(Ask(spec, state, kT0 + minutes(20)), Verdict::kAct);
  EXPECT_EQ(Ask(spec, state, kT0 + minutes(30)), Verdict::kGiveUp);
  EXPECT_EQ(Ask(spec, state, kT0 + minutes(31)), Verdict::kGivenUp);
  // Even once the window has passed, a check that gave up waits for an OK.
  EXPECT_EQ(Ask(spec, state, kT0 + std::chrono::hours(5)), Verdict::kGivenUp);
  Resume(state);
  EXPECT_EQ(Ask(spec, state, kT0 + std::chrono::hours(5)), Verdict::kAct);
  EXPECT_EQ(Ask(spec, state, kT0 + std::chrono::hours(5) + minutes(1)), Verdict::kAct);
  EXPECT_EQ(Ask(spec, state, kT0 + std::chrono::hours(5) + minutes(2)), Verdict::kAct);
  EXPECT_EQ(Ask(spec, state, kT0 + std::chrono::hours(5) + minutes(3)), Verdict::kGiveUp);
}

TEST(ActionGuardTest, ActionsOlderThanTheWindowNoLongerCount) {
  GuardSpec spec;
  spec.limit = 2;
  spec.window = std::chrono::hours(1);
  GuardState state;
  EXPECT_EQ(Ask(spec, state, kT0), Verdict::kAct);
  EXPECT_EQ(Ask(spec, state, kT0 + minutes(30)), Verdict::kAct);
  EXPECT_EQ(Ask(spec, state, kT0 + minutes(60)), Verdict::kAct);  // the first has left the window
  EXPECT_EQ(Ask(spec, state, kT0 + minutes(61)), Verdict::kGiveUp);
}

}  // namespace
}  // namespace vigil::health
