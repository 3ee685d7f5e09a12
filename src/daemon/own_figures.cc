// SPDX-License-Identifier: MIT
// getrusage for CPU, statm for memory, the fd directory's entries, RLIMIT_NOFILE.
#include "daemon/own_figures.h"

#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "base/file_util.h"

namespace vigil::daemon {

api::SelfFigures OwnFigures(base::WallTime started_at) {
  api::SelfFigures out;
  rusage usage{};
  if (::getrusage(RUSAGE_SELF, &usage) == 0) {
    out.cpu_seconds = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                      static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
  }
  if (auto statm = base::ReadFile("/proc/self/statm")) {
    unsigned long long size = 0, resident = 0;
    if (std::sscanf(statm->c_str(), "%llu %llu", &size, &resident) == 2) {
      const auto page = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
      out.virtual_bytes = size * page;
      out.resident_bytes = resident * page;
    }
  }
  out.start_time_seconds =
      static_cast<double>(std::chrono::duration_cast<std::chrono::milliseconds>(started_at.time_since_epoch()).count()) /
      1000.0;
  std::error_code ec;
  for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec); !ec && it != std::filesystem::end(it);
       it.increment(ec)) {
    ++out.open_fds;
  }
  if (out.open_fds > 0) --out.open_fds;  // the directory's own descriptor, open while it is listed
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0) out.max_fds = limit.rlim_cur;
  return out;
}

}  // namespace vigil::daemon
