// SPDX-License-Identifier: MIT
// report::Report: a health report of one period (docs/health.md#the-health-report), built
// from an Input by Build(), a pure function, and rendered by render.h as text and JSON.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/clock.h"
#include "report/input.h"
#include "report/stats.h"

namespace vigil::report {

// One machine-wide figure: "CPU", "memory", "disk / space", ...
struct ResourceLine {
  std::string metric;  // the store's name, "system.cpu"
  std::string label;   // "CPU"
  std::string unit;    // "%", "" (load per CPU) or "bytes"
  Summary summary;
};

struct DiskLine {
  std::string mount;  // "/srv"
  Growth growth;
};

// A check or program that was bad, from its first warn/crit finding to the recovery that
// ended the last one of its chain (a worse level ends the open finding and opens its own).
struct Incident {
  int64_t id = 0;  // of the first finding
  base::WallTime start;
  std::optional<base::WallTime> end;  // nullopt: not over at the end of the period
  base::Duration duration{0};         // to its end, or to the end of the period
  std::string severity;               // the worst of the chain: "warn" or "crit"
  std::string category;               // "check" or "program"
  std::string subject;
  std::string text;  // the first finding's sentence
};

// A self-healing action and what came of it (an "action" finding).
struct ActionLine {
  base::WallTime time;
  std::string severity;
  std::string subject;  // the check that acted
  std::string text;
};

struct ProgramLine {
  std::string name;
  double uptime_percent = 0;
  int restarts = 0;
  int processes = 0;  // that ran during the period
  std::vector<std::pair<std::string, int>> exit_reasons;
  std::optional<Summary> cpu;     // % of one CPU
  std::optional<Summary> memory;  // bytes
};

struct TaskLine {
  std::string name;
  int runs = 0;
  int succeeded = 0;
  int failed = 0;            // exited non-zero, killed, timed out or interrupted
  int running = 0;           // not ended at the end of the period
  uint64_t bytes_freed = 0;  // cleanup runs
  bool freed_known = false;  // a cleanup run said what it freed
  int64_t updates_found = 0;
  int64_t updates_applied = 0;
  bool updates_known = false;  // a run said "updates found:" or "updates applied:"
};

struct Report {
  base::WallTime since;
  base::WallTime until;
  std::string host;
  std::string summary;  // one line
  std::vector<ResourceLine> resources;
  std::vector<DiskLine> disks;
  std::vector<Incident> incidents;    // oldest first
  std::vector<ActionLine> actions;    // oldest first
  std::vector<ProgramLine> programs;  // by name
  std::vector<TaskLine> tasks;        // by name
  uint64_t bytes_freed = 0;           // by every cleanup run
  int64_t updates_found = 0;
  int64_t updates_applied = 0;
  std::vector<std::string> recommendations;  // plain sentences; never empty
};

Report Build(const Input& input);

// The plain-language advice of a report (filled into Report::recommendations by Build).
std::vector<std::string> Recommend(const Report& report);

}  // namespace vigil::report
