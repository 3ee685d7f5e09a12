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

#include "api/websocket.h"
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

// vigild's own process, for the standard process_* metrics of GET /metrics, and its
// listener's connections.
struct SelfFigures {
  double cpu_seconds = 0;
  uint64_t resident_bytes = 0;
  uint64_t virtual_bytes = 0;
  double start_time_seconds = 0;  // unix time
  uint64_t open_fds = 0;
  uint64_t max_fds = 0;
  uint64_t http_connections = 0;
  uint64_t stream_connections = 0;    // clients of GET /v1/stream
  uint64_t stream_dropped_lines = 0;  // log lines left out of the stream for slow clients
};

// A token of the HTTP listener (docs/web.md).
struct WebToken {
  std::string role;  // "admin" or "viewer"
  std::string token;
  std::filesystem::path file;
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
  // The HTTP listener's token for `role` ("admin" or "viewer"), replaced by a new one first
  // when `rotate` (which also ends that role's browser sessions). Unavailable without
  // [http]; InvalidArgument for another role. Served on the unix socket only.
  virtual base::Result<WebToken> Token(const std::string& role, bool rotate) {
    (void)role;
    (void)rotate;
    return base::Status::Unavailable("no HTTP listener: add [http] listen = \"127.0.0.1:7411\" to the config");
  }
  // vigild's own figures (GET /metrics); a fake's are zero.
  virtual SelfFigures Self() { return {}; }
  // A new client of GET /v1/stream (docs/api.md), for the transport to run.
  virtual base::Result<WebSocketPeerPtr> OpenStream() {
    return base::Status::Unavailable("the live stream is not available here");
  }
  // A one-time URL that logs a browser in as `role` (valid 2 minutes). As Token().
  virtual base::Result<std::string> LoginLink(const std::string& role) {
    (void)role;
    return base::Status::Unavailable("no HTTP listener: add [http] listen = \"127.0.0.1:7411\" to the config");
  }
};

}  // namespace vigil::api
