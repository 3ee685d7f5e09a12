// SPDX-License-Identifier: MIT
// Parsers of the /proc text formats health monitoring reads, kept pure so any text can be tested.
// Thread rule: plain functions without state; safe from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vigil::metrics {

// Every parser below returns nullopt for text it cannot read whole: empty, truncated, a
// field that is not a number of its type (negative, fractional, beyond 64 bits). None
// crashes or throws on any input. Formats are those of proc(5).

// The aggregate CPU time counters of /proc/stat, in USER_HZ ticks since boot. Guest time
// is already counted inside user and nice, so it is left out here.
struct CpuTimes {
  uint64_t user = 0;
  uint64_t nice = 0;
  uint64_t system = 0;
  uint64_t idle = 0;
  uint64_t iowait = 0;
  uint64_t irq = 0;
  uint64_t softirq = 0;
  uint64_t steal = 0;

  uint64_t Total() const;
  uint64_t Busy() const;  // Total() - idle - iowait
};

// The "cpu " line of /proc/stat, which needs at least the eight counters above (kernels
// since 2.6.11). A parsed line's Total() does not overflow.
std::optional<CpuTimes> ParseProcStat(std::string_view proc_stat);

// The number of "cpuN" lines of /proc/stat (online CPUs); nullopt when there is none.
std::optional<int> CountCpus(std::string_view proc_stat);

// The "btime" line of /proc/stat: the boot time, in seconds since the Unix epoch.
std::optional<uint64_t> ParseBootTimeSeconds(std::string_view proc_stat);

// /proc/meminfo, converted from kB. MemTotal and MemAvailable (kernels since 3.14) are
// required; a missing SwapTotal or SwapFree reads as 0 (a kernel built without swap).
struct MemInfo {
  uint64_t total_bytes = 0;
  uint64_t available_bytes = 0;
  uint64_t swap_total_bytes = 0;
  uint64_t swap_free_bytes = 0;
};
std::optional<MemInfo> ParseMemInfo(std::string_view proc_meminfo);

// The three run-queue averages of /proc/loadavg.
struct LoadAvg {
  double one = 0;
  double five = 0;
  double fifteen = 0;
};
std::optional<LoadAvg> ParseLoadAvg(std::string_view proc_loadavg);

// The last field of /proc/loadavg: the pid the kernel handed out last in the reader's pid
// namespace (a process's or a thread's). While it stays the same, no process was created.
std::optional<int> ParseLastPid(std::string_view proc_loadavg);

// /proc/pressure/{cpu,memory,io}: the share of time (in percent) tasks stalled, averaged
// over 10 s, 60 s and 300 s, and the total stall in microseconds. The "full" line is
// optional because /proc/pressure/cpu has it only since Linux 5.13; when present, all four
// full_ fields are set.
struct Pressure {
  double some_avg10 = 0;
  double some_avg60 = 0;
  double some_avg300 = 0;
  uint64_t some_total_us = 0;
  std::optional<double> full_avg10;
  std::optional<double> full_avg60;
  std::optional<double> full_avg300;
  std::optional<uint64_t> full_total_us;
};
std::optional<Pressure> ParsePressure(std::string_view proc_pressure);

// The fields of /proc/PID/stat that monitoring uses. Times are in USER_HZ ticks
// (sysconf(_SC_CLK_TCK)); start_time_ticks counts from boot; rss_pages is in pages
// (sysconf(_SC_PAGESIZE)). cutime/cstime are the times of the children this process has
// waited for, so a group's total does not drop when one of its members reaps another.
struct ProcessStat {
  int pid = 0;
  std::string comm;  // the name between the parentheses, as is (may hold spaces and ')')
  char state = 0;    // 'R', 'S', 'D', 'Z', ...
  int ppid = 0;
  int pgrp = 0;
  int session = 0;
  uint64_t utime_ticks = 0;
  uint64_t stime_ticks = 0;
  uint64_t cutime_ticks = 0;
  uint64_t cstime_ticks = 0;
  uint64_t start_time_ticks = 0;
  uint64_t rss_pages = 0;
  int num_threads = 0;
};
std::optional<ProcessStat> ParseProcessStat(std::string_view proc_pid_stat);

// The "Pss:" line of /proc/PID/smaps_rollup (Linux 4.14), converted from kB.
std::optional<uint64_t> ParsePssBytes(std::string_view smaps_rollup);

// The real uid: the first number of the "Uid:" line of /proc/PID/status.
std::optional<uint32_t> ParseRealUid(std::string_view proc_pid_status);

}  // namespace vigil::metrics
