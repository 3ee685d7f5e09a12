// SPDX-License-Identifier: MIT
// The words of metric checks (see check_words.h).
#include "daemon/check_words.h"

#include <fmt/format.h>

#include "base/command_line.h"
#include "base/units.h"

namespace vigil::daemon {
namespace {

bool OfProgram(const config::CheckSpec& spec) {
  return spec.kind == config::CheckKind::kMetric && !spec.program.empty();
}

}  // namespace

std::string MetricFigure(const config::CheckSpec& spec, double v) {
  switch (spec.metric) {
    case config::CheckMetric::kLoad: return fmt::format("{:.2f}", v);
    case config::CheckMetric::kFds:
    case config::CheckMetric::kProcesses: return fmt::format("{:.0f}", v);
    case config::CheckMetric::kUptime:
      return base::FormatDuration(std::chrono::duration_cast<base::Duration>(std::chrono::duration<double>(v)));
    case config::CheckMetric::kMemory:
      if (OfProgram(spec)) return base::FormatSize(static_cast<uint64_t>(v));
      break;
    default: break;
  }
  return fmt::format("{:.1f}%", v);
}

std::string DescribeMetric(const config::CheckSpec& spec, double v) {
  const std::string f = MetricFigure(spec, v);
  if (OfProgram(spec)) {
    switch (spec.metric) {
      case config::CheckMetric::kCpu: return spec.program + " CPU at " + f + " of one CPU";
      case config::CheckMetric::kMemory: return spec.program + " memory at " + f;
      case config::CheckMetric::kFds: return spec.program + " has " + f + " open files";
      case config::CheckMetric::kProcesses: return spec.program + " has " + f + " processes";
      case config::CheckMetric::kUptime: return spec.program + " has run " + f;
      default: break;
    }
  }
  switch (spec.metric) {
    case config::CheckMetric::kCpu: return "CPU at " + f;
    case config::CheckMetric::kMemory: return "memory used at " + f;
    case config::CheckMetric::kSwap: return "swap used at " + f;
    case config::CheckMetric::kLoad: return "load " + f + " per CPU";
    case config::CheckMetric::kDisk: return "disk " + spec.path.string() + " at " + f + " full";
    case config::CheckMetric::kInodes: return "inodes of " + spec.path.string() + " at " + f + " used";
    default: return f;
  }
}

std::string LevelNote(const config::CheckSpec& spec, health::Level level, double value) {
  if (level == health::Level::kCrit && spec.crit && value >= *spec.crit) {
    return fmt::format(" (critical at {})", MetricFigure(spec, *spec.crit));
  }
  if (level == health::Level::kWarn && spec.warn && value >= *spec.warn) {
    return fmt::format(" (warning at {})", MetricFigure(spec, *spec.warn));
  }
  if (level != health::Level::kOk && spec.clear) {
    return fmt::format(" (OK again below {})", MetricFigure(spec, *spec.clear));
  }
  return "";
}

std::string CheckTarget(const config::CheckSpec& spec) {
  switch (spec.kind) {
    case config::CheckKind::kMetric: {
      std::string out(config::CheckMetricName(spec.metric));
      if (config::CheckMetricOnDisk(spec.metric)) out += " " + spec.path.string();
      if (!spec.program.empty()) out += " of " + spec.program;
      return out;
    }
    case config::CheckKind::kHttp: return spec.probe->url;
    case config::CheckKind::kTcp: return "tcp " + spec.probe->address;
    case config::CheckKind::kCommand: return "command " + base::JoinCommand(spec.probe->argv);
    case config::CheckKind::kFile: return "file " + spec.path.string();
    case config::CheckKind::kProcess: {
      std::string out = "process";
      if (!spec.probe->process.name.empty()) out += " " + spec.probe->process.name;
      if (!spec.probe->process.command.empty()) out += " /" + spec.probe->process.command + "/";
      if (!spec.probe->process.user.empty()) out += " of " + spec.probe->process.user;
      return out;
    }
  }
  return "";
}

std::string Suggestion(const config::CheckSpec& spec) {
  const std::string program = spec.program;
  switch (spec.kind) {
    case config::CheckKind::kMetric:
      if (!program.empty()) return "See what " + program + " is doing: vigil top " + program + "; vigil logs " + program + ".";
      switch (spec.metric) {
        case config::CheckMetric::kCpu:
        case config::CheckMetric::kLoad: return "Look for a runaway process: vigil top.";
        case config::CheckMetric::kMemory:
        case config::CheckMetric::kSwap: return "See what uses the memory: vigil top.";
        case config::CheckMetric::kDisk:
          return "Free space on " + spec.path.string() + ": old logs, caches, backups (du -xh " + spec.path.string() +
                 " | sort -h | tail).";
        case config::CheckMetric::kInodes:
          return "Look for directories of many small files under " + spec.path.string() + ".";
        default: return "";
      }
    case config::CheckKind::kHttp:
    case config::CheckKind::kTcp:
      return program.empty() ? "Is the service up?" : "Is " + program + " answering? vigil logs " + program + ".";
    case config::CheckKind::kProcess: return "See the processes: vigil top.";
    default: return "";
  }
}

}  // namespace vigil::daemon
