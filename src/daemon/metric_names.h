// SPDX-License-Identifier: MIT
// The names samples are kept under in the metric history (docs/store.md#metric-names):
// "system.cpu", "disk.space:/", "program.memory:web", ... for a check's samples and for the
// figures of a usage view taken for the history.
// Thread rule: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/health_controller.h"
#include "config/spec.h"

namespace vigil::daemon {

// The name a metric check's samples are recorded under; "" for what is not kept (uptime,
// and checks that are not metric checks). A disk check names the path it watches.
std::string MetricHistoryName(const config::CheckSpec& spec);

// Whether `name` is of a family the history records (system.cpu, disk.space:PATH,
// program.memory:NAME, ...), whether or not it has samples.
bool IsMetricName(std::string_view name);

struct NamedSample {
  std::string name;
  double value = 0;
  bool operator==(const NamedSample&) const = default;
};

// The samples the history keeps of `view`, for the parts `history` asks for: the system's
// figures (and pressure where the kernel has it), each filesystem that answered (by mount
// point), and each program that has a process.
std::vector<NamedSample> HistorySamples(const api::TopView& view, const config::HistorySpec& history);

}  // namespace vigil::daemon
