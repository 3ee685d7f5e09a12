// SPDX-License-Identifier: MIT
// What vigild publishes about itself for readers that do not call the API: the status
// file (state_dir/status.json, docs/service.md "Status file") and the one-line STATUS= it
// hands systemd ("12 running, 1 fatal, next task backup at 03:00"). Pure functions of a
// snapshot, so their format is tested without a daemon.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "api/program_controller.h"

namespace vigil::daemon {

// The status file's format version: raised when a field changes meaning or goes away
// (adding one does not).
inline constexpr int kStatusFormatVersion = 1;

struct StatusSnapshot {
  pid_t pid = 0;
  std::string version;
  int64_t started_at_ms = 0;
  std::string config_path;
  std::string socket;
  std::string state;  // vigild's: "running", "reloading", "stopping", "stopped"
  int64_t written_at_ms = 0;
  std::vector<api::ProgramInfo> programs;
  struct NextTask {
    std::string name;
    int64_t at_ms = 0;
  };
  std::optional<NextTask> next_task;  // the task due first, if any is scheduled
};

std::string RenderStatusJson(const StatusSnapshot& snapshot);

// "3 running, 1 fatal, next task backup at 03:00". The time is local, and absolute
// because systemd shows the line until the next change, which may be hours later. A task
// due on another day gets its date ("at 2026-12-06 03:00").
std::string SummaryLine(const StatusSnapshot& snapshot);

}  // namespace vigil::daemon
