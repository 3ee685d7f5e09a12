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
    case TaskAction::kReport: return "report";
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
    case CheckMetric::kFds: return "fds";
    case CheckMetric::kProcesses: return "processes";
    case CheckMetric::kUptime: return "uptime";
  }
  return "cpu";
}

std::string_view CheckKindName(CheckKind kind) {
  switch (kind) {
    case CheckKind::kMetric: return "metric";
    case CheckKind::kHttp: return "http";
    case CheckKind::kTcp: return "tcp";
    case CheckKind::kCommand: return "command";
    case CheckKind::kFile: return "file";
    case CheckKind::kProcess: return "process";
  }
  return "metric";
}

std::string_view AlertKindName(AlertKind kind) {
  switch (kind) {
    case AlertKind::kEmail: return "email";
    case AlertKind::kWebhook: return "webhook";
    case AlertKind::kCommand: return "command";
  }
  return "email";
}

std::string_view CheckVerbName(CheckVerb verb) {
  switch (verb) {
    case CheckVerb::kRestart: return "restart";
    case CheckVerb::kStop: return "stop";
    case CheckVerb::kRun: return "run";
    case CheckVerb::kSignal: return "signal";
    case CheckVerb::kKill: return "kill";
    case CheckVerb::kTop: return "top";
    case CheckVerb::kExec: return "exec";
  }
  return "restart";
}

std::string_view ReadyKindName(ReadyKind kind) {
  switch (kind) {
    case ReadyKind::kStartSeconds: return "start_seconds";
    case ReadyKind::kNotify: return "notify";
    case ReadyKind::kTcp: return "tcp";
    case ReadyKind::kHttp: return "http";
    case ReadyKind::kLog: return "log";
  }
  return "start_seconds";
}

}  // namespace vigil::config
