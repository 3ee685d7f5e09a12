// SPDX-License-Identifier: MIT
// SystemSample: one reading of the machine-wide /proc counters, and the figures two make.
// Thread rule: plain functions without state; safe from any thread.
#pragma once

#include <optional>

#include "base/status.h"
#include "metrics/proc_parse.h"
#include "metrics/proc_root.h"

namespace vigil::metrics {

struct SystemSample {
  CpuTimes cpu;
  int cpus = 0;  // online CPUs, at least 1
  MemInfo mem;
  LoadAvg load;
  // nullopt where the kernel has no pressure stall information (before 4.20, or psi=0)
  // or the file cannot be read.
  std::optional<Pressure> cpu_pressure;
  std::optional<Pressure> memory_pressure;
  std::optional<Pressure> io_pressure;
};

// Reads stat, meminfo, loadavg and pressure/{cpu,memory,io} under `proc`. The first three
// are required: a read error is returned as is (it names the file), and text that does not
// parse is InvalidArgument naming the file ("/proc/meminfo: unexpected format"). A
// pressure file that cannot be read leaves its field nullopt; one that reads but does not
// parse is an error like the others.
base::Result<SystemSample> ReadSystem(const ProcRoot& proc);

// Percentages are of the whole machine, 0 to 100.
struct SystemFigures {
  double cpu_busy_percent = 0;
  double memory_used_percent = 0;  // (total - available) / total
  double swap_used_percent = 0;    // 0 without swap
  double load_per_cpu = 0;         // the one-minute load over the CPUs
};

// The figures at `now`; CPU use is over the time since `previous`: the growth of Busy()
// over that of Total(). No growth, or counters that went backwards (a sample of another
// boot, a CPU gone offline), give 0; the result is never below 0 or above 100.
SystemFigures Figures(const SystemSample& previous, const SystemSample& now);

}  // namespace vigil::metrics
