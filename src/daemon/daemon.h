// SPDX-License-Identifier: MIT
// daemon::Daemon: the composition root of vigild. Builds the loop, the launcher, the
// program and task services, the history and the API server from a DaemonSpec, wires them
// together, and runs until shut down. Only wiring, signals and the daemon-wide API
// questions (info, reload, shutdown) live here.
// Thread rule: constructed and run on the main thread, which is the loop thread.
#pragma once

#include <memory>

#include "config/spec.h"

namespace vigil::daemon {

class Daemon {
 public:
  explicit Daemon(config::DaemonSpec spec);
  ~Daemon();
  // Runs until SIGTERM/SIGINT or an API shutdown; returns the process exit code.
  int Run();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigil::daemon
