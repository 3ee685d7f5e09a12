// SPDX-License-Identifier: MIT
// Entry points of the config module: read a vigil.toml (docs/config.md) into a validated
// DaemonSpec, and the default locations used when the config does not say.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "base/status.h"
#include "config/spec.h"

namespace vigil::config {

// The parts of the process environment that decide default paths. Separate from the
// process so tests can describe root and non-root users.
struct UserContext {
  uid_t uid = 0;                // effective uid; 0 selects the system-wide defaults
  std::string home;             // $HOME, else the passwd entry's home, else "/"
  std::string xdg_config_home;  // empty when unset or empty
  std::string xdg_state_home;
  std::string xdg_runtime_dir;

  // Reads geteuid(), $HOME, $XDG_CONFIG_HOME, $XDG_STATE_HOME and $XDG_RUNTIME_DIR.
  static UserContext FromProcess();
};

// /etc/vigil/vigil.toml for root; otherwise $XDG_CONFIG_HOME/vigil/vigil.toml, falling back
// to ~/.config/vigil/vigil.toml.
std::filesystem::path DefaultConfigPath(const UserContext& user);
std::filesystem::path DefaultConfigPath();

// root: /run/vigil/vigil.sock; others: $XDG_RUNTIME_DIR/vigil/vigil.sock or
// /tmp/vigil-<uid>/vigil.sock. vigild's default, and where the CLI looks.
std::filesystem::path DefaultSocketPath(const UserContext& user);

// The largest config file LoadConfig reads: 8 MiB. A config of 10,000 programs is about
// 2 MB; the bound keeps a wrong path (a log file, /dev/zero) from costing more than a
// short, bounded parse, since the parsed tree takes several times the text.
inline constexpr uint64_t kMaxConfigBytes = 8 * 1024 * 1024;

// Reads and parses `file` with the process's UserContext. A read failure is an IoError
// "FILE: strerror"; a file that is not a regular file or is larger than kMaxConfigBytes is
// refused before it is read, as an InvalidArgument "FILE: not a regular file" or
// "FILE: 9 MB is larger than the 8 MB a config may be"; everything else is as ParseConfig.
base::Result<DaemonSpec> LoadConfig(const std::filesystem::path& file);

// Parses TOML text as if read from `file_for_messages` (which also anchors relative paths
// and becomes DaemonSpec::config_path, made absolute). On failure returns InvalidArgument
// with the first problem as one line, "FILE:LINE: KEY: reason" (or
// "FILE:LINE: syntax error: ..."), checking in this order: TOML syntax, top-level tables,
// [vigil], programs in file order (keys in file order within each), dependencies, then
// tasks in file order (keys in file order within each, then the rules between keys).
base::Result<DaemonSpec> ParseConfig(std::string_view toml_text,
                                     const std::filesystem::path& file_for_messages);
base::Result<DaemonSpec> ParseConfig(std::string_view toml_text,
                                     const std::filesystem::path& file_for_messages,
                                     const UserContext& user);

}  // namespace vigil::config
