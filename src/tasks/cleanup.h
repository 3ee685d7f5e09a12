// SPDX-License-Identifier: MIT
// tasks::Cleanup: the built-in "cleanup" action. Deletes regular files under the given
// paths whose name matches the pattern and that are older than older_than and/or, newest
// kept first, beyond max_total_size. Never follows symlinks (a symlinked directory is not
// entered and a symlink is never deleted through), so nothing outside the paths is touched.
// Thread rule: blocking I/O; run it off the loop thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/clock.h"
#include "config/spec.h"

namespace vigil::tasks {

struct CleanupReport {
  uint64_t files_deleted = 0;
  uint64_t bytes_freed = 0;
  uint64_t files_kept = 0;
  std::vector<std::string> errors;
  // "deleted 12 files (3.4 MB) under /tmp/app; kept 40 files" plus one line per error.
  std::string Summary() const;
};

CleanupReport Cleanup(const config::CleanupSpec& spec, base::WallTime now);

}  // namespace vigil::tasks
