// SPDX-License-Identifier: MIT
// The API's questions about the metric history (GET /v1/metrics, /v1/metrics/history),
// answered from the store in the API's terms.
// Thread rule: loop thread (the store's reads are synchronous on its read connection).
#pragma once

#include <string>
#include <vector>

#include "api/health_controller.h"
#include "store/store.h"

namespace vigil::daemon {

// `store` null (vigild runs without a database): Unavailable, saying so.
base::Result<std::vector<std::string>> ListMetricNames(store::Store* store);
base::Result<std::vector<api::MetricPointInfo>> QueryMetricHistory(store::Store* store,
                                                                   const api::MetricHistoryQuery& query);

}  // namespace vigil::daemon
