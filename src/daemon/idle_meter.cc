// SPDX-License-Identifier: MIT
// ProcIdleMeter: two readings of /proc make a CPU share (metrics::Figures).
#include "daemon/idle_meter.h"

namespace vigil::daemon {

tasks::IdleReading ProcIdleMeter::Read() {
  tasks::IdleReading reading;
  base::Result<metrics::SystemSample> sample = metrics::ReadSystem(proc_);
  if (!sample) {
    reading.error = sample.error().message();
    return reading;
  }
  // Against itself, Figures gives the load (and a CPU share of 0, which is not used).
  const metrics::SystemFigures figures = metrics::Figures(previous_ ? *previous_ : *sample, *sample);
  if (previous_) reading.cpu_busy_percent = figures.cpu_busy_percent;
  reading.load_per_cpu = figures.load_per_cpu;
  previous_ = std::move(sample).value();
  return reading;
}

}  // namespace vigil::daemon
