// SPDX-License-Identifier: MIT
// Plain, validated structs that describe what vigild should do: the result of parsing
// the TOML config (docs/config.md). No I/O, no behaviour; compared with == on reload.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"

namespace vigil::config {

// How one output stream of a program is written to disk.
struct LogSpec {
  uint64_t max_bytes = 10 * 1024 * 1024;  // rotate when the file reaches this size; 0 = never
  int keep = 10;                          // rotated files kept
  bool compress = false;                  // gzip rotated files
  bool timestamps = false;                // prefix each line with an ISO-8601 time
  bool operator==(const LogSpec&) const = default;
};

enum class AutoRestart { kAlways, kOnFailure, kNever };

// One supervised process. A [program.NAME] table with instances = N yields N ProgramSpecs
// named "NAME:0" ... "NAME:N-1" with {instance} already substituted.
struct ProgramSpec {
  std::string name;        // unique; "web" or "web:0"
  std::string table_name;  // the [program.NAME] it came from
  int instance = 0;
  std::vector<std::string> argv;  // never empty
  std::string directory;          // empty = vigild's working directory
  std::map<std::string, std::string> environment;  // added to vigild's environment
  std::optional<uid_t> uid;  // resolved from `user`
  std::optional<gid_t> gid;  // resolved from `group`, or the user's primary group
  std::string user;          // as written, for messages
  std::optional<mode_t> umask;
  bool autostart = true;
  AutoRestart autorestart = AutoRestart::kOnFailure;
  std::vector<int> exit_codes{0};
  base::Duration start_seconds{1000};
  int start_retries = 5;
  base::Duration backoff_initial{1000};
  base::Duration backoff_max{60000};
  std::optional<base::Duration> fatal_retry_after;
  int stop_signal = 15;  // SIGTERM
  base::Duration stop_timeout{10000};
  bool kill_group = true;
  std::vector<std::string> depends_on;  // instance names, expanded and validated
  LogSpec stdout_log;
  LogSpec stderr_log;
  bool merge_stderr = false;  // stderr goes to the stdout log
  bool operator==(const ProgramSpec&) const = default;
};

struct DaemonSpec {
  std::filesystem::path config_path;  // absolute
  std::filesystem::path state_dir;
  std::filesystem::path log_dir;
  std::filesystem::path socket;
  LogSpec event_log;                  // vigild.log rotation ([vigil] log_max_size, log_keep)
  std::vector<ProgramSpec> programs;  // in file order
};

}  // namespace vigil::config
