// SPDX-License-Identifier: MIT
// daemon::ProgramService: the supervised programs inside vigild. Owns the Supervisor and
// the waiting requests, answers the API's program questions (api::ProgramController),
// and turns what the programs report into event-log lines and history rows, including the
// user's start/stop choices, so the stored want is always the live one.
// Thread rule: loop thread only.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "api/program_controller.h"
#include "daemon/crash_loop.h"
#include "daemon/event_log.h"
#include "daemon/findings.h"
#include "daemon/history.h"
#include "daemon/waiters.h"
#include "process/notify_socket.h"
#include "supervise/supervisor.h"

namespace vigil::daemon {

class ProgramService final : public api::ProgramController, private supervise::SupervisorObserver {
 public:
  // `env.observer` is ignored. The event log and history must outlive the service.
  // `after_burst` runs after a large batch of program notes has been handled (a start of
  // many programs): the daemon gives back the memory the burst used.
  ProgramService(supervise::ProgramEnv env, EventLog& event_log, History& history,
                 std::function<void()> after_burst = nullptr);

  supervise::ReloadResult Apply(const std::vector<config::ProgramSpec>& specs);
  // Told the name of a program whose ProgramInfo may have changed (its state, its
  // autostart, its presence after a reload), for the live stream.
  void SetChangeListener(std::function<void(const std::string&)> fn) { changed_ = std::move(fn); }
  // Stops every program; `done` once all are down and their output read.
  void Shutdown(std::function<void()> done);
  bool shutting_down() const { return supervisor_.shutting_down(); }
  // Programs whose last stop needed SIGKILL after their stop_timeout (after a shutdown:
  // whether it was clean, for a container's init).
  int KilledAfterStopTimeout() const;
  void ReopenLogs() { supervisor_.ReopenLogs(); }
  void RotateLogs() { supervisor_.RotateLogs(); }
  // The `restart` task action: restarts the programs that are wanted up; one the user
  // stopped stays stopped. The run's output, a line per program; NotFound for a name the
  // config no longer has.
  base::Result<std::string> RestartIfWanted(const std::vector<std::string>& names);
  // Log problems, "web: cannot write ...", one per program that has one.
  std::vector<std::string> Problems() const;
  // Where a program going FATAL (a failed task run) is journalled; null: nowhere.
  void SetFindings(FindingJournal* findings) { findings_ = findings; }
  // A datagram on the notify socket: handed to the program whose main process sent it or
  // whose process group the sender is in (read from proc_root); dropped otherwise, since
  // the kernel's credentials are all that is trusted (docs/readiness.md).
  void OnNotify(const process::NotifySocket::Sender& sender, const process::NotifyMessage& message,
                const std::filesystem::path& proc_root);

  // api::ProgramController
  std::vector<api::ProgramInfo> ListPrograms() override;
  base::Result<std::vector<api::ProgramInfo>> FindPrograms(const std::vector<std::string>& names) override;
  base::Status VisitPrograms(const std::vector<std::string>& names,
                             const std::function<void(const api::ProgramInfo&)>& visit) override;
  base::Result<api::ProgramInfo> GetProgram(const std::string& name) override;
  std::optional<api::ProgramRun> RunOf(const std::string& name) override;
  void Start(const std::vector<std::string>& names, const api::WaitOptions& wait, api::ProgramsDoneFn done) override;
  void Stop(const std::vector<std::string>& names, const api::WaitOptions& wait, api::ProgramsDoneFn done) override;
  void Restart(const std::vector<std::string>& names, const api::WaitOptions& wait,
               api::ProgramsDoneFn done) override;
  base::Result<std::vector<api::SignalOutcome>> Signal(const std::vector<std::string>& names, int signo) override;
  base::Result<std::filesystem::path> LogPath(const std::string& name, api::Stream stream) override;
  base::Result<std::vector<api::ProgramInfo>> SetAutostart(const std::vector<std::string>& names,
                                                           bool enabled) override;
  uint64_t LogLineCount(const std::string& name, api::Stream stream) override;
  std::string LogLevelRegex(const std::string& name) override;
  base::Result<event::HandlePtr> FollowLog(const std::string& name, api::Stream stream,
                                           std::function<void(std::string_view)> on_data,
                                           std::function<void(std::string_view)> on_end) override;

  // A wait's timeout when the request names none: 30 s plus the start_seconds and
  // stop_timeout of every program the request involves (docs/api.md).
  base::Duration DefaultTimeout(const std::vector<supervise::Program*>& programs, supervise::Goal goal) const;

 private:
  enum class Action { kStart, kStop, kRestart };

  // supervise::SupervisorObserver
  void OnProgramNote(const supervise::ProgramNote& note) override;
  void OnProgramsSettled(size_t notes) override;

  void Act(Action action, const std::vector<std::string>& names, const api::WaitOptions& wait,
           api::ProgramsDoneFn done);
  api::ProgramInfo ToInfo(supervise::Program& p) const;
  // Overwrites every field of `*info` with p's, reusing its strings' storage.
  void FillInfo(supervise::Program& p, api::ProgramInfo* info) const;

  EventLog& event_log_;
  History& history_;
  FindingJournal* findings_ = nullptr;
  CrashLoopWatch crash_loops_;
  std::function<void(const std::string&)> changed_;
  event::Clock& clock_;
  std::function<void()> after_burst_;
  supervise::Supervisor supervisor_;
  Waiters waiters_;
};

}  // namespace vigil::daemon
