// SPDX-License-Identifier: MIT
// api::DaemonController: what the API may ask of vigild as a whole: who it is, a reload of
// its config, a shutdown. One of the controllers the router talks to (controllers.h).
// Thread rule: every method is called on the loop thread.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "base/status.h"

namespace vigil::api {

struct DaemonInfo {
  std::string version;
  pid_t pid = 0;
  int64_t started_at_ms = 0;  // unix time (ms)
  std::filesystem::path config_path;
  std::filesystem::path socket;
  std::filesystem::path log_dir;
  std::filesystem::path state_dir;
  std::vector<std::string> problems;  // e.g. "log dir /x not writable: No space left on device"
};

// What one reload did to programs (instances) or to tasks.
struct ReloadChanges {
  std::vector<std::string> added, removed, changed, unchanged;
};

struct ReloadSummary : ReloadChanges {  // the programs
  ReloadChanges tasks;
};

class DaemonController {
 public:
  virtual ~DaemonController() = default;
  virtual DaemonInfo Info() = 0;
  // Re-reads the config file vigild was started with. An invalid config returns
  // InvalidArgument with "FILE:LINE: key: reason" and changes nothing.
  virtual base::Result<ReloadSummary> Reload() = 0;
  // Stops every program (reverse dependency order) and exits vigild; returns at once.
  virtual void Shutdown() = 0;
};

}  // namespace vigil::api
