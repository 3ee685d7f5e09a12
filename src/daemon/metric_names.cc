// SPDX-License-Identifier: MIT
// Metric history names of check samples and of usage views.
#include "daemon/metric_names.h"

namespace vigil::daemon {

std::string MetricHistoryName(const config::CheckSpec& spec) {
  if (spec.kind != config::CheckKind::kMetric) return "";
  using config::CheckMetric;
  if (!spec.program.empty()) {
    switch (spec.metric) {
      case CheckMetric::kCpu: return "program.cpu:" + spec.program;
      case CheckMetric::kMemory: return "program.memory:" + spec.program;
      case CheckMetric::kFds: return "program.fds:" + spec.program;
      case CheckMetric::kProcesses: return "program.processes:" + spec.program;
      default: return "";
    }
  }
  switch (spec.metric) {
    case CheckMetric::kCpu: return "system.cpu";
    case CheckMetric::kMemory: return "system.memory";
    case CheckMetric::kSwap: return "system.swap";
    case CheckMetric::kLoad: return "system.load";
    case CheckMetric::kDisk: return "disk.space:" + spec.path.string();
    case CheckMetric::kInodes: return "disk.inodes:" + spec.path.string();
    default: return "";
  }
}

bool IsMetricName(std::string_view name) {
  for (std::string_view fixed : {"system.cpu", "system.memory", "system.swap", "system.load", "system.pressure.cpu",
                                 "system.pressure.memory", "system.pressure.io"}) {
    if (name == fixed) return true;
  }
  for (std::string_view family : {"disk.space:", "disk.inodes:", "program.cpu:", "program.memory:", "program.fds:",
                                  "program.processes:"}) {
    if (name.size() > family.size() && name.substr(0, family.size()) == family) return true;
  }
  return false;
}

std::vector<NamedSample> HistorySamples(const api::TopView& view, const config::HistorySpec& history) {
  std::vector<NamedSample> out;
  if (history.system) {
    const api::SystemUsage& s = view.system;
    out.push_back({"system.cpu", s.cpu_percent});
    out.push_back({"system.memory", s.memory_used_percent});
    out.push_back({"system.swap", s.swap_used_percent});
    out.push_back({"system.load", s.cpus > 0 ? s.load1 / s.cpus : s.load1});
    if (s.cpu_pressure) out.push_back({"system.pressure.cpu", *s.cpu_pressure});
    if (s.memory_pressure) out.push_back({"system.pressure.memory", *s.memory_pressure});
    if (s.io_pressure) out.push_back({"system.pressure.io", *s.io_pressure});
  }
  if (history.disks) {
    for (const api::DiskUsage& d : view.disks) {
      if (!d.error.empty()) continue;  // no figures: a gap in the chart, not a zero
      out.push_back({"disk.space:" + d.mount_point, d.used_percent});
      out.push_back({"disk.inodes:" + d.mount_point, d.inodes_used_percent});
    }
  }
  if (history.programs) {
    for (const api::ProgramUsage& p : view.programs) {
      if (p.pid == 0) continue;  // not running: a gap, not a zero
      out.push_back({"program.cpu:" + p.name, p.cpu_percent});
      out.push_back({"program.memory:" + p.name, static_cast<double>(p.memory_bytes)});
      out.push_back({"program.fds:" + p.name, static_cast<double>(p.open_fds)});
      out.push_back({"program.processes:" + p.name, static_cast<double>(p.processes)});
    }
  }
  return out;
}

}  // namespace vigil::daemon
