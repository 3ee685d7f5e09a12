// SPDX-License-Identifier: MIT
// api::Controller: what the HTTP API may ask of vigild. The daemon implements it on top
// of the supervisor; the API never sees a Child or a Program object ("the API asks, the
// core decides"). Tests implement it with a fake.
// Thread rule: every method is called on the loop thread; callbacks run on it too.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "event/loop.h"

namespace vigil::api {

// A snapshot of one program instance, as the API reports it (docs/api.md).
struct ProgramInfo {
  std::string name;         // "web" or "web:1"
  std::string state;        // STOPPED STARTING RUNNING BACKOFF STOPPING EXITED FATAL
  std::string want;         // "up" or "down": what the user or config asked for
  pid_t pid = 0;            // 0 when no process is running
  int64_t uptime_ms = -1;   // time since the current process started; -1 when none
  int64_t state_since_ms = 0;  // unix time (ms) the state was entered
  int restarts = 0;         // automatic restarts since vigild started it
  std::string last_exit;    // "exit 1", "signal 9 (SIGKILL)", "" if never exited
  std::string reason;       // why it is in this state, in plain words; may be empty
  std::filesystem::path stdout_log;
  std::filesystem::path stderr_log;  // equals stdout_log when stderr is merged
};

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

struct ReloadSummary {
  std::vector<std::string> added, removed, changed, unchanged;
};

enum class Stream { kStdout, kStderr };

// Called once with the outcome of an action.
using DoneFn = std::function<void(base::Status)>;

class Controller {
 public:
  virtual ~Controller() = default;

  virtual DaemonInfo Info() = 0;
  virtual std::vector<ProgramInfo> ListPrograms() = 0;
  // `name` is an instance name ("web:1") or a program without instances ("web").
  // NotFound if unknown.
  virtual base::Result<ProgramInfo> GetProgram(const std::string& name) = 0;

  // `names` are program names, instance names, or "all". A [program.web] with instances
  // expands to all its instances. If any name is unknown, nothing is done and `done` gets
  // NotFound. With wait = false, `done` is called once the request is accepted; with
  // wait = true, once every program reached its target state (RUNNING for start and
  // restart, STOPPED for stop), or with an error naming the program and reason as soon as
  // one cannot (FATAL, EXITED, spawn error).
  virtual void Start(const std::vector<std::string>& names, bool wait, DoneFn done) = 0;
  virtual void Stop(const std::vector<std::string>& names, bool wait, DoneFn done) = 0;
  virtual void Restart(const std::vector<std::string>& names, bool wait, DoneFn done) = 0;
  // Sends `signo` to each program's process (the process group if kill_group). Conflict if
  // a program has no running process.
  virtual base::Status Signal(const std::vector<std::string>& names, int signo) = 0;

  // Re-reads the config file vigild was started with. An invalid config returns
  // InvalidArgument with "FILE:LINE: key: reason" and changes nothing.
  virtual base::Result<ReloadSummary> Reload() = 0;
  // Stops every program (reverse dependency order) and exits vigild; returns at once.
  virtual void Shutdown() = 0;

  // The current log file of a program's stream. NotFound for unknown programs.
  virtual base::Result<std::filesystem::path> LogPath(const std::string& name, Stream stream) = 0;
  // Delivers every byte written to the stream from now on until the handle is destroyed.
  virtual base::Result<event::HandlePtr> FollowLog(const std::string& name, Stream stream,
                                                   std::function<void(std::string_view)> on_data) = 0;
};

}  // namespace vigil::api
