// SPDX-License-Identifier: MIT
// A check's actions and what came of each (see check_actor.h).
#include "daemon/check_actor.h"

#include <csignal>
#include <unordered_map>

#include <fmt/format.h>

#include "base/units.h"
#include "config/signals.h"
#include "metrics/process_table.h"

namespace vigil::daemon {
namespace {

std::string Join(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

// "web pid 4121 -> 4388": how each program came back, or why it did not.
std::string Restarted(const std::vector<api::ProgramInfo>& before, const std::vector<api::ProgramInfo>& after) {
  std::string out;
  for (const api::ProgramInfo& now : after) {
    pid_t old = 0;
    for (const api::ProgramInfo& b : before) {
      if (b.name == now.name) old = b.pid;
    }
    std::string line = now.name + " ";
    line += old != 0 ? fmt::format("pid {} -> ", old) : std::string("started, ");
    line += now.pid != 0 ? fmt::format("{}", now.pid) : now.state;
    out += (out.empty() ? "" : "; ") + line;
  }
  return out;
}

// The environment of an exec action: the check's details, so a script needs no arguments.
std::map<std::string, std::string> ExecEnvironment(const ActionContext& c) {
  std::map<std::string, std::string> env;
  env["VIGIL_CHECK"] = c.check;
  env["VIGIL_CHECK_STATE"] = std::string(health::LevelName(c.to));
  env["VIGIL_CHECK_FROM"] = std::string(health::LevelName(c.from));
  env["VIGIL_CHECK_MESSAGE"] = c.message;
  env["VIGIL_CHECK_PROGRAM"] = c.program;
  env["VIGIL_CHECK_VALUE"] = c.value ? fmt::format("{}", *c.value) : std::string();
  return env;
}

}  // namespace

std::string TopActionText(const std::vector<ProcessLoad>& loads) {
  std::string by_cpu = TopByCpu(loads, CheckActor::kTopProcesses);
  std::string by_memory = TopByMemory(loads, CheckActor::kTopProcesses);
  return "top by CPU: " + (by_cpu.empty() ? "no process used CPU" : by_cpu) +
         "; by memory: " + (by_memory.empty() ? "none" : by_memory);
}

struct CheckActor::Pending {
  event::HandlePtr handle;              // a timer or a running command
  std::unique_ptr<TopListing> listing;  // a `top` measuring
  bool done = false;                    // its callback has run; dropped by the next Add()
};

CheckActor::CheckActor(event::Clock& clock, api::ProgramController& programs, api::TaskController& tasks,
                       process::Launcher& launcher, probe::CommandProber& commands, metrics::ProcRoot proc,
                       EventLog& events, ActionJournal journal)
    : clock_(clock),
      programs_(programs),
      tasks_(tasks),
      launcher_(launcher),
      commands_(commands),
      proc_(std::move(proc)),
      events_(events),
      journal_(std::move(journal)) {}

CheckActor::~CheckActor() { *alive_ = false; }

void CheckActor::Run(const config::CheckAction& action, const ActionContext& context) {
  switch (action.verb) {
    case config::CheckVerb::kRestart: Restart(action, context); break;
    case config::CheckVerb::kStop: Stop(action, context); break;
    case config::CheckVerb::kRun: RunTask(action, context); break;
    case config::CheckVerb::kSignal: Signal(action, context); break;
    case config::CheckVerb::kKill: Kill(context); break;
    case config::CheckVerb::kTop: Top(context); break;
    case config::CheckVerb::kExec: Exec(action, context); break;
  }
}

void CheckActor::Record(const ActionContext& context, const std::string& text) {
  events_.Write(context.check, text, base::EventType::kAction);
  // What the action did is journalled with why: "restart: web pid 4121 -> 4388 (on CRIT: ...)".
  if (journal_) {
    journal_(context.check, fmt::format("{} (on {}: {}).", text, health::LevelName(context.to), context.message));
  }
}

CheckActor::Pending& CheckActor::Add() {
  // A finished one is dropped here, never from inside its own callback (which its handle
  // may still be running).
  pending_.remove_if([](const auto& p) { return p->done; });
  pending_.push_back(std::make_unique<Pending>());
  return *pending_.back();
}

void CheckActor::Restart(const config::CheckAction& action, const ActionContext& context) {
  std::vector<api::ProgramInfo> before;
  if (auto found = programs_.FindPrograms(action.programs)) before = std::move(*found);
  api::WaitOptions wait;
  wait.wait = true;
  programs_.Restart(action.programs, wait,
                    [this, alive = std::weak_ptr<bool>(alive_), context, before,
                     text = action.text](base::Result<std::vector<api::ProgramInfo>> after) {
                      if (alive.expired()) return;
                      if (!after) {
                        Record(context, text + ": " + after.error().message());
                      } else {
                        Record(context, text + ": " + Restarted(before, *after));
                      }
                    });
}

void CheckActor::Stop(const config::CheckAction& action, const ActionContext& context) {
  api::WaitOptions wait;
  wait.wait = true;
  programs_.Stop(action.programs, wait,
                 [this, alive = std::weak_ptr<bool>(alive_), context,
                  text = action.text](base::Result<std::vector<api::ProgramInfo>> after) {
                   if (alive.expired()) return;
                   Record(context, text + ": " + (after ? "stopped " + Join([&] {
                     std::vector<std::string> names;
                     for (const auto& p : *after) names.push_back(p.name);
                     return names;
                   }()) : after.error().message()));
                 });
}

void CheckActor::RunTask(const config::CheckAction& action, const ActionContext& context) {
  tasks_.RunTask(action.task, api::RunBy::kCheck, /*wait=*/true,
                 [this, alive = std::weak_ptr<bool>(alive_), context, text = action.text](base::Result<api::RunInfo> run) {
                   if (alive.expired()) return;
                   if (!run) {
                     Record(context, text + ": " + run.error().message());
                   } else {
                     Record(context, fmt::format("{}: run {} ended: {}", text, run->id, run->result));
                   }
                 });
}

void CheckActor::Signal(const config::CheckAction& action, const ActionContext& context) {
  auto outcomes = programs_.Signal(action.programs, action.signo);
  if (!outcomes) {
    Record(context, action.text + ": " + outcomes.error().message());
    return;
  }
  std::string out;
  for (const api::SignalOutcome& o : *outcomes) {
    out += (out.empty() ? "" : "; ") +
           (o.error.empty() ? fmt::format("{} sent to {} pid {}", config::SignalName(action.signo), o.program, o.pid)
                            : o.error);
  }
  Record(context, action.text + ": " + out);
}

std::vector<const MatchedProcess*> CheckActor::StillThere(const std::vector<MatchedProcess>& processes) const {
  std::unordered_map<int, uint64_t> living;
  if (auto list = metrics::ListProcesses(proc_)) {
    for (const metrics::ProcessEntry& e : *list) {
      if (!e.zombie) living[e.pid] = e.start_time_ticks;
    }
  }
  std::vector<const MatchedProcess*> out;
  for (const MatchedProcess& p : processes) {
    auto it = living.find(p.pid);
    if (it != living.end() && it->second == p.start_time_ticks) out.push_back(&p);
  }
  return out;
}

void CheckActor::Kill(const ActionContext& context) {
  if (context.offenders.empty()) {
    Record(context, "kill: no process to kill");
    return;
  }
  std::string sent;
  for (const MatchedProcess* p : StillThere(context.offenders)) {
    launcher_.Signal(p->pid, SIGTERM);
    sent += fmt::format("{}{}[{}] ({})", sent.empty() ? "" : ", ", p->comm, p->pid, p->why);
  }
  if (sent.empty()) {
    Record(context, "kill: the processes had already gone");
    return;
  }
  Record(context, "kill: SIGTERM to " + sent);
  Pending& pending = Add();
  pending.handle = clock_.AddTimer(kKillGrace, [this, context, p = &pending] {
    std::string killed;
    for (const MatchedProcess* m : StillThere(context.offenders)) {
      launcher_.Signal(m->pid, SIGKILL);
      killed += fmt::format("{}{}[{}]", killed.empty() ? "" : ", ", m->comm, m->pid);
    }
    Record(context, killed.empty() ? "kill: every process ended after SIGTERM"
                                   : "kill: SIGKILL to " + killed + ", still there " +
                                         base::FormatDuration(kKillGrace) + " after SIGTERM");
    p->done = true;
  });
}

void CheckActor::Top(const ActionContext& context) {
  Pending& pending = Add();
  auto listing =
      TopListing::Start(clock_, proc_, kTopWindow, [this, context, p = &pending](std::vector<ProcessLoad> loads) {
        Record(context, TopActionText(loads));
        p->done = true;
      });
  if (!listing) {
    pending.done = true;
    Record(context, "top: " + listing.error().message());
    return;
  }
  pending.listing = std::move(*listing);
}

void CheckActor::Exec(const config::CheckAction& action, const ActionContext& context) {
  probe::CommandProbeSpec spec;
  spec.argv = action.argv;
  spec.environment = ExecEnvironment(context);
  spec.timeout = kExecTimeout;
  Pending& pending = Add();
  pending.handle = commands_.Probe(spec, [this, context, text = action.text, p = &pending](probe::Outcome outcome) {
    // By the plugin convention OK is exit 0; anything else says how it failed.
    Record(context, text + ": " + (outcome.level == health::Level::kOk ? "done" : "failed") +
                        (outcome.message.empty() ? "" : " (" + outcome.message + ")"));
    p->done = true;
  });
}

}  // namespace vigil::daemon
