// SPDX-License-Identifier: MIT
// api::ProgramController: what the API may ask about and of the supervised programs. The
// daemon implements it on the supervisor; the API never sees a Program or a process ("the
// API asks, the core decides"). Names are resolved here, once, for every caller: a program
// name, an instance name ("web:1"), a program with instances ("web" = all of them), "all".
// Thread rule: every method is called on the loop thread; callbacks run on it too.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/status.h"
#include "event/loop.h"

namespace vigil::api {

// A snapshot of one program instance, as the API reports it (docs/api.md).
// The little a health check asks of a program at every sample, without the strings and
// paths of a ProgramInfo (a thousand program checks ask a thousand times a round).
struct ProgramRun {
  std::string state;       // as ProgramInfo::state
  pid_t pid = 0;           // 0 when no process is running
  int64_t uptime_ms = -1;  // -1 when none
};

struct ProgramInfo {
  std::string name;            // "web" or "web:1"
  std::string state;           // STOPPED STARTING RUNNING BACKOFF STOPPING EXITED FATAL
  std::string want;            // "up" or "down": what the user or config asked for
  pid_t pid = 0;               // 0 when no process is running
  int64_t uptime_ms = -1;      // time since the current process started; -1 when none
  int64_t state_since_ms = 0;  // unix time (ms) the state was entered
  int restarts = 0;            // automatic restarts since vigild started it
  std::string last_exit;       // "exit 1", "killed by SIGKILL", "" if never exited
  std::string reason;          // why it is in this state, in plain words; may be empty
  std::string status;          // what the program last said with STATUS= (ready = "notify"); may be empty
  bool autostart = true;       // started when vigild starts: the config's autostart, or what the user set since
  // Plain strings rather than std::filesystem::path: the API only reports them, and a path
  // splits itself into components (an allocation each) whenever it is built or copied.
  std::string stdout_log;
  std::string stderr_log;  // equals stdout_log when stderr is merged
};

enum class Stream { kStdout, kStderr };

// How a start, stop or restart request waits.
struct WaitOptions {
  bool wait = true;
  // With wait: how long at most; nullopt lets the controller choose (docs/api.md).
  std::optional<base::Duration> timeout;
};

// The outcome of an action: the programs it named, as they are now; or why it failed.
using ProgramsDoneFn = std::function<void(base::Result<std::vector<ProgramInfo>>)>;

// What happened to one program of a signal request.
struct SignalOutcome {
  std::string program;
  pid_t pid = 0;      // who got it (the group's leader with kill_group)
  std::string error;  // empty when sent; else why not ("web has no running process (STOPPED)")
};

class ProgramController {
 public:
  virtual ~ProgramController() = default;

  virtual std::vector<ProgramInfo> ListPrograms() = 0;
  // The programs `names` select, in the order named. NotFound naming an unknown name.
  virtual base::Result<std::vector<ProgramInfo>> FindPrograms(const std::vector<std::string>& names) = 0;
  // Calls `visit` with each program ListPrograms (empty `names`) or FindPrograms would
  // return, in the same order, without collecting them: the ProgramInfo is only valid
  // during the call. NotFound as FindPrograms, before any call. Controllers that can fill
  // one ProgramInfo in place override it (GET /v1/programs asks for every program).
  virtual base::Status VisitPrograms(const std::vector<std::string>& names,
                                     const std::function<void(const ProgramInfo&)>& visit) {
    if (names.empty()) {
      for (const ProgramInfo& info : ListPrograms()) visit(info);
      return base::Status::Ok();
    }
    auto found = FindPrograms(names);
    if (!found) return found.error();
    for (const ProgramInfo& info : *found) visit(info);
    return base::Status::Ok();
  }
  // One instance ("web:1") or a program without instances ("web"). NotFound if unknown.
  virtual base::Result<ProgramInfo> GetProgram(const std::string& name) = 0;
  // GetProgram's state, pid and uptime; nullopt if unknown. Controllers that can answer
  // without building a ProgramInfo override it.
  virtual std::optional<ProgramRun> RunOf(const std::string& name) {
    auto info = GetProgram(name);
    if (!info) return std::nullopt;
    return ProgramRun{info->state, info->pid, info->uptime_ms};
  }

  // If any name is unknown nothing is done and `done` gets NotFound. Without wait, `done`
  // is called once the request is accepted. With wait, once every program reached its
  // goal (RUNNING, or a clean EXITED, for start and restart; STOPPED for stop), or as soon
  // as one cannot (Conflict naming the program and why), or when the timeout passes
  // (DeadlineExceeded naming who has not arrived). Every wait ends.
  virtual void Start(const std::vector<std::string>& names, const WaitOptions& wait, ProgramsDoneFn done) = 0;
  virtual void Stop(const std::vector<std::string>& names, const WaitOptions& wait, ProgramsDoneFn done) = 0;
  virtual void Restart(const std::vector<std::string>& names, const WaitOptions& wait, ProgramsDoneFn done) = 0;

  // Checks every name first (NotFound, nothing sent), then sends `signo` to every program
  // that has a process (its group with kill_group), and says what happened to each.
  virtual base::Result<std::vector<SignalOutcome>> Signal(const std::vector<std::string>& names, int signo) = 0;

  // The current log file of a program's stream. NotFound for unknown programs.
  virtual base::Result<std::filesystem::path> LogPath(const std::string& name, Stream stream) = 0;
  // Whether `names` start when vigild starts, remembered across restarts (until the
  // program's config changes); what runs now is not touched. The programs as they are.
  virtual base::Result<std::vector<ProgramInfo>> SetAutostart(const std::vector<std::string>& names, bool enabled) {
    (void)names;
    (void)enabled;
    return base::Status::Unavailable("autostart cannot be changed here");
  }
  // Complete lines written to the stream since vigild started: the seq of its last line in
  // the live stream (GET /v1/stream) and the base of ?from_seq= (0 for an unknown program).
  virtual uint64_t LogLineCount(const std::string& name, Stream stream) {
    (void)name;
    (void)stream;
    return 0;
  }
  // The program's log_level_regex, "" for the built-in level detection.
  virtual std::string LogLevelRegex(const std::string& name) {
    (void)name;
    return {};
  }
  // Delivers every byte written to the stream from now on until the handle is destroyed,
  // or until the stream ends (the program is removed from the config): then `on_end` gets
  // a plain-language last line, once, and nothing follows.
  virtual base::Result<event::HandlePtr> FollowLog(const std::string& name, Stream stream,
                                                   std::function<void(std::string_view)> on_data,
                                                   std::function<void(std::string_view)> on_end) = 0;
};

}  // namespace vigil::api
