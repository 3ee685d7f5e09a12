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

// What one reload did to programs (instances) or to tasks.
struct ReloadChanges {
  std::vector<std::string> added, removed, changed, unchanged;
};

struct ReloadSummary : ReloadChanges {  // the programs
  ReloadChanges tasks;
};

enum class Stream { kStdout, kStderr };

// A scheduled task, as the API reports it.
struct TaskInfo {
  std::string name;
  std::string schedule;   // as written: "daily 03:00", "*/5 * * * *"
  std::string timezone;   // "" = local
  std::string action;     // "command", "restart", "cleanup", "rotate-logs"
  bool enabled = true;
  bool running = false;
  int64_t next_run_ms = -1;  // unix ms; -1 when none (disabled, @reboot, impossible)
  int64_t last_run_ms = -1;  // start of the last run; -1 if never
  std::string last_result;   // "exit 0", "exit 1", "killed by SIGTERM", "timed out", "interrupted", "running", ""
};

// One run of a task.
struct RunInfo {
  int64_t id = 0;
  std::string task;
  std::string trigger;      // "schedule", "manual", "catch-up", "retry", "reboot"
  int64_t started_ms = 0;
  int64_t ended_ms = -1;    // -1 while running or when interrupted
  int exit_code = -1;       // -1 when it did not exit normally
  int signal = 0;           // the signal that ended it, 0 if none
  bool timed_out = false;
  bool interrupted = false; // vigild stopped while it ran
  std::string result;       // as TaskInfo::last_result
  std::string output_tail;  // last lines of output
};

struct EventInfo {
  int64_t id = 0;
  int64_t time_ms = 0;
  std::string type;     // "state", "note", "signal", "spawn_error", "reload", "config_error", "task_run", "daemon", "log"
  std::string subject;  // program, task, or "vigild"
  std::string message;
  std::string details_json;  // a JSON object as text
};

struct EventQuery {
  int64_t since_ms = 0;    // 0 = no lower bound
  std::string subject;     // "" = any
  std::string type;        // "" = any
  int64_t before_id = 0;   // paging: events older than this id; 0 = from the newest
  int limit = 100;
};

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

  // --- scheduled tasks and history (docs/api.md) ---
  virtual std::vector<TaskInfo> ListTasks() = 0;
  virtual base::Result<TaskInfo> GetTask(const std::string& name) = 0;  // NotFound if unknown
  // Starts a run now (trigger "manual"), following the task's overlap policy (Conflict
  // when "skip" and a run is going). wait = false: `done` gets the new run at once;
  // wait = true: `done` gets it when it has ended.
  virtual void RunTask(const std::string& name, bool wait, std::function<void(base::Result<RunInfo>)> done) = 0;
  virtual base::Result<TaskInfo> SetTaskEnabled(const std::string& name, bool enabled) = 0;
  // Newest first; task "" = all tasks. NotFound for an unknown task name.
  virtual base::Result<std::vector<RunInfo>> ListRuns(const std::string& task, int limit) = 0;
  // The kept output of one run (its end, bounded by output_max_size). NotFound if unknown.
  virtual base::Result<std::string> RunOutput(int64_t run_id) = 0;
  // Newest first. Unavailable when history is not recorded (no database).
  virtual base::Result<std::vector<EventInfo>> ListEvents(const EventQuery& query) = 0;
};

}  // namespace vigil::api
