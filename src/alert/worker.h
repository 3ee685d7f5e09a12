// SPDX-License-Identifier: MIT
// vigil-alert --worker: the resident form of vigil-alert that vigild keeps while email or
// webhook channels are configured. It reads requests from its stdin and writes results on
// its stdout, one JSON object per line each, and runs the deliveries side by side on one
// libcurl multi handle, whose connection cache keeps connections to the servers open
// between deliveries. The lines it reads and writes: alert/worker_protocol.h.
// Thread rule: one thread; RunWorker blocks until its input ends.
#pragma once

namespace vigil::alert {

// Serves requests from `in_fd` until it ends (and every delivery under way has finished),
// writing a result for each to `out_fd`. Returns the exit status: 0 at the end of the
// input, 2 for a line that is not a request (vigild's bug: it says so on stderr), 1 when
// libcurl cannot be set up or the results cannot be written.
int RunWorker(int in_fd, int out_fd);

}  // namespace vigil::alert
