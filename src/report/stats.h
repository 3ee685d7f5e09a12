// SPDX-License-Identifier: MIT
// The arithmetic of a health report, each a pure function: a metric's average, 95th
// percentile and maximum, a filesystem's growth and days until full, a program's uptime
// and restarts over a period. Table-tested in stats_test.cc.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/clock.h"
#include "report/input.h"

namespace vigil::report {

struct Summary {
  double avg = 0;  // of all samples: the buckets' averages weighted by their counts
  double p95 = 0;  // 95th percentile of the buckets' averages (nearest rank)
  double max = 0;  // the largest sample
  int64_t samples = 0;
};

// nullopt when the series has no samples.
std::optional<Summary> Summarize(const std::vector<MetricPoint>& points);

// The value at percentile `p` (0-100) of `values` by the nearest-rank method; 0 if empty.
double Percentile(std::vector<double> values, double p);

// A filesystem's use (%) over the period, fitted to a straight line by least squares.
struct Growth {
  double used_now = 0;                    // the last bucket's average
  double per_day = 0;                     // percentage points a day; <= 0 when shrinking
  std::optional<double> days_until_full;  // nullopt: not growing (or not enough data)
  bool enough_data = false;               // at least two buckets an hour apart
};

// Below this growth (percentage points a day) a filesystem counts as not growing.
inline constexpr double kFlatPerDay = 0.01;

Growth FitGrowth(const std::vector<MetricPoint>& points);

// A program's time up over [since, until): the union of its processes' lifetimes, as a
// share of the period, which starts at the program's first start when that is later
// (a program added during the period is not counted down for the time before).
// `lifetimes` are one program's. 0 without lifetimes.
double UptimePercent(const std::vector<Lifetime>& lifetimes, base::WallTime since, base::WallTime until);

// Starts during the period that replaced an earlier process of the program: every start
// in the period, less the program's first one if it had no process before the period.
int Restarts(const std::vector<Lifetime>& lifetimes, base::WallTime since, base::WallTime until);

// The exit statuses of the processes that ended during the period, most common first
// (ties by name), at most `limit`: {"exit 1", 12}.
std::vector<std::pair<std::string, int>> ExitReasons(const std::vector<Lifetime>& lifetimes, base::WallTime since,
                                                     base::WallTime until, size_t limit = 3);

}  // namespace vigil::report
