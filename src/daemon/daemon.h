// SPDX-License-Identifier: MIT
// daemon::Daemon: the composition root of vigild. Builds the loop, reaper, supervisor,
// logs and API server from a DaemonSpec, wires them together, implements the API's
// Controller on top of the Supervisor, and runs until shut down.
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
