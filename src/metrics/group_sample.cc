// SPDX-License-Identifier: MIT
// SampleGroups and CpuPercent (see group_sample.h).
#include "metrics/group_sample.h"

#include "metrics/group_sampler.h"

namespace vigil::metrics {

std::unordered_map<int, GroupUsage> SampleGroups(const ProcRoot& proc, const std::vector<int>& pgids, bool with_pss,
                                                 long page_size, bool with_fds) {
  // One walk with nothing remembered and no file kept open.
  GroupSampler once(proc, page_size, /*max_kept_files=*/0);
  return once.Sample(pgids, GroupSampler::Options{with_pss, with_fds}, base::SteadyTime{});
}

double CpuPercent(uint64_t previous_ticks, uint64_t now_ticks, std::chrono::nanoseconds elapsed,
                  long ticks_per_second) {
  if (elapsed <= std::chrono::nanoseconds::zero() || ticks_per_second <= 0 || now_ticks < previous_ticks) return 0;
  const double busy_seconds = static_cast<double>(now_ticks - previous_ticks) / static_cast<double>(ticks_per_second);
  return busy_seconds / std::chrono::duration<double>(elapsed).count() * 100.0;
}

}  // namespace vigil::metrics
