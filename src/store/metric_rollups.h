// SPDX-License-Identifier: MIT
// Metric history as rollups (docs/store.md#metrics-metric-history): every sample is added to
// a 1-minute and a 1-hour bucket of the `metrics` table (count, sum, max), so a chart over
// an hour or a year reads a few hundred rows and the table's size is bounded by retention.
// Samples reach the table a minute at a time (store/metric_buffer.h).
// Here: the steps, their retention, the SQL the writer runs and the reads the Store runs.
// Thread rule: plain functions; each uses the connection it is given on the caller's thread.
// They throw SQLite::Exception; the Store catches.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "store/store.h"

namespace SQLite {
class Database;
}

namespace vigil::store {

inline constexpr int64_t kMinuteStepS = 60;
inline constexpr int64_t kHourStepS = 3600;
// How long each rollup is kept: 14 days of minutes, about 13 months of hours.
inline constexpr std::chrono::hours kMinuteRetention{14 * 24};
inline constexpr std::chrono::hours kHourRetention{400 * 24};
// How often RecordSample queues the deletion of rollups past their retention.
inline constexpr std::chrono::hours kMetricPruneEvery{1};

// The samples of one bucket.
struct MetricRollup {
  int64_t start_ms = 0;  // the bucket's start (Unix ms, UTC)
  int64_t count = 0;
  double sum = 0;
  double max = 0;
};

// Merges samples into a bucket: ?1 name, ?2 step_s, ?3 bucket start (ms), ?4 count, ?5 sum,
// ?6 max. The same bucket may be merged into any number of times.
extern const char* const kUpsertMetricSql;
// Deletes rollups past retention: ?1 minute cutoff (ms), ?2 hour cutoff (ms).
extern const char* const kPruneMetricsSql;

// The start of the bucket of `step_s` seconds that holds `time_ms` (Unix time, UTC).
int64_t BucketStart(int64_t time_ms, int64_t step_s);

// As Store::QueryMetrics, on `db`, plus `open_minute` (a 1-minute bucket not in `db` yet;
// nullptr or count 0 for none), counted where its row would be.
std::vector<MetricPoint> ReadMetricPoints(SQLite::Database& db, const std::string& name, int64_t since_ms,
                                          int64_t until_ms, int64_t step_s, const MetricRollup* open_minute);
// As Store::MetricNames, on `db`.
std::vector<std::string> ReadMetricNames(SQLite::Database& db);

}  // namespace vigil::store
