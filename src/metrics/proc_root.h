// SPDX-License-Identifier: MIT
// ProcRoot: the one OS seam of metrics/, the /proc file system, rooted where a test wants.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "base/unique_fd.h"

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

  // One process directory of the root, as listed: its pid and the inode number the
  // listing gave (d_ino). The kernel makes a new inode for each process it shows, so an
  // entry whose pid and inode both match an earlier listing is the same process, and a
  // pid reused by a new process comes with another inode.
  struct PidEntry {
    int pid = 0;
    uint64_t inode = 0;
  };
  // As ListPids, with each entry's inode.
  std::vector<PidEntry> ListPidEntries() const;

  // Opens the file at `relative` for reading again and again with ReadAgain (a process's
  // stat, sampled every few seconds, costs one read instead of an open, a read and a
  // close). Errors as Read.
  base::Result<base::UniqueFd> Open(std::string_view relative) const;

  // The current text of a file Open gave, read from its start into `buffer` (the view
  // points into it). NotFound when its process has ended (ESRCH); IoError when the text
  // does not fit in `buffer` or on any other failure. `name` is for error messages.
  static base::Result<std::string_view> ReadAgain(const base::UniqueFd& file, std::string_view name, char* buffer,
                                                  size_t size);

  // The number of open file descriptors of `pid` (the entries of PID/fd). NotFound when
  // the process does not exist (any more), IoError otherwise (EACCES for another user's
  // process when not root).
  base::Result<int> CountOpenFds(int pid) const;

  const std::filesystem::path& root() const { return root_; }

 private:
  std::filesystem::path root_;
};

}  // namespace vigil::metrics
