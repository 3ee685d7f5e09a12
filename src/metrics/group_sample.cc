// SPDX-License-Identifier: MIT
// SampleGroups and CpuPercent (see group_sample.h).
#include "metrics/group_sample.h"

#include <limits>
#include <string>

#include "metrics/proc_parse.h"
#include "metrics/text_util.h"

namespace vigil::metrics {
namespace {

// Adds the PSS of a living member to usage->pss_bytes, or clears it for good when the
// member's PSS cannot be known: a partial sum would read as a real one.
void AddPss(const ProcRoot& proc, const std::string& dir, GroupUsage* usage) {
  if (!usage->pss_bytes) return;
  auto text = proc.Read(dir + "/smaps_rollup");
  std::optional<uint64_t> pss;
  if (text) {
    // A process in the middle of exit has dropped its memory and shows an empty file.
    pss = text->empty() ? std::optional<uint64_t>(0) : ParsePssBytes(*text);
  } else if (text.error().code() == base::StatusCode::kNotFound && !proc.Read(dir + "/stat")) {
    pss = 0;  // it ended since its stat was read, taking its memory along
  }
  // Otherwise refused (another user's process) or absent from a living process (a
  // kernel before 4.14): unknown.
  if (!pss) {
    usage->pss_bytes.reset();
    return;
  }
  usage->pss_bytes = AddSaturating(*usage->pss_bytes, *pss);
}

}  // namespace

std::unordered_map<int, GroupUsage> SampleGroups(const ProcRoot& proc, const std::vector<int>& pgids, bool with_pss,
                                                 long page_size, bool with_fds) {
  std::unordered_map<int, GroupUsage> usage;
  for (int pgid : pgids) {
    GroupUsage& group = usage[pgid];
    if (with_pss) group.pss_bytes = 0;  // until a member's PSS proves unknown
  }
  const uint64_t page_bytes = page_size > 0 ? static_cast<uint64_t>(page_size) : 0;

  for (int pid : proc.ListPids()) {
    const std::string dir = std::to_string(pid);
    auto text = proc.Read(dir + "/stat");
    if (!text) continue;  // ended since the listing (NotFound), or not ours to read
    const auto stat = ParseProcessStat(*text);
    if (!stat) continue;
    const auto group = usage.find(stat->pgrp);
    if (group == usage.end()) continue;

    GroupUsage& total = group->second;
    ++total.processes;
    uint64_t ticks = AddSaturating(stat->utime_ticks, stat->stime_ticks);
    ticks = AddSaturating(ticks, AddSaturating(stat->cutime_ticks, stat->cstime_ticks));
    total.cpu_ticks = AddSaturating(total.cpu_ticks, ticks);
    // A zombie has released its memory and files; its fd directory and smaps_rollup read
    // as empty or fail, which must not spoil the group's totals.
    if (stat->state == 'Z') continue;
    total.rss_bytes = AddSaturating(total.rss_bytes, MultiplySaturating(stat->rss_pages, page_bytes));
    if (with_fds) {
      if (auto fds = proc.CountOpenFds(pid)) total.open_fds += *fds;
    }
    if (with_pss) AddPss(proc, dir, &total);
  }
  return usage;
}

double CpuPercent(uint64_t previous_ticks, uint64_t now_ticks, std::chrono::nanoseconds elapsed,
                  long ticks_per_second) {
  if (elapsed <= std::chrono::nanoseconds::zero() || ticks_per_second <= 0 || now_ticks < previous_ticks) return 0;
  const double busy_seconds = static_cast<double>(now_ticks - previous_ticks) / static_cast<double>(ticks_per_second);
  return busy_seconds / std::chrono::duration<double>(elapsed).count() * 100.0;
}

}  // namespace vigil::metrics
