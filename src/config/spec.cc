// SPDX-License-Identifier: MIT
// Names of the values of spec.h's enums.
#include "config/spec.h"

namespace vigil::config {

std::string_view TaskActionName(TaskAction action) {
  switch (action) {
    case TaskAction::kCommand: return "command";
    case TaskAction::kRestart: return "restart";
    case TaskAction::kCleanup: return "cleanup";
    case TaskAction::kRotateLogs: return "rotate-logs";
  }
  return "command";
}

std::string_view CheckMetricName(CheckMetric metric) {
  switch (metric) {
    case CheckMetric::kCpu: return "cpu";
    case CheckMetric::kMemory: return "memory";
    case CheckMetric::kSwap: return "swap";
    case CheckMetric::kLoad: return "load";
    case CheckMetric::kDisk: return "disk";
    case CheckMetric::kInodes: return "inodes";
  }
  return "cpu";
}

}  // namespace vigil::config
