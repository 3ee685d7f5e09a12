// SPDX-License-Identifier: MIT
// CrashLoopWatch: counting crashes in a sliding window.
#include "daemon/crash_loop.h"

#include <fmt/format.h>

#include "base/units.h"

namespace vigil::daemon {

std::optional<std::string> CrashLoopWatch::OnCrash(const std::string& program, base::SteadyTime now,
                                                    const std::string& how) {
  Seen& seen = programs_[program];
  seen.crashes.push_back(now);
  while (!seen.crashes.empty() && now - seen.crashes.front() > kWindow) seen.crashes.pop_front();
  if (static_cast<int>(seen.crashes.size()) < kCrashes) return std::nullopt;
  if (seen.reported && now - *seen.reported < kWindow) return std::nullopt;  // once per episode
  seen.reported = now;
  const auto span = std::chrono::duration_cast<base::Duration>(now - seen.crashes.front());
  return fmt::format("{} is crash-looping: its process ended {} times in {}{}. vigil keeps restarting it, but "
                     "something makes it fail after it starts: read why in vigil logs {} (and vigil logs {} "
                     "--stderr).",
                     program, seen.crashes.size(), base::FormatDuration(span), how.empty() ? "" : ", the last " + how,
                     program, program);
}

}  // namespace vigil::daemon
