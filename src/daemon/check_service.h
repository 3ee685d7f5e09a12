// SPDX-License-Identifier: MIT
// CheckService: runs the [check.NAME] checks and samples the [health] history. One timer,
// armed for the earliest due check or history sample and only while either exists (with
// neither, vigild still never wakes up). Every metric sample goes to the metric history. Each round reads
// /proc once for every metric check due, measures filesystems through the DiskSampler
// (off the loop thread), starts the HTTP, TCP and command probes due, judges each result
// with the pure rules of health/, records every change of state as a "check" event in
// plain words, and has the CheckActor carry out the actions of the level entered (or
// again, while the check stays bad after an action), within its cooldown and limit.
// A check of a program waits while the program is starting or restarting and for its
// grace period, and is PENDING while the program is not running at all.
// Thread rule: loop thread only.
#pragma once

#include <sys/types.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api/health_controller.h"
#include "api/program_controller.h"
#include "api/task_controller.h"
#include "config/spec.h"
#include "daemon/check_actor.h"
#include "daemon/disk_sampler.h"
#include "daemon/event_log.h"
#include "daemon/findings.h"
#include "daemon/top_listing.h"
#include "event/clock.h"
#include "event/loop.h"
#include "health/action_guard.h"
#include "health/rule.h"
#include "metrics/group_sampler.h"
#include "metrics/proc_root.h"
#include "metrics/process_table.h"
#include "metrics/system_sample.h"
#include "probe/command_probe.h"
#include "probe/http_probe.h"
#include "probe/outcome.h"
#include "probe/tcp_probe.h"
#include "process/launcher.h"

namespace vigil::daemon {

// What the checks look through and act on; all must outlive the CheckService.
struct CheckPorts {
  event::Loop& loop;
  event::Clock& clock;
  metrics::ProcRoot proc;
  DiskSampler& disks;
  EventLog& events;
  api::ProgramController& programs;
  api::TaskController& tasks;
  process::Launcher& launcher;
  FindingJournal* findings = nullptr;  // where state changes and actions are journalled; may be null
  // Where samples are kept for the metric history (docs/store.md); may be empty.
  std::function<void(const std::string& name, base::WallTime time, double value)> record_sample = {};
  // Measures the machine and, as asked, its filesystems and every program for the history
  // (UsageService::Sample); may be empty, and then [health] history samples nothing.
  std::function<void(bool disks, bool programs, api::TopDoneFn done)> sample_usage = {};
  // Reads the process groups of program checks: the daemon's one sampler, shared with
  // UsageService so a round and its metric history walk /proc once; null: a sampler of
  // the CheckService's own over `proc`.
  metrics::GroupSampler* groups = nullptr;
};

class CheckService {
 public:
  explicit CheckService(CheckPorts ports);
  ~CheckService();

  // At start and on every reload: a check whose spec did not change keeps its state.
  void Apply(const std::vector<config::CheckSpec>& specs);
  std::vector<api::CheckInfo> Checks() const;
  // At start and on every reload: what [health] history samples, on the same timer as the
  // checks. Nothing (the default) adds no wake-up.
  void ApplyHistory(const config::HistorySpec& history);

