// SPDX-License-Identifier: MIT
// The lines vigild and `vigil-alert --worker` exchange (docs/alerts.md, "The worker"):
// requests on the worker's stdin, results on its stdout, one JSON object per line. No
// libcurl here: vigild writes and reads these.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace vigil::alert {

// One request line: {"seq": 7, "file": "/var/lib/vigil/outbox/12.json"}, the file holding a
// DeliveryRequest. InvalidArgument for anything else.
struct WorkerRequest {
  uint64_t seq = 0;
  std::string file;
};
base::Result<WorkerRequest> ParseWorkerRequest(std::string_view line);
std::string WorkerRequestLine(const WorkerRequest& request);  // with the final '\n'

// One result line: {"seq": 7, "ok": true} or {"seq": 7, "ok": false, "error": "..."}.
struct WorkerResult {
  uint64_t seq = 0;
  bool ok = false;
  std::string error;  // one line, when !ok
};
base::Result<WorkerResult> ParseWorkerResult(std::string_view line);
std::string WorkerResultLine(const WorkerResult& result);  // with the final '\n'

}  // namespace vigil::alert
