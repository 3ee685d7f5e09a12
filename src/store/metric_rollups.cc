// SPDX-License-Identifier: MIT
// Metric rollups: bucket arithmetic, the upsert and prune SQL, and the re-bucketing read.
#include "store/metric_rollups.h"

#include <SQLiteCpp/SQLiteCpp.h>

#include <algorithm>

#include "store/unix_ms.h"

namespace vigil::store {

const char* const kUpsertMetricSql =
    "INSERT INTO metrics (name, step_s, time_ms, count, sum, max) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
    "ON CONFLICT(name, step_s, time_ms) DO UPDATE SET count = count + excluded.count, sum = sum + excluded.sum, "
    "max = MAX(max, excluded.max)";

const char* const kPruneMetricsSql =
    "DELETE FROM metrics WHERE (step_s = 60 AND time_ms < ?1) OR (step_s = 3600 AND time_ms < ?2)";

int64_t BucketStart(int64_t time_ms, int64_t step_s) {
  const int64_t step_ms = step_s * 1000;
  // Floor, also before 1970: a negative time rounds down, not towards zero.
  int64_t start = time_ms / step_ms * step_ms;
  if (start > time_ms) start -= step_ms;
  return start;
}

std::vector<MetricPoint> ReadMetricPoints(SQLite::Database& db, const std::string& name, int64_t since_ms,
                                          int64_t until_ms, int64_t step_s, const MetricRollup* open_minute) {
  // Steps under an hour read the minute rollups, longer ones the hour rollups; a step is
  // never finer than the rollup it is read from.
  const int64_t source_s = step_s < kHourStepS ? kMinuteStepS : kHourStepS;
  const int64_t out_s = std::max(step_s, source_s);
  const int64_t out_ms = out_s * 1000;
  // A source bucket goes into the output bucket its start falls in; the first output
  // bucket is the one that holds `since`.
  SQLite::Statement q(db,
                      "SELECT (time_ms - :origin) / :out * :out + :origin AS t, SUM(count), SUM(sum), MAX(max) "
                      "FROM metrics WHERE name = :name AND step_s = :source AND time_ms >= :since AND time_ms < :until "
                      "GROUP BY t ORDER BY t");
  const int64_t first = BucketStart(since_ms, out_s);
  q.bind(":origin", first);
  q.bind(":out", out_ms);
  q.bind(":name", name);
  q.bind(":source", source_s);
  q.bind(":since", first);
  q.bind(":until", until_ms);
  // Sums, not averages, until the open minute is in: dividing then multiplying back would
  // not give the exact average.
  std::vector<MetricRollup> buckets;
  while (q.executeStep()) {
    buckets.push_back(
        {q.getColumn(0).getInt64(), q.getColumn(1).getInt64(), q.getColumn(2).getDouble(), q.getColumn(3).getDouble()});
  }
  if (open_minute != nullptr && open_minute->count > 0) {
    // The same filter and bucketing as the SQL, applied to the row the minute goes into.
    const int64_t row_ms = BucketStart(open_minute->start_ms, source_s);
    if (row_ms >= first && row_ms < until_ms) {
      const int64_t t = (row_ms - first) / out_ms * out_ms + first;
      auto it = std::lower_bound(buckets.begin(), buckets.end(), t,
                                 [](const MetricRollup& b, int64_t start) { return b.start_ms < start; });
      if (it == buckets.end() || it->start_ms != t) {
        buckets.insert(it, {t, open_minute->count, open_minute->sum, open_minute->max});
      } else {
        it->count += open_minute->count;
        it->sum += open_minute->sum;
        it->max = std::max(it->max, open_minute->max);
      }
    }
  }
  std::vector<MetricPoint> out;
  out.reserve(buckets.size());
  for (const MetricRollup& b : buckets) {
    MetricPoint p;
    p.time = FromUnixMs(b.start_ms);
    p.count = b.count;
    p.avg = b.count > 0 ? b.sum / static_cast<double>(b.count) : 0;
    p.max = b.max;
    out.push_back(p);
  }
  return out;
}

std::vector<std::string> ReadMetricNames(SQLite::Database& db) {
  // One jump through the primary key per name, not a scan of every row.
  SQLite::Statement q(db,
                      "WITH RECURSIVE n(name) AS (SELECT MIN(name) FROM metrics UNION ALL "
                      "SELECT (SELECT MIN(name) FROM metrics WHERE name > n.name) FROM n WHERE n.name IS NOT NULL) "
                      "SELECT name FROM n WHERE name IS NOT NULL");
  std::vector<std::string> out;
  while (q.executeStep()) out.push_back(q.getColumn(0).getString());
  return out;
}

}  // namespace vigil::store
