// SPDX-License-Identifier: MIT
// CheckActor: carries out what a check's on_warn, on_crit and on_recovery say (restart or
// stop a program, run a task, signal, kill the processes a process check matched, list the
// top processes, exec a command) through the same controllers the API uses, and records
// each action and what came of it as an "action" event in plain words ("restart web: pid
// 4121 -> 4388"), and journals it as a finding. Whether to act at all (cooldown, limit) is the CheckService's question.
// Thread rule: loop thread only; results arrive as events, never as calls back.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api/program_controller.h"
#include "api/task_controller.h"
#include "base/clock.h"
#include "config/spec.h"
#include "daemon/event_log.h"
#include "daemon/top_listing.h"
#include "event/clock.h"
#include "health/level.h"
#include "metrics/proc_root.h"
#include "probe/command_probe.h"
#include "process/launcher.h"

namespace vigil::daemon {

// A process a process check matched, known by pid and start time so that a pid the kernel
// hands to a new process is never signalled by mistake.
struct MatchedProcess {
  int pid = 0;
  std::string comm;
  uint64_t start_time_ticks = 0;  // since boot: with the pid, it names the process
  std::string why;  // "running 6h 2m", "no CPU used for 2h"
};

// What the action is about: the check, its change, and what it measured.
struct ActionContext {
  std::string check;
  std::string program;  // the check's program, or ""
  health::Level from = health::Level::kPending;
  health::Level to = health::Level::kPending;
  std::string message;  // the check's last message
  std::optional<double> value;
  std::vector<MatchedProcess> offenders;  // process checks: the processes in the wrong
};

// What the `top` action records: "top by CPU: ffmpeg[1234] 171%, ...; by memory: java[77]
// 1.2 GB, ..." (kTopProcesses of each).
std::string TopActionText(const std::vector<ProcessLoad>& loads);

// Where the actor journals what an action did: the check's name and the finding's text.
using ActionJournal = std::function<void(const std::string& check, std::string text)>;

class CheckActor {
 public:
  // How long `kill` waits after SIGTERM before SIGKILL, and how long `top` measures CPU.
  static constexpr base::Duration kKillGrace = std::chrono::seconds(10);
  static constexpr base::Duration kTopWindow = std::chrono::seconds(1);
  // How many processes `top` lists by CPU and by memory.
  static constexpr size_t kTopProcesses = 5;
  static constexpr base::Duration kExecTimeout = std::chrono::seconds(60);

  CheckActor(event::Clock& clock, api::ProgramController& programs, api::TaskController& tasks,
             process::Launcher& launcher, probe::CommandProber& commands, metrics::ProcRoot proc, EventLog& events,
             ActionJournal journal);
  ~CheckActor();

  void Run(const config::CheckAction& action, const ActionContext& context);

 private:
  struct Pending;  // a kill waiting to escalate, a top measuring, an exec running

  void Restart(const config::CheckAction& action, const ActionContext& context);
  void Stop(const config::CheckAction& action, const ActionContext& context);
  void RunTask(const config::CheckAction& action, const ActionContext& context);
  void Signal(const config::CheckAction& action, const ActionContext& context);
  void Kill(const ActionContext& context);
  void Top(const ActionContext& context);
  void Exec(const config::CheckAction& action, const ActionContext& context);
  // Those of `processes` that are still the processes they were (same pid and start time).
  std::vector<const MatchedProcess*> StillThere(const std::vector<MatchedProcess>& processes) const;
  void Record(const ActionContext& context, const std::string& text);
  Pending& Add();

  event::Clock& clock_;
  api::ProgramController& programs_;
  api::TaskController& tasks_;
  process::Launcher& launcher_;
  probe::CommandProber& commands_;
  metrics::ProcRoot proc_;
  EventLog& events_;
  ActionJournal journal_;  // empty: events only
  std::list<std::unique_ptr<Pending>> pending_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // for answers that come late
};

}  // namespace vigil::daemon
