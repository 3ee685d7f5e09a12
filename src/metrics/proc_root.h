// SPDX-License-Identifier: MIT
// ProcRoot: the one OS seam of metrics/, the /proc file system, rooted where a test wants.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace vigil::metrics {

// The most a single /proc file read may return: far above any file read here (/proc/stat
// of a 1024-CPU machine is about 100 kB), so only a broken or hostile root reaches it.
inline constexpr uint64_t kMaxProcFileBytes = 1024 * 1024;

// Reads files under a /proc tree: the real "/proc", or a directory of plain files that a
// test wrote in the same layout. Holds only the root path, so it is cheap to copy.
// Thread rule: no mutable state; every method may be called from any thread.
class ProcRoot {
 public:
  explicit ProcRoot(std::filesystem::path root = "/proc");

  // The bytes of the file at `relative` ("stat", "1234/stat"), which must be a relative
  // path. /proc files report size 0, so this reads until end of file, up to
  // kMaxProcFileBytes. Errors name the file: NotFound when it or its process does not
  // exist (any more: ENOENT, ESRCH), IoError for a larger file or any other failure.
  base::Result<std::string> Read(std::string_view relative) const;

  // The numeric entries of the root (the processes), ascending. Empty when the root
  // cannot be read.
  std::vector<int> ListPids() const;

  // The number of open file descriptors of `pid` (the entries of PID/fd). NotFound when
  // the process does not exist (any more), IoError otherwise (EACCES for another user's
  // process when not root).
  base::Result<int> CountOpenFds(int pid) const;

  const std::filesystem::path& root() const { return root_; }

 private:
  std::filesystem::path root_;
};

}  // namespace vigil::metrics