 private:
  // A raise finding and the top processes it will list (docs/health.md#findings).
  struct HeldRaise {
    Severity severity = Severity::kWarn;
    std::string text;        // the check's message, up to the list
    std::string suggestion;  // after the list
    int64_t ends = 0;        // the finding a worse level ends, or 0
    TopList list = TopList::kNone;
    // A `top` action of this raise, answered by the same listing (its event, no finding of
    // its own); set by Act when the action is due.
    std::optional<ActionContext> top_action;
    std::unique_ptr<TopListing> listing;
    // What the actions of this raise did before it was recorded (a quick task run): their
    // findings follow it, so the journal reads cause, then effect.
    std::vector<std::string> actions_done;
  };
  // What a process check keeps between samples: its compiled regex, how long each
  // matched process has used no CPU, and the processes in the wrong at the last sample
  // (what `kill` acts on).
  struct ProcessWatch {
    std::optional<metrics::CommandRegex> command;  // compiled once
    metrics::StallTracker stalls;
    std::vector<MatchedProcess> offenders;
  };
  struct Check {
    config::CheckSpec spec;
    health::RuleState rule;
    // Out of line (base::Boxed): written only by checks with actions.
    base::Boxed<health::GuardState> guard;
    base::WallTime since;
    std::optional<double> value;
    // Read through MessageOf; out of line, and empty while a metric check's message is
    // its value described (a thousand metric checks keep no text).
    base::Boxed<std::string> message;
    // Set: the message is the description of `value` at this level, made when read.
    std::optional<health::Level> described_level;
    base::SteadyTime next_due;
    bool measuring = false;   // a filesystem measurement or a probe is under way
    event::HandlePtr probe;   // the probe under way
    // A program's CPU share is measured between two readings of its group's ticks
    // (out of line: only a program's CPU check has them).
    struct CpuReading {
      pid_t pid = 0;
      uint64_t ticks = 0;
      base::SteadyTime at{};
    };
    base::Boxed<CpuReading> cpu;
    // Process checks only (allocated for them alone: a thousand program checks should not
    // each carry a regex and a stall table).
    std::unique_ptr<ProcessWatch> process;
    int64_t raise_finding = 0;  // the open finding of the current bad state, or 0
    // A raise finding waiting for the top processes to be listed in it; recorded when
    // they are, or at once (without the CPU list) by the next change, a reload that drops
    // the check, or the service's end. Its timer goes with the check.
    std::unique_ptr<HeldRaise> held_raise;
  };
  // A check's last message: its own text, or the description of its value (a metric check).
  static std::string MessageOf(const Check& check);
  static void SetMessage(Check& check, std::string text);
  // Records a change of state: since when, a "check" event in words, and the journal.
  void RecordChange(Check& check, const health::LevelChange& change);
  // Journals a change of state: a raise, or the recovery that ends the open one.
  void Journal(Check& check, const health::LevelChange& change);
  // Journals the raise of entering `to`, with the top processes TopListFor names: by
  // memory at once; by CPU (or for a `top` action due) once the CPU has been measured over
  // CheckActor::kTopWindow, on a timer: the finding is held till then.
  void JournalRaise(Check& check, Severity severity, health::Level to);
  // The actor's journal: an action's finding, held back while the raise of its check waits.
  void JournalAction(const std::string& check, std::string text);
  // Records the held raise of `check`, if any, with `loads` (nullptr: cut short, listed
  // without CPU shares). A `top` action it held is handed to the actor when cut short and
  // `hand_over`, so its listing still happens.
  void RecordHeldRaise(Check& check, const std::vector<ProcessLoad>* loads, bool hand_over);

  void Arm();
  void Round();
  // A check of a program, which is as `program` says (nullopt: unknown): nullopt when it
  // may be sampled now; else how soon to look again (0: at the next interval, it is not
  // running at all).
  std::optional<base::Duration> ProgramWait(Check& check, const std::optional<api::ProgramRun>& program);
  void MeasureSystem(const std::vector<Check*>& due);
  // Each check with its program as the round found it (asked once per check and round).
  void MeasureProgramMetrics(const std::vector<std::pair<Check*, api::ProgramRun>>& due);
  void MeasureDisks(const std::vector<Check*>& due);
  void MeasureProcesses(const std::vector<Check*>& due);
  void StartProbe(Check& check);
  void MeasureFile(Check& check);
  // Judges one value of a metric check, or the reason there is none (UNKNOWN).
  void JudgeMetric(Check& check, std::optional<double> value, const std::string& problem);
  // Feeds one sample through the rules; records a change and acts on it.
  void Judge(Check& check, health::Level level);
  void Act(Check& check, health::Level from, health::Level to, bool again);
  Check* Find(const std::string& name);
  // Takes the history's sample (answered later when filesystems are measured) and records it.
  void SampleHistory();

  CheckPorts ports_;
  probe::HttpProber http_;
  probe::TcpProber tcp_;
  probe::CommandProber commands_;
  CheckActor actor_;
  const long ticks_per_second_;
  std::unique_ptr<metrics::GroupSampler> own_groups_;  // when the ports bring none
  metrics::GroupSampler& groups_;
  std::vector<std::unique_ptr<Check>> checks_;
  std::optional<metrics::SystemSample> last_system_;  // for CPU shares between rounds
  config::HistorySpec history_;   // [health] history
  base::SteadyTime history_due_{};  // when the history's next sample is due, while history_.any()
  bool history_sampling_ = false;   // a history sample is waiting for its filesystems
  event::HandlePtr timer_;
  // Every regular sample falls on a multiple of its interval since epoch_, so checks that
  // began at different moments (or that share a multiple of their intervals) are taken in
  // one batch: one wake-up per interval, not one per check.
  base::SteadyTime epoch_{};
  base::SteadyTime NextTick(base::SteadyTime now, base::Duration every) const;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // for late answers
};

}  // namespace vigil::daemon
