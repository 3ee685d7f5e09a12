// SPDX-License-Identifier: MIT
// GET /metrics: vigild's figures in the Prometheus text exposition format 0.0.4
// (docs/api.md#get-metrics), following Prometheus' naming conventions: base units (seconds,
// bytes), `_total` for counters, `_info` for metadata, one series per state for states.
// Thread rule: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/daemon_controller.h"
#include "api/health_controller.h"
#include "api/program_controller.h"
#include "api/task_controller.h"

namespace vigil::api {

// The exact Content-Type of the format.
inline constexpr std::string_view kPrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

// Everything one scrape shows, gathered by the daemon.
struct Scrape {
  std::string version;
  int64_t now_ms = 0;  // unix time of the scrape
  std::vector<ProgramInfo> programs;
  std::vector<ProgramUsage> usage;  // by name; a program without an entry shows no usage
  std::vector<TaskInfo> tasks;
  std::vector<CheckInfo> checks;
  SelfFigures self;
};

// The exposition text: every family with its HELP and TYPE, label values escaped.
std::string PrometheusText(const Scrape& scrape);

// "exit 3" -> 3, "killed by SIGKILL" -> 137 (128 + the signal, as a shell reports it);
// nullopt for "" (never exited) or anything else.
std::optional<int> ExitCodeOf(std::string_view last_exit);

}  // namespace vigil::api
