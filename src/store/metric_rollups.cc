// SPDX-License-Identifier: MIT
// Metric rollups: bucket arithmetic, the upsert and prune SQL, and the re-bucketing read.
#include "store/metric_rollups.h"

#include <SQLiteCpp/SQLiteCpp.h>

#include <algorithm>

#include "store/unix_ms.h"

namespace vigil::store {

const char* const kUpsertMetricSql =
    "INSERT INTO metrics (name, step_s, time_ms, count, sum, max) VALUES (?1, ?2, ?3, 1, ?4, ?4) "
    "ON CONFLICT(name, step_s, time_ms) DO UPDATE SET count = count + 1, sum = sum + excluded.sum, "
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
                                          int64_t until_ms, int64_t step_s) {
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
  std::vector<MetricPoint> out;
  while (q.executeStep()) {
    MetricPoint p;
    p.time = FromUnixMs(q.getColumn(0).getInt64());
    p.count = q.getColumn(1).getInt64();
    p.avg = p.count > 0 ? q.getColumn(2).getDouble() / static_cast<double>(p.count) : 0;
    p.max = q.getColumn(3).getDouble();
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
