// SPDX-License-Identifier: MIT
// SampleGroups: the resource use of whole process groups (a Program's Child and everything
// it started that stayed in its group), from one walk of /proc.
// Thread rule: plain functions without state; safe from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <vector>

#include "metrics/proc_root.h"

namespace vigil::metrics {

// Totals over the processes of one group at one moment. Zombies count as processes (they
// hold a pid) and for their CPU time, with no memory or fds.
struct GroupUsage {
  int processes = 0;
  // utime + stime of the members, plus the cutime + cstime of the children they waited
  // for, so the total keeps growing when a member reaps a short-lived child.
  uint64_t cpu_ticks = 0;
  uint64_t rss_bytes = 0;
  // Set only when asked for and every living member's smaps_rollup could be read (another
  // user's process, when vigild is not root, cannot).
  std::optional<uint64_t> pss_bytes;
  int open_fds = 0;  // a member whose fd directory cannot be read adds 0; 0 unless asked for
};

// Walks ListPids() once, reading each PID/stat once, and adds each process whose pgrp is
// one of `pgids` to that group's usage. Each of `pgids` has an entry, all zero for a group
// with no process. PSS comes from PID/smaps_rollup (costly: the kernel walks every
// mapping) only when `with_pss`; open descriptors (a listing of PID/fd per member, a
// quarter of the walk's cost when measured) only when `with_fds`. `page_size` is
// sysconf(_SC_PAGESIZE). Processes that end during the walk, or whose stat cannot be read
// or parsed, are left out without error.
std::unordered_map<int, GroupUsage> SampleGroups(const ProcRoot& proc, const std::vector<int>& pgids, bool with_pss,
                                                 long page_size, bool with_fds = true);

// The CPU use between two readings of cpu_ticks `elapsed` apart, in percent of ONE CPU: a
// group busy on two cores shows 200. `ticks_per_second` is sysconf(_SC_CLK_TCK). 0 when
// no time elapsed or the count went backwards (a member left the group or ended).
double CpuPercent(uint64_t previous_ticks, uint64_t now_ticks, std::chrono::nanoseconds elapsed, long ticks_per_second);

}  // namespace vigil::metrics
