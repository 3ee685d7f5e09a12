// SPDX-License-Identifier: MIT
// api::HealthController: what the API may ask about resource use, of the machine and of
// each program's whole process group (children included). The daemon implements it on
// /proc; the API only sees the figures.
// Thread rule: every method is called on the loop thread.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"

namespace vigil::api {

struct SystemUsage {
  int cpus = 0;
  double cpu_percent = 0;          // busy share of all CPUs, 0-100
  double memory_used_percent = 0;  // (MemTotal - MemAvailable) / MemTotal
  uint64_t memory_total_bytes = 0;
  uint64_t memory_available_bytes = 0;
  double swap_used_percent = 0;    // 0 without swap
  double load1 = 0, load5 = 0, load15 = 0;
  // Pressure stall information, "some" avg10 (% of the last 10 s some task waited for the
  // resource); nullopt where the kernel has none.
  std::optional<double> cpu_pressure, memory_pressure, io_pressure;
};

struct ProgramUsage {
  std::string name;
  std::string state;
  pid_t pid = 0;             // 0 when no process is running (every figure below is then 0)
  double cpu_percent = 0;    // of one CPU: a group busy on two cores shows 200
  double cpu_seconds = 0;    // used by the group's living processes
  uint64_t memory_bytes = 0; // resident set of the group's processes
  std::optional<uint64_t> pss_bytes;  // proportional set size, where read (GET /v1/top)
  int processes = 0;
  int open_fds = 0;
  int64_t uptime_ms = -1;
  int restarts = 0;
};

// One mounted filesystem that holds data (no pseudo filesystems, each device once).
struct DiskUsage {
  std::string mount_point;
  std::string fs_type;
  uint64_t total_bytes = 0;
  uint64_t available_bytes = 0;  // for unprivileged users, as df shows it
  double used_percent = 0;       // used / (used + available), as df's Use%
  double inodes_used_percent = 0;  // 0 where the filesystem counts no inodes
  std::string error;  // why there are no figures ("not answering after 2s"); else empty
};

struct TopView {
  SystemUsage system;
  std::vector<DiskUsage> disks;
  std::vector<ProgramUsage> programs;
};

using TopDoneFn = std::function<void(base::Result<TopView>)>;

// One [check.NAME] as it stands (docs/health.md).
struct CheckInfo {
  std::string name;
  std::string kind;            // "metric", "http", "tcp", "command", "file", "process"
  std::string target;          // what it looks at, in words: "disk /", "http://127.0.0.1:8080/health"
  std::string program;         // the program it is about, or ""
  std::string metric;          // metric checks: "cpu", "memory", "swap", "load", "disk", "inodes", "fds", "processes"
  std::string path;            // disk and inodes: the path watched; else empty
  std::string state;           // PENDING, OK, WARN, CRIT, UNKNOWN
  int64_t since_ms = 0;        // unix ms the state began
  std::optional<double> value; // the last sample; nullopt before the first or when it failed
  std::optional<double> warn;
  std::optional<double> crit;
  std::string message;         // the last sample in words ("CPU at 93.1% (critical at 90%)")
  bool gave_up = false;        // its actions reached their limit; they resume once it is OK
};

// One entry of the findings journal (docs/health.md#findings).
struct FindingInfo {
  int64_t id = 0;
  int64_t time_ms = 0;
  std::string severity;  // "info", "warn", "crit"
  std::string category;  // "check", "action", "program", "task"
  std::string subject;
  std::string text;
  int64_t raise_id = 0;  // a recovery: the finding it ends; else 0
};

struct FindingQuery {
  int64_t since_ms = 0;   // 0 = no lower bound
  int min_rank = 0;       // 0 info and up, 1 warn and up, 2 crit only
  int64_t before_id = 0;  // paging: older than this id; 0 = from the newest
  int limit = 100;
};

// One point of a metric's history: the samples in one bucket (docs/api.md).
struct MetricPointInfo {
  int64_t time_ms = 0;  // the bucket's start
  int64_t count = 0;
  double avg = 0;
  double max = 0;
};

struct MetricHistoryQuery {
  std::string name;  // "system.cpu", "program.memory:web", ... (docs/store.md)
  int64_t since_ms = 0;
  int64_t until_ms = 0;  // exclusive
  int64_t step_s = 60;
};

// A health report (docs/health.md#the-health-report): as people read it, and as the text
// of one JSON object (docs/api.md#health-report).
struct ReportView {
  std::string text;
  std::string json;
};

class HealthController {
 public:
  virtual ~HealthController() = default;
  // The machine, its filesystems and the programs `names` select (all when empty),
  // measured now; `done` gets the view (NotFound naming an unknown name). CPU shares are
  // over the time since the previous call when it was recent, else over the process's (or
  // the machine's) life. Filesystems are measured off the loop thread, so `done` may come
  // later, but always: a filesystem that does not answer in time is reported as such.
  virtual void Top(const std::vector<std::string>& names, TopDoneFn done) = 0;
  // The machine and its filesystems, measured now as Top measures them, without programs
  // (GET /v1/health): `done` gets a view whose `programs` is empty, later but always. The
  // default asks Top and drops the programs.
  virtual void Machine(TopDoneFn done) {
    Top({}, [done = std::move(done)](base::Result<TopView> view) {
      if (view) view->programs.clear();
      done(std::move(view));
    });
  }
  // The findings journal, newest first.
  virtual base::Result<std::vector<FindingInfo>> ListFindings(const FindingQuery& query) = 0;
  // Sends a test notification through the alert channel `name` now; `done` gets the
  // result (NotFound for an unknown channel, Unavailable with the reason it failed).
  virtual void TestAlert(const std::string& name, std::function<void(base::Status)> done) = 0;
  // Every health check, in config order.
  virtual std::vector<CheckInfo> Checks() = 0;
  // Every metric with history, sorted. Unavailable when vigild keeps no history.
  virtual base::Result<std::vector<std::string>> MetricNames() {
    return base::Status::Unavailable("vigild keeps no metric history");
  }
  // The points of one metric, oldest first (an unknown name has none).
  virtual base::Result<std::vector<MetricPointInfo>> MetricHistory(const MetricHistoryQuery&) {
    return base::Status::Unavailable("vigild keeps no metric history");
  }
  // The health report of the `period_ms` up to now. Unavailable when vigild keeps no history.
  virtual base::Result<ReportView> Report(int64_t period_ms) {
    (void)period_ms;
    return base::Status::Unavailable("vigild makes no health reports");
  }
};

}  // namespace vigil::api
