// SPDX-License-Identifier: MIT
// report::Input: the plain history of one period that a health report is made from. The
// daemon fills it from the store; tests write it by hand. Nothing here reads or decides.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"

namespace vigil::report {

// One bucket of a metric's history: `count` samples with their average and maximum.
struct MetricPoint {
  base::WallTime time;  // the bucket's start
  int64_t count = 0;
  double avg = 0;
  double max = 0;
};

// A metric's buckets over the period, oldest first. Names as the store keeps them:
// "system.cpu", "system.memory", "system.swap" (%), "system.load" (per CPU),
// "disk.space:/srv", "disk.inodes:/srv" (% used), "program.cpu:web" (% of one CPU),
// "program.memory:web" (bytes).
struct MetricSeries {
  std::string name;
  std::vector<MetricPoint> points;
};

// One process of a program.
struct Lifetime {
  std::string program;
  base::WallTime started;
  std::optional<base::WallTime> ended;  // nullopt while it runs
  std::string exit_status;              // "exit 1", "killed by SIGKILL"; "" while it runs
  std::string reason;                   // why it ended, if known
};

// One entry of the findings journal (docs/health.md#findings).
struct Finding {
  int64_t id = 0;
  base::WallTime time;
  std::string severity;  // "info", "warn", "crit"
  std::string category;  // "check", "action", "program", "task", "alert"
  std::string subject;
  std::string text;
  int64_t raise_id = 0;  // the finding this one ends; 0 if none
};

// One run of a task.
struct TaskRun {
  std::string task;
  std::string action;  // "command", "cleanup", "restart", "rotate-logs", "report"; "" if unknown
  base::WallTime started;
  std::optional<base::WallTime> ended;
  std::optional<int> exit_code;
  std::optional<int> signal;
  bool timed_out = false;
  bool interrupted = false;
  std::string output_tail;  // the last lines of its output
};

struct Input {
  base::WallTime since;  // the period is [since, until)
  base::WallTime until;
  std::string host;
  std::vector<MetricSeries> metrics;
  std::vector<Lifetime> lifetimes;  // every process that ran during the period
  std::vector<Finding> findings;    // those recorded during the period
  std::vector<TaskRun> runs;        // those started during the period
};

}  // namespace vigil::report
