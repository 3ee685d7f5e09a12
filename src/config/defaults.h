// SPDX-License-Identifier: MIT
// Default values the config falls back to when a key is left out (docs/config.md).
// Internal to the config module; the public face is load.h.
#pragma once

#include <filesystem>

#include "config/load.h"
#include "config/spec.h"

namespace vigil::config {

// max_size "10MB" (10 MiB, see base::ParseSize), keep 10, no compression, no timestamps.
LogSpec DefaultLogSpec();

// root: /var/lib/vigil; others: $XDG_STATE_HOME/vigil or ~/.local/state/vigil.
std::filesystem::path DefaultStateDir(const UserContext& user);
// root: /var/log/vigil; others: <state_dir>/logs, following a configured state_dir.
std::filesystem::path DefaultLogDir(const UserContext& user,
                                    const std::filesystem::path& state_dir);

}  // namespace vigil::config
