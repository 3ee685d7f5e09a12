// SPDX-License-Identifier: MIT
#include "report/stats.h"

#include <gtest/gtest.h>

namespace vigil::report {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

const base::WallTime kT0 = base::WallTime(std::chrono::seconds(1'800'000'000));

MetricPoint At(base::Duration offset, double avg, int64_t count = 1, double max = -1) {
  return {kT0 + offset, count, avg, max < 0 ? avg : max};
}

Lifetime Life(base::Duration from, std::optional<base::Duration> to, std::string status = "exit 1") {
  return {"web", kT0 + from, to ? std::optional(kT0 + *to) : std::nullopt, to ? status : "", ""};
}

TEST(PercentileTest, NearestRank) {
  struct Case {
    std::vector<double> values;
    double p;
    double want;
  } cases[] = {
      {{}, 95, 0},
      {{7}, 95, 7},
      {{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 95, 10},
      {{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 50, 5},
      {{10, 9, 8, 7, 6, 5, 4, 3, 2, 1}, 90, 9},
      {{3, 1, 2}, 0, 1},
  };
  for (const Case& c : cases) EXPECT_DOUBLE_EQ(Percentile(c.values, c.p), c.want) << c.p;
}

TEST(SummarizeTest, WeightsAveragesByCountAndTakesTheLargestMax) {
  // 100 buckets: 95 at 10%, 5 at 90%; one bucket holds 3 samples.
  std::vector<MetricPoint> points;
  for (int i = 0; i < 100; ++i) points.push_back(At(minutes(i), i < 95 ? 10 : 90, i == 0 ? 3 : 1, i == 99 ? 99 : -1));
  auto s = Summarize(points);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->samples, 102);
  EXPECT_NEAR(s->avg, (97 * 10.0 + 5 * 90.0) / 102, 1e-9);
  EXPECT_DOUBLE_EQ(s->p95, 10);  // the 95th of 100 averages is still a 10
  EXPECT_DOUBLE_EQ(s->max, 99);
}

TEST(SummarizeTest, NoSamplesIsNothing) {
  EXPECT_FALSE(Summarize({}));
  EXPECT_FALSE(Summarize({At(minutes(0), 50, 0)}));
}

TEST(FitGrowthTest, Table) {
  struct Case {
    const char* what;
    std::vector<MetricPoint> points;
    bool enough;
    std::optional<double> days;
    double per_day;
  } cases[] = {
      {"empty", {}, false, std::nullopt, 0},
      {"one point", {At(hours(0), 50)}, false, std::nullopt, 0},
      {"under an hour", {At(minutes(0), 50), At(minutes(30), 60)}, false, std::nullopt, 0},
      {"flat", {At(hours(0), 50), At(hours(24), 50), At(hours(48), 50)}, true, std::nullopt, 0},
      {"shrinking", {At(hours(0), 60), At(hours(24), 55), At(hours(48), 50)}, true, std::nullopt, -5},
      // 2 points a day from 50%: at 60% now, 40 points to go.
      {"growing", {At(hours(0), 50), At(hours(24), 52), At(hours(48), 54), At(hours(120), 60)}, true, 20.0, 2},
      {"full already", {At(hours(0), 99), At(hours(24), 100)}, true, 0.0, 1},
  };
  for (const Case& c : cases) {
    Growth g = FitGrowth(c.points);
    EXPECT_EQ(g.enough_data, c.enough) << c.what;
    EXPECT_NEAR(g.per_day, c.per_day, 1e-9) << c.what;
    ASSERT_EQ(g.days_until_full.has_value(), c.days.has_value()) << c.what;
    if (c.days) {
      EXPECT_NEAR(*g.days_until_full, *c.days, 1e-9) << c.what;
    }
  }
}

TEST(UptimeTest, Table) {
  const base::WallTime since = kT0, until = kT0 + hours(100);
  struct Case {
    const char* what;
    std::vector<Lifetime> lives;
    double want;
  } cases[] = {
      {"none", {}, 0},
      {"all the time, still running", {Life(-hours(5), std::nullopt)}, 100},
      {"down 10h in the middle", {Life(-hours(5), hours(40)), Life(hours(50), std::nullopt)}, 90},
      // Added 50h into the period: counted from its first start.
      {"added later", {Life(hours(50), hours(75)), Life(hours(75), std::nullopt)}, 100},
      {"overlapping processes count once", {Life(hours(0), hours(60)), Life(hours(50), hours(80))}, 80},
      {"ended before the period", {Life(-hours(10), -hours(5))}, 0},
  };
  for (const Case& c : cases) EXPECT_NEAR(UptimePercent(c.lives, since, until), c.want, 1e-9) << c.what;
}

TEST(RestartsTest, FirstStartIsNotARestart) {
  const base::WallTime since = kT0, until = kT0 + hours(10);
  EXPECT_EQ(Restarts({}, since, until), 0);
  EXPECT_EQ(Restarts({Life(hours(1), std::nullopt)}, since, until), 0);
  EXPECT_EQ(Restarts({Life(hours(1), hours(2)), Life(hours(2), hours(3)), Life(hours(3), std::nullopt)}, since, until),
            2);
  // Running before the period: every start in it replaced a process.
  EXPECT_EQ(Restarts({Life(-hours(1), hours(2)), Life(hours(2), std::nullopt)}, since, until), 1);
  // A start after the period is not counted.
  EXPECT_EQ(Restarts({Life(-hours(1), hours(2)), Life(hours(11), std::nullopt)}, since, until), 0);
}

TEST(ExitReasonsTest, MostCommonFirstWithinThePeriod) {
  const base::WallTime since = kT0, until = kT0 + hours(10);
  std::vector<Lifetime> lives = {Life(hours(0), hours(1), "exit 1"),   Life(hours(1), hours(2), "killed by SIGKILL"),
                                 Life(hours(2), hours(3), "exit 1"),   Life(hours(3), hours(4), "exit 2"),
                                 Life(-hours(3), -hours(2), "exit 9"),  // before the period
                                 Life(hours(4), std::nullopt)};
  auto reasons = ExitReasons(lives, since, until, 2);
  ASSERT_EQ(reasons.size(), 2u);
  EXPECT_EQ(reasons[0], (std::pair<std::string, int>{"exit 1", 2}));
  EXPECT_EQ(reasons[1], (std::pair<std::string, int>{"exit 2", 1}));
}

}  // namespace
}  // namespace vigil::report
