// SPDX-License-Identifier: MIT
// daemon::ProcIdleMeter: the machine's figures for a task run waiting for an idle machine
// (when_idle), read from /proc: the CPU busy share since this meter's previous reading and
// the 1-minute load average per CPU. One per waiting run, made by TaskService.
// Thread rule: loop thread only (reads a few small /proc files, never blocks for long).
#pragma once

#include <optional>

#include "metrics/proc_root.h"
#include "metrics/system_sample.h"
#include "tasks/idle_wait.h"

namespace vigil::daemon {

class ProcIdleMeter final : public tasks::IdleMeter {
 public:
  explicit ProcIdleMeter(metrics::ProcRoot proc) : proc_(std::move(proc)) {}

  // The first reading has no CPU share (it needs two readings of /proc/stat). A file that
  // cannot be read or parsed gives a reading with `error` set, and the next CPU share is
  // measured from the last good reading.
  tasks::IdleReading Read() override;

 private:
  metrics::ProcRoot proc_;
  std::optional<metrics::SystemSample> previous_;
};

}  // namespace vigil::daemon
