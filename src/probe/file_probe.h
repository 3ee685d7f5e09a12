// SPDX-License-Identifier: MIT
// probe::ProbeFile: a check of one file's freshness and size, for the output of a job (a
// backup, a heartbeat file, a spool) that must keep changing, or must not grow too large.
// Thread rule: none of its own; one stat(2), so cheap enough for the loop thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>

#include "base/clock.h"
#include "probe/outcome.h"

namespace vigil::probe {

struct FileProbeSpec {
  std::filesystem::path path;
  std::optional<base::Duration> max_age_warn;  // since the last change (mtime)
  std::optional<base::Duration> max_age_crit;
  std::optional<uint64_t> max_size_warn;  // bytes
  std::optional<uint64_t> max_size_crit;
  bool must_exist = true;
};

// Looks at `spec.path` (following a symbolic link) at time `now`:
// - missing: CRIT "FILE does not exist" when it must exist, else OK "FILE does not
//   exist, as allowed";
// - age (now - mtime) above a limit: CRIT or WARN "FILE last changed 2h5m ago (critical
//   after 1h)"; size above a limit: "FILE is 1.2 GB (warning above 1 GB)"; both: one
//   message, "FILE last changed ... and is ...", at the worse of the two levels;
// - otherwise OK "FILE changed 12s ago, 4 KB".
// A limit is crossed when the value is strictly above it. `value` is the age in seconds
// (never negative: a change time in the future counts as now). A stat(2) failure other
// than "missing" (permission denied, a symlink loop) is UNKNOWN "cannot stat FILE: <errno
// text>".
Outcome ProbeFile(const FileProbeSpec& spec, base::WallTime now);

}  // namespace vigil::probe
