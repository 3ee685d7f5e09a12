// SPDX-License-Identifier: MIT
// daemon::Daemon: the composition root of vigild. Builds the loop, the launcher, the
// program and task services, the history and the API server from a DaemonSpec, wires them
// together, and runs until shut down. Only wiring, signals and the daemon-wide API
// questions (info, reload, shutdown) live here.
// Thread rule: constructed and run on the main thread, which is the loop thread.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <memory>

#include "config/spec.h"
#include "daemon/daemonize.h"
#include "daemon/systemd_notifier.h"

namespace vigil::daemon {

// How vigild was started (src/daemon/main.cc, docs/service.md).
struct DaemonOptions {
  StartupReport startup;        // --daemon: the launcher waiting for "ready" or the error
  SystemdEnvironment systemd;   // NOTIFY_SOCKET and the watchdog, when systemd started it
  // PID 1 of a container, or --init: every other process left at shutdown is stopped too,
  // and the exit status says whether everything stopped cleanly (docs/containers.md).
  bool init = false;
  std::filesystem::path pid_file;  // "" = none
  pid_t stale_pid = 0;             // the PID file was left by this pid: said in the event log
};

// Exit statuses of vigild (docs/vigild.md).
inline constexpr int kExitCannotStart = 1;
// --init only: shut down, but a program outlived its stop_timeout, or (as PID 1) another
// process had to be killed.
inline constexpr int kExitUncleanStop = 3;

class Daemon {
 public:
  Daemon(config::DaemonSpec spec, DaemonOptions options = {});
  ~Daemon();
  // Runs until SIGTERM/SIGINT or an API shutdown; returns the process exit code.
  int Run();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigil::daemon
