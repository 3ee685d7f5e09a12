// SPDX-License-Identifier: MIT
// The copies of the config file that the config editor keeps before each save, in
// STATE_DIR/config-backups/ (docs/config.md, "Backups of the config file"): NAME.STAMP, the
// newest kKeptConfigBackups of them.
// Thread rule: pure file operations, called on the loop thread.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string_view>

#include "base/clock.h"
#include "base/status.h"

namespace vigil::daemon {

inline constexpr size_t kKeptConfigBackups = 10;

// Writes `text` (the config file `config_file` as it is now) to
// `dir`/FILENAME.20261122T214503.123Z (UTC; "-2", "-3"... appended if that name is taken),
// mode 0600 since a config may hold secrets, and complete or not at all; `dir` is made
// (0700) if missing. Then removes the oldest backups of that file past
// kKeptConfigBackups. Returns the backup's path, or IoError naming what could not be
// written; a backup that cannot be removed is left.
base::Result<std::filesystem::path> KeepConfigBackup(const std::filesystem::path& dir,
                                                     const std::filesystem::path& config_file, std::string_view text,
                                                     base::WallTime now);

}  // namespace vigil::daemon
