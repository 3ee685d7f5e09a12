// SPDX-License-Identifier: MIT
// Naming, listing and pruning of a log stream's rotated files (docs/logs.md):
// "NAME.out.log" rotates to "NAME.out.log.20261122T214503.123Z[.N][.gz]".
// Thread rule: plain functions over the file system; safe from any thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/status.h"

namespace vigil::logs {

struct RotatedFile {
  std::filesystem::path path;
  std::string stamp;     // "20261122T214503.123Z"
  uint64_t counter = 0;  // the ".N" suffix; 0 when absent
  bool gzipped = false;
};

// Rotated files of the stream whose current file is `current`, oldest first (ordered by
// stamp, then counter). Other files in the directory are ignored. When both X and X.gz
// exist (a crash between compression and unlink) only X is listed. A missing directory
// yields an empty list; an unreadable one an IoError.
base::Result<std::vector<RotatedFile>> RotatedFiles(const std::filesystem::path& current);

// The name `current` gets when rotated at `now`: never one that exists (plain or .gz) and
// never ordered before an entry of `existing` (the RotatedFiles() list), even if the
// wall clock stepped back.
std::filesystem::path NextRotatedName(const std::filesystem::path& current,
                                      const std::vector<RotatedFile>& existing, base::WallTime now);

// Deletes the oldest rotated files of `current` beyond the newest `keep`. Files that
// vanish meanwhile are not errors; the first other failure is returned.
base::Status PruneRotated(const std::filesystem::path& current, int keep);

}  // namespace vigil::logs
