// SPDX-License-Identifier: MIT
// MetricBuffer: the open 1-minute bucket (count, sum, max) of each metric, in memory, so
// that the writer gets one rollup a metric a minute instead of two upserts a sample
// (docs/store.md, "`metrics`: metric history as rollups"). Owned by the Store, which
// queues what closes and merges what is open into its reads.
// Thread rule: the Store's (the loop thread); no lock.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "store/metric_rollups.h"

namespace vigil::store {

class MetricBuffer {
 public:
  struct Closed {
    std::string name;
    MetricRollup minute;
  };

  // Adds a sample of `name` at `time_ms` (Unix ms) to its open minute and returns the
  // buckets this closes: `name`'s open one if the sample is in another minute (later or
  // earlier), and, when the sample is in a minute later than any before, every bucket of
  // an earlier minute, so a metric sampled rarely does not keep an old minute open.
  // The common case (a sample of the open minute) returns an empty vector: no allocation.
  std::vector<Closed> Add(const std::string& name, int64_t time_ms, double value);
  // Closes and returns every open bucket (for Flush and shutdown).
  std::vector<Closed> CloseAll();

  // `name`'s open bucket, or nullptr; valid until the next Add or CloseAll.
  const MetricRollup* Find(const std::string& name) const;
  // The names with an open bucket, in no order.
  std::vector<std::string> OpenNames() const;

 private:
  // One entry a name ever sampled (the configured metrics: few), kept when its bucket
  // closes so a known name costs no allocation. count == 0: no open bucket.
  std::unordered_map<std::string, MetricRollup> buckets_;
  int64_t newest_minute_ms_ = INT64_MIN;  // the latest minute any sample was in
};

}  // namespace vigil::store
