// SPDX-License-Identifier: MIT
// vigild's own process figures for GET /metrics (process_cpu_seconds_total and the other
// standard process_* metrics), read from getrusage, /proc/self/statm and /proc/self/fd.
// Thread rule: any thread; reads only this process.
#pragma once

#include "api/daemon_controller.h"
#include "base/clock.h"

namespace vigil::daemon {

// Everything but http_connections, which the caller adds.
api::SelfFigures OwnFigures(base::WallTime started_at);

}  // namespace vigil::daemon
