// SPDX-License-Identifier: MIT
#include "health/rule.h"

#include <gtest/gtest.h>

#include <string>

namespace vigil::health {
namespace {

using std::chrono::minutes;

const base::SteadyTime kT0{std::chrono::hours(1000)};

Level FromChar(char c) {
  switch (c) {
    case 'O': return Level::kOk;
    case 'W': return Level::kWarn;
    case 'C': return Level::kCrit;
    default: return Level::kUnknown;
  }
}

char ToChar(Level l) {
  switch (l) {
    case Level::kPending: return 'P';
    case Level::kOk: return 'O';
    case Level::kWarn: return 'W';
    case Level::kCrit: return 'C';
    case Level::kUnknown: return 'U';
  }
  return '?';
}

// Feeds one sample a minute (O, W, C, U); returns the check's level after each.
std::string Levels(const RuleSpec& spec, std::string_view samples, RuleState& state,
                base::SteadyTime start = kT0) {
  std::string levels;
  for (size_t i = 0; i < samples.size(); ++i) {
    Step(spec, state, Sample{start + minutes(i), FromChar(samples[i])});
    levels += ToChar(state.level);
  }
  return levels;
}

std::string Levels(const RuleSpec& spec, std::string_view samples) {
  RuleState state;
  return Levels(spec, samples, state);
}

Thresholds Above(std::optional<double> warn, std::optional<double> crit,
                 std::optional<double> clear = std::nullopt) {
  Thresholds t;
  t.warn = warn;
  t.crit = crit;
  t.clear = clear;
  return t;
}

Thresholds Below(std::optional<double> warn, std::optional<double> crit,
                 std::optional<double> clear = std::nullopt) {
  Thresholds t = Above(warn, crit, clear);
  t.direction = Direction::kBelow;
  return t;
}

RuleSpec NOfM(int n, int m, int recovery = 1) {
  RuleSpec spec;
  spec.sustain.count = n;
  spec.sustain.within = m;
  spec.recovery = recovery;
  return spec;
}

TEST(ClassifyTest, ValuesAgainstLevels) {
  const Thresholds cpu = Above(80, 90);
  EXPECT_EQ(Classify(cpu, 50, Level::kOk), Level::kOk);
  EXPECT_EQ(Classify(cpu, 80, Level::kOk), Level::kWarn);  // at the level counts
  EXPECT_EQ(Classify(cpu, 89.9, Level::kOk), Level::kWarn);
  EXPECT_EQ(Classify(cpu, 90, Level::kOk), Level::kCrit);
  const Thresholds free_space = Below(10, 5);
  EXPECT_EQ(Classify(free_space, 50, Level::kOk), Level::kOk);
  EXPECT_EQ(Classify(free_space, 8, Level::kOk), Level::kWarn);
  EXPECT_EQ(Classify(free_space, 5, Level::kOk), Level::kCrit);
  const Thresholds crit_only = Above(std::nullopt, 95);
  EXPECT_EQ(Classify(crit_only, 94, Level::kOk), Level::kOk);
  EXPECT_EQ(Classify(crit_only, 96, Level::kOk), Level::kCrit);
}

TEST(ClassifyTest, HysteresisKeepsABadCheckBadUntilPastClear) {
  const Thresholds cpu = Above(80, 90, 70);
  // Not bad yet: the band does not make an OK check bad.
  EXPECT_EQ(Classify(cpu, 75, Level::kOk), Level::kOk);
  EXPECT_EQ(Classify(cpu, 75, Level::kPending), Level::kOk);
  // Bad: inside the band it stays at the lowest bad level.
  EXPECT_EQ(Classify(cpu, 75, Level::kWarn), Level::kWarn);
  EXPECT_EQ(Classify(cpu, 75, Level::kCrit), Level::kWarn);
  EXPECT_EQ(Classify(cpu, 85, Level::kCrit), Level::kWarn);
  EXPECT_EQ(Classify(cpu, 69, Level::kCrit), Level::kOk);
  const Thresholds crit_only = Above(std::nullopt, 90, 80);
  EXPECT_EQ(Classify(crit_only, 85, Level::kCrit), Level::kCrit);
  EXPECT_EQ(Classify(crit_only, 79, Level::kCrit), Level::kOk);
  const Thresholds below = Below(10, std::nullopt, 20);
  EXPECT_EQ(Classify(below, 15, Level::kWarn), Level::kWarn);
  EXPECT_EQ(Classify(below, 21, Level::kWarn), Level::kOk);
}

TEST(RuleTest, OneSampleIsEnoughByDefault) {
  EXPECT_EQ(Levels(RuleSpec{}, "OWCOUO"), "OWCOUO");
}

TEST(RuleTest, PendingUntilTheFirstSampleThatProvesSomething) {
  EXPECT_EQ(Levels(NOfM(3, 5), "WWWO"), "PPWO");
  EXPECT_EQ(Levels(NOfM(3, 5), "OWW"), "OOO");
}

TEST(RuleTest, ThreeOfFiveCountsOnlyTheLastFive) {
  EXPECT_EQ(Levels(NOfM(3, 5), "OWOWOOOW"), "OOOOOOOO");  // never 3 in any 5
  EXPECT_EQ(Levels(NOfM(3, 5), "OWOWOW"), "OOOOOW");
  // A crit counts as bad for WARN too; three crits go straight to CRIT.
  EXPECT_EQ(Levels(NOfM(3, 5), "OWCW"), "OOOW");
  EXPECT_EQ(Levels(NOfM(3, 5), "OCCC"), "OOOC");
}

TEST(RuleTest, EscalationAfterAChangeNeedsFreshEvidence) {
  // WARN reached on the 4th sample; CRIT needs three crits after that, not before.
  EXPECT_EQ(Levels(NOfM(3, 5), "OWWCCC"), "OOOWWW");
  EXPECT_EQ(Levels(NOfM(3, 5), "OWWCCCC"), "OOOWWWC");
}

TEST(RuleTest, RecoveryNeedsAStreakOfKnownSamplesBelow) {
  EXPECT_EQ(Levels(NOfM(1, 1, 2), "OCOCOO"), "OCCCCO");
  // Unknown is never proof of recovery, and not worse than a measured problem.
  EXPECT_EQ(Levels(NOfM(1, 1, 2), "OCUUOO"), "OCCCCO");
  // Going down lands on the worst level of the streak.
  EXPECT_EQ(Levels(NOfM(1, 1, 2), "OCWOWW"), "OCCWWW");
}

TEST(RuleTest, UnknownsAreAStateOfTheirOwnWhenSustained) {
  EXPECT_EQ(Levels(NOfM(2, 3), "OUUOO"), "OOUOO");
  EXPECT_EQ(Levels(NOfM(2, 3), "UU"), "PU");
  EXPECT_EQ(Levels(NOfM(2, 3), "OUUWW"), "OOUUW");
}

TEST(RuleTest, ADurationNeedsBadSamplesWithoutABreak) {
  RuleSpec spec;
  spec.sustain.duration = minutes(3);
  EXPECT_EQ(Levels(spec, "OWWWW"), "OOOOW");   // bad from minute 1, WARN at minute 4
  EXPECT_EQ(Levels(spec, "OWWOWWW"), "OOOOOOO");  // a break starts the run over
  // The sample that changed the state starts no run: CRIT needs 3 minutes of crits after it.
  EXPECT_EQ(Levels(spec, "OWWWCCCCC"), "OOOOWWWWC");
}

TEST(RuleTest, ResetCountersMakesAnActionBeJudgedOnNewSamples) {
  RuleState state;
  const RuleSpec spec = NOfM(3, 5);
  EXPECT_EQ(Levels(spec, "OWW", state), "OOO");
  ResetCounters(state);
  EXPECT_EQ(Levels(spec, "WW", state, kT0 + minutes(10)), "OO");
  EXPECT_EQ(Levels(spec, "W", state, kT0 + minutes(20)), "W");
}

TEST(RuleTest, StillBadNeedsTheEvidenceAnewAfterAnAction) {
  RuleState state;
  const RuleSpec spec = NOfM(2, 3);
  EXPECT_EQ(Levels(spec, "OCC", state), "OOC");
  // The change itself restarted the counters: the level is bad, the evidence not yet.
  EXPECT_FALSE(StillBad(spec, state, kT0));
  EXPECT_EQ(Levels(spec, "C", state), "C");
  EXPECT_FALSE(StillBad(spec, state, kT0));
  EXPECT_EQ(Levels(spec, "C", state), "C");
  EXPECT_TRUE(StillBad(spec, state, kT0));
  ResetCounters(state);  // the action
  EXPECT_FALSE(StillBad(spec, state, kT0));
  EXPECT_EQ(Levels(spec, "C", state), "C");
  EXPECT_FALSE(StillBad(spec, state, kT0));
  EXPECT_EQ(Levels(spec, "C", state), "C");
  EXPECT_TRUE(StillBad(spec, state, kT0));
}

TEST(RuleTest, StillBadIsFalseWhenNotBad) {
  RuleState state;
  EXPECT_FALSE(StillBad(RuleSpec{}, state, kT0));
  EXPECT_EQ(Levels(RuleSpec{}, "OO", state), "OO");
  EXPECT_FALSE(StillBad(RuleSpec{}, state, kT0));
}

TEST(RuleTest, AChangeSaysHowLongTheOldLevelLasted) {
  RuleState state;
  const RuleSpec spec;
  auto first = Step(spec, state, Sample{kT0, Level::kOk});
  ASSERT_TRUE(first);
  EXPECT_EQ(*first, (LevelChange{Level::kPending, Level::kOk, base::Duration{0}}));
  EXPECT_FALSE(Step(spec, state, Sample{kT0 + minutes(5), Level::kOk}));
  auto crit = Step(spec, state, Sample{kT0 + minutes(25), Level::kCrit});
  ASSERT_TRUE(crit);
  EXPECT_EQ(*crit, (LevelChange{Level::kOk, Level::kCrit, minutes(25)}));
  EXPECT_EQ(state.since, kT0 + minutes(25));
}

TEST(RuleTest, WindowMemoryStaysBounded) {
  RuleState state;
  const RuleSpec spec = NOfM(3, 5, 2);
  for (int i = 0; i < 1000; ++i) Step(spec, state, Sample{kT0 + minutes(i), i % 2 ? Level::kWarn : Level::kOk});
  EXPECT_LE(state.recent.size(), 5u);
}

}  // namespace
}  // namespace vigil::health
