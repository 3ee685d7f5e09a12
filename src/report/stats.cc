// SPDX-License-Identifier: MIT
// The report's arithmetic (see stats.h).
#include "report/stats.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace vigil::report {
namespace {

double Days(base::WallTime t, base::WallTime origin) {
  return std::chrono::duration<double, std::ratio<86400>>(t - origin).count();
}

}  // namespace

double Percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  // Nearest rank: the smallest value with at least p% of the values at or below it.
  const double rank = std::ceil(p / 100.0 * static_cast<double>(values.size()));
  const size_t index = rank < 1 ? 0 : std::min(values.size() - 1, static_cast<size_t>(rank) - 1);
  return values[index];
}

std::optional<Summary> Summarize(const std::vector<MetricPoint>& points) {
  Summary s;
  double sum = 0;
  std::vector<double> averages;
  bool first = true;
  for (const MetricPoint& p : points) {
    if (p.count <= 0) continue;
    sum += p.avg * static_cast<double>(p.count);
    s.samples += p.count;
    averages.push_back(p.avg);
    s.max = first ? p.max : std::max(s.max, p.max);
    first = false;
  }
  if (s.samples == 0) return std::nullopt;
  s.avg = sum / static_cast<double>(s.samples);
  s.p95 = Percentile(std::move(averages), 95);
  return s;
}

Growth FitGrowth(const std::vector<MetricPoint>& points) {
  Growth g;
  std::vector<const MetricPoint*> used;
  for (const MetricPoint& p : points) {
    if (p.count > 0) used.push_back(&p);
  }
  if (used.empty()) return g;
  g.used_now = used.back()->avg;
  if (used.size() < 2 || used.back()->time - used.front()->time < std::chrono::hours(1)) return g;
  g.enough_data = true;
  // Least squares: slope = cov(t, y) / var(t), with t in days from the first bucket.
  const base::WallTime origin = used.front()->time;
  double mean_t = 0, mean_y = 0;
  for (const MetricPoint* p : used) {
    mean_t += Days(p->time, origin);
    mean_y += p->avg;
  }
  const auto n = static_cast<double>(used.size());
  mean_t /= n;
  mean_y /= n;
  double cov = 0, var = 0;
  for (const MetricPoint* p : used) {
    const double dt = Days(p->time, origin) - mean_t;
    cov += dt * (p->avg - mean_y);
    var += dt * dt;
  }
  g.per_day = var > 0 ? cov / var : 0;
  if (g.per_day >= kFlatPerDay) g.days_until_full = std::max(0.0, (100.0 - g.used_now) / g.per_day);
  return g;
}

double UptimePercent(const std::vector<Lifetime>& lifetimes, base::WallTime since, base::WallTime until) {
  if (lifetimes.empty() || until <= since) return 0;
  std::vector<std::pair<base::WallTime, base::WallTime>> spans;
  base::WallTime window_start = until;
  for (const Lifetime& l : lifetimes) {
    const base::WallTime start = std::max(l.started, since);
    const base::WallTime end = std::min(l.ended.value_or(until), until);
    window_start = std::min(window_start, start);
    if (end > start) spans.emplace_back(start, end);
  }
  if (window_start >= until) return 0;
  std::sort(spans.begin(), spans.end());
  base::WallTime::duration up{0};
  base::WallTime covered = window_start;
  for (const auto& [start, end] : spans) {
    const base::WallTime from = std::max(start, covered);
    if (end > from) {
      up += end - from;
      covered = end;
    }
  }
  return 100.0 * std::chrono::duration<double>(up).count() /
         std::chrono::duration<double>(until - window_start).count();
}

int Restarts(const std::vector<Lifetime>& lifetimes, base::WallTime since, base::WallTime until) {
  int starts = 0;
  bool ran_before = false;
  for (const Lifetime& l : lifetimes) {
    if (l.started < since) {
      ran_before = true;
    } else if (l.started < until) {
      ++starts;
    }
  }
  return ran_before ? starts : std::max(0, starts - 1);
}

std::vector<std::pair<std::string, int>> ExitReasons(const std::vector<Lifetime>& lifetimes, base::WallTime since,
                                                     base::WallTime until, size_t limit) {
  std::map<std::string, int> counts;
  for (const Lifetime& l : lifetimes) {
    if (!l.ended || *l.ended < since || *l.ended >= until) continue;
    const std::string& why = l.exit_status.empty() ? l.reason : l.exit_status;
    if (!why.empty()) ++counts[why];
  }
  std::vector<std::pair<std::string, int>> out(counts.begin(), counts.end());
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  if (out.size() > limit) out.resize(limit);
  return out;
}

}  // namespace vigil::report
