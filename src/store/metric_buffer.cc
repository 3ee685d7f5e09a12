// SPDX-License-Identifier: MIT
// MetricBuffer: accumulating samples into open minutes and closing them.
#include "store/metric_buffer.h"

namespace vigil::store {

std::vector<MetricBuffer::Closed> MetricBuffer::Add(const std::string& name, int64_t time_ms, double value) {
  std::vector<Closed> closed;
  const int64_t minute_ms = BucketStart(time_ms, kMinuteStepS);
  if (minute_ms > newest_minute_ms_) {
    // Invariant: every open bucket is of newest_minute_ms_ or earlier, so a newer minute
    // closes them all. Time going backwards does not sweep: it would close every bucket
    // twice around each out-of-order sample.
    newest_minute_ms_ = minute_ms;
    closed = CloseAll();
  }
  // try_emplace copies the name only when it is new.
  MetricRollup& b = buckets_.try_emplace(name).first->second;
  if (b.count > 0 && b.start_ms != minute_ms) {
    closed.push_back({name, b});
    b.count = 0;
  }
  if (b.count == 0) {
    b = {minute_ms, 1, value, value};
  } else {
    ++b.count;
    b.sum += value;
    if (value > b.max) b.max = value;
  }
  return closed;
}

std::vector<MetricBuffer::Closed> MetricBuffer::CloseAll() {
  std::vector<Closed> closed;
  for (auto& [name, b] : buckets_) {
    if (b.count == 0) continue;
    closed.push_back({name, b});
    b.count = 0;
  }
  return closed;
}

const MetricRollup* MetricBuffer::Find(const std::string& name) const {
  auto it = buckets_.find(name);
  return it == buckets_.end() || it->second.count == 0 ? nullptr : &it->second;
}

std::vector<std::string> MetricBuffer::OpenNames() const {
  std::vector<std::string> names;
  for (const auto& [name, b] : buckets_) {
    if (b.count > 0) names.push_back(name);
  }
  return names;
}

}  // namespace vigil::store
