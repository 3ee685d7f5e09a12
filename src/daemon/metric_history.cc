// SPDX-License-Identifier: MIT
// Metric history reads for the API.
#include "daemon/metric_history.h"

#include <chrono>

#include "base/clock.h"
#include "daemon/metric_names.h"

namespace vigil::daemon {
namespace {

base::Status NoStore() {
  return base::Status::Unavailable("vigild keeps no metric history: its history database could not be opened");
}

base::WallTime FromMs(int64_t ms) {
  return base::WallTime(std::chrono::duration_cast<base::WallTime::duration>(std::chrono::milliseconds(ms)));
}

}  // namespace

base::Result<std::vector<std::string>> ListMetricNames(store::Store* store) {
  if (store == nullptr) return NoStore();
  return store->MetricNames();
}

base::Result<std::vector<api::MetricPointInfo>> QueryMetricHistory(store::Store* store,
                                                                   const api::MetricHistoryQuery& query) {
  if (!IsMetricName(query.name)) {
    return base::Status::InvalidArgument("unknown metric \"" + query.name +
                                         "\": expected system.cpu, system.memory, system.swap, system.load, "
                                         "system.pressure.cpu|memory|io, disk.space:PATH, disk.inodes:PATH or "
                                         "program.cpu|memory|fds|processes:NAME (GET /v1/metrics lists those with "
                                         "history)");
  }
  if (store == nullptr) return NoStore();
  auto points = store->QueryMetrics(query.name, FromMs(query.since_ms), FromMs(query.until_ms),
                                    std::chrono::seconds(query.step_s));
  if (!points) return points.error();
  std::vector<api::MetricPointInfo> out;
  out.reserve(points->size());
  for (const store::MetricPoint& p : *points) out.push_back({base::UnixMs(p.time), p.count, p.avg, p.max});
  return out;
}

}  // namespace vigil::daemon
