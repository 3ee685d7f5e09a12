// SPDX-License-Identifier: MIT
// The checks' timer, sampling, state changes and actions (see check_service.h).
#include "daemon/check_service.h"

#include <unistd.h>

#include <algorithm>

#include <fmt/format.h>

#include "base/http_url.h"
#include "base/units.h"
#include "daemon/check_words.h"
#include "daemon/metric_names.h"
#include "health/level.h"
#include "metrics/group_sample.h"
#include "probe/file_probe.h"

namespace vigil::daemon {
namespace {

health::RuleSpec RuleOf(const config::CheckSpec& spec) {
  health::RuleSpec rule;
  rule.sustain.count = spec.for_count;
  rule.sustain.within = spec.for_within;
  rule.sustain.duration = spec.for_duration;
  rule.recovery = spec.recovery;
  return rule;
}

health::Thresholds ThresholdsOf(const config::CheckSpec& spec) {
  health::Thresholds t;
  t.warn = spec.warn;
  t.crit = spec.crit;
  t.clear = spec.clear;
  return t;
}

health::GuardSpec GuardOf(const config::CheckSpec& spec) {
  health::GuardSpec g;
  g.cooldown = spec.actions->cooldown;
  g.limit = spec.actions->limit;
  g.window = spec.actions->limit_window;
  return g;
}

bool IsSystemMetric(const config::CheckSpec& s) {
  return s.kind == config::CheckKind::kMetric && s.program.empty() && !config::CheckMetricOnDisk(s.metric);
}

bool IsProgramMetric(const config::CheckSpec& s) {
  return s.kind == config::CheckKind::kMetric && !s.program.empty();
}

bool IsDiskMetric(const config::CheckSpec& s) {
  return s.kind == config::CheckKind::kMetric && config::CheckMetricOnDisk(s.metric);
}

// A CPU share needs a reading before the first sample.
bool NeedsFirstReading(const config::CheckSpec& s) {
  return s.kind == config::CheckKind::kMetric && s.metric == config::CheckMetric::kCpu;
}

const std::vector<config::CheckAction>& ActionsFor(const config::CheckSpec& spec, health::Level to) {
  static const std::vector<config::CheckAction> kNone;
  switch (to) {
    case health::Level::kWarn: return spec.actions->on_warn;
    case health::Level::kCrit: return spec.actions->on_crit;
    case health::Level::kOk: return spec.actions->on_recovery;
    default: return kNone;
  }
}

bool HasTopAction(const std::vector<config::CheckAction>& actions) {
  return std::any_of(actions.begin(), actions.end(),
                     [](const config::CheckAction& a) { return a.verb == config::CheckVerb::kTop; });
}

// The top processes a raise of `spec` to `to` lists: with a `top` action due, or by
// default for the machine's CPU, load, memory and swap; by CPU for CPU and load, by memory
// for memory and swap (a program's too), both for any other check.
TopList TopListFor(const config::CheckSpec& spec, health::Level to) {
  TopList by_metric = TopList::kBoth;
  if (spec.kind == config::CheckKind::kMetric) {
    switch (spec.metric) {
      case config::CheckMetric::kCpu:
      case config::CheckMetric::kLoad: by_metric = TopList::kCpu; break;
      case config::CheckMetric::kMemory:
      case config::CheckMetric::kSwap: by_metric = TopList::kMemory; break;
      default: break;
    }
  }
  if (HasTopAction(ActionsFor(spec, to))) return by_metric;
  return IsSystemMetric(spec) && by_metric != TopList::kBoth ? by_metric : TopList::kNone;
}

// How many processes a raise finding lists: a sentence, not a table (vigil top has more).
constexpr size_t kRaiseTopProcesses = 3;

// " Top: ffmpeg[1234] 171%, python3[88] 12%." for `list`; "" when nothing qualifies.
std::string TopSentence(TopList list, const std::string& by_cpu, const std::string& by_memory) {
  switch (list) {
    case TopList::kCpu: return by_cpu.empty() ? "" : " Top: " + by_cpu + ".";
    case TopList::kMemory: return by_memory.empty() ? "" : " Top: " + by_memory + ".";
    case TopList::kBoth:
      if (!by_cpu.empty() && !by_memory.empty()) return " Top by CPU: " + by_cpu + "; by memory: " + by_memory + ".";
      if (!by_cpu.empty()) return " Top by CPU: " + by_cpu + ".";
      return by_memory.empty() ? "" : " Top by memory: " + by_memory + ".";
    case TopList::kNone: break;
  }
  return "";
}

}  // namespace

CheckService::CheckService(CheckPorts ports)
    : ports_(std::move(ports)),
      http_(ports_.loop),
      tcp_(ports_.loop),
      commands_(ports_.launcher, ports_.clock, ports_.loop),
      actor_(ports_.clock, ports_.programs, ports_.tasks, ports_.launcher, commands_, ports_.proc, ports_.events,
             [this](const std::string& check, std::string text) { JournalAction(check, std::move(text)); }),
      ticks_per_second_(sysconf(_SC_CLK_TCK)),
      own_groups_(ports_.groups != nullptr ? nullptr
                                           : std::make_unique<metrics::GroupSampler>(
                                                 ports_.proc, sysconf(_SC_PAGESIZE), metrics::KeptFileBudget())),
      groups_(ports_.groups != nullptr ? *ports_.groups : *own_groups_),
      epoch_(ports_.clock.SteadyNow()) {}

base::SteadyTime CheckService::NextTick(base::SteadyTime now, base::Duration every) const {
  if (every.count() <= 0) return now;
  const auto since = std::chrono::duration_cast<base::Duration>(now - epoch_);
  return epoch_ + (since / every + 1) * every;  // the first multiple strictly after now
}

CheckService::~CheckService() {
  *alive_ = false;
  // A raise still waiting for its top processes is journalled, not lost.
  for (auto& c : checks_) {
    if (c) RecordHeldRaise(*c, nullptr, /*hand_over=*/false);
  }
}

void CheckService::Apply(const std::vector<config::CheckSpec>& specs) {
  const base::SteadyTime now = ports_.clock.SteadyNow();
  std::vector<std::unique_ptr<Check>> next;
  for (const config::CheckSpec& spec : specs) {
    auto old = std::find_if(checks_.begin(), checks_.end(), [&](const auto& c) { return c && c->spec == spec; });
    if (old != checks_.end()) {
      next.push_back(std::move(*old));
      continue;
    }
    auto check = std::make_unique<Check>();
    check->spec = spec;
    check->since = ports_.clock.Now();
    SetMessage(*check, "not measured yet");
    if (spec.kind == config::CheckKind::kProcess) {
      check->process = std::make_unique<ProcessWatch>();
      if (!spec.probe->process.command.empty()) {
        // Validated by the config with the same function, so it compiles.
        if (auto regex = metrics::CompileCommandRegex(spec.probe->process.command)) {
          check->process->command = std::move(*regex);
        }
      }
    }
    // The first sample comes at once; a CPU share needs a second reading, one second on.
    check->next_due = now + (NeedsFirstReading(spec) ? std::chrono::seconds(1) : base::Duration(0));
    next.push_back(std::move(check));
  }
  // A dropped check's raise still waiting for its top processes is journalled now (a
  // `top` action announced for it still lists them, on its own).
  for (auto& c : checks_) {
    if (c) RecordHeldRaise(*c, nullptr, /*hand_over=*/true);
  }
  checks_ = std::move(next);  // removed checks go, and with them their probes under way
  const bool wants_cpu = std::any_of(checks_.begin(), checks_.end(), [](const auto& c) {
    return IsSystemMetric(c->spec) && c->spec.metric == config::CheckMetric::kCpu;
  });
  if (wants_cpu && !last_system_) {
    if (auto sample = metrics::ReadSystem(ports_.proc)) last_system_ = std::move(*sample);
  }
  if (!wants_cpu) last_system_.reset();
  // A program's first CPU reading, so its first share comes a second from now.
  std::vector<std::pair<Check*, api::ProgramRun>> program_cpu;
  for (auto& c : checks_) {
    if (IsProgramMetric(c->spec) && c->spec.metric == config::CheckMetric::kCpu && c->cpu->pid == 0) {
      if (auto run = ports_.programs.RunOf(c->spec.program)) program_cpu.emplace_back(c.get(), std::move(*run));
    }
  }
  if (!program_cpu.empty()) MeasureProgramMetrics(program_cpu);
  Arm();
}

void CheckService::ApplyHistory(const config::HistorySpec& history) {
  if (history == history_) return;  // unchanged by a reload: keeps its rhythm
  history_ = history;
  if (history_.any()) {
    // A first reading, so the first sample's CPU shares are over one interval, not since boot.
    if (ports_.sample_usage) ports_.sample_usage(/*disks=*/false, history_.programs, [](auto) {});
    history_due_ = NextTick(ports_.clock.SteadyNow(), history_.every);
  }
  Arm();
}

void CheckService::Arm() {
  timer_.reset();
  if (checks_.empty() && !history_.any()) return;  // nothing to watch: no timer, no wake-up
  base::SteadyTime first = base::SteadyTime::max();
  for (const auto& c : checks_) first = std::min(first, c->next_due);
  if (history_.any()) first = std::min(first, history_due_);
  const base::SteadyTime now = ports_.clock.SteadyNow();
  const auto delay =
      std::chrono::duration_cast<base::Duration>(first > now ? first - now : base::SteadyTime::duration(0));
  timer_ = ports_.clock.AddTimer(delay, [this] { Round(); });
}

CheckService::Check* CheckService::Find(const std::string& name) {
  auto it = std::find_if(checks_.begin(), checks_.end(), [&](const auto& c) { return c->spec.name == name; });
  return it == checks_.end() ? nullptr : it->get();
}

void CheckService::Round() {
  const base::SteadyTime now = ports_.clock.SteadyNow();
  std::vector<Check*> system, disks, processes;
  std::vector<std::pair<Check*, api::ProgramRun>> programs;
  programs.reserve(checks_.size());  // most checks are a program's, at a thousand programs
  for (auto& c : checks_) {
    if (c->next_due > now) continue;
    // On the shared grid, however this sample came about (a first reading, a program that
    // just started, a suspended machine that fell behind).
    c->next_due = NextTick(now, c->spec.every);
    std::optional<api::ProgramRun> program;
    if (!c->spec.program.empty()) {
      program = ports_.programs.RunOf(c->spec.program);
      if (std::optional<base::Duration> wait = ProgramWait(*c, program)) {
        // Starting, or in its grace period: sample as soon as it may be, not an interval on.
        if (wait->count() > 0) c->next_due = std::min(c->next_due, now + *wait);
        continue;
      }
    }
    const config::CheckSpec& s = c->spec;
    switch (s.kind) {
      case config::CheckKind::kMetric:
        if (IsProgramMetric(s)) {
          programs.emplace_back(c.get(), std::move(*program));  // running: ProgramWait let it through
        } else {
          (IsDiskMetric(s) ? disks : system).push_back(c.get());
        }
        break;
      case config::CheckKind::kProcess: processes.push_back(c.get()); break;
      case config::CheckKind::kFile: MeasureFile(*c); break;
      default: StartProbe(*c); break;
    }
  }
  // The history first: its walk of /proc covers every program with every figure, so
  // the program checks of the same round are answered from it (GroupSampler::kSameRound).
  if (history_.any() && history_due_ <= now) {
    history_due_ = NextTick(now, history_.every);  // on the checks' grid
    SampleHistory();
  }
  if (!system.empty()) MeasureSystem(system);
  if (!programs.empty()) MeasureProgramMetrics(programs);
  if (!disks.empty()) MeasureDisks(disks);
  if (!processes.empty()) MeasureProcesses(processes);
  Arm();
}

void CheckService::SampleHistory() {
  // One sample at a time: a hung filesystem makes the next wait, not pile up.
  if (!ports_.sample_usage || !ports_.record_sample || history_sampling_) return;
  history_sampling_ = true;
  ports_.sample_usage(history_.disks, history_.programs,
                      [this, alive = std::weak_ptr<bool>(alive_)](base::Result<api::TopView> view) {
                        if (alive.expired()) return;
                        history_sampling_ = false;
                        if (!view) return;
                        const base::WallTime now = ports_.clock.Now();
                        for (const NamedSample& s : HistorySamples(*view, history_)) {
                          ports_.record_sample(s.name, now, s.value);
                        }
                      });
}

std::optional<base::Duration> CheckService::ProgramWait(Check& check,
                                                        const std::optional<api::ProgramRun>& program) {
  if (!program) return base::Duration{0};
  const std::string& state = program->state;
  if (state == "STARTING" || state == "BACKOFF" || state == "STOPPING") {
    // On its way up or down (perhaps restarted by this check): look again shortly. Only
    // while it changes state, so an idle vigild still does not wake.
    return std::min<base::Duration>(check.spec.every, std::chrono::seconds(1));
  }
  if (state != "RUNNING") {
    // Down for good (stopped, exited, fatal): nothing to judge, and no stale CRIT either.
    SetMessage(check, check.spec.program + " is not running (" + state + ")");
    if (check.rule.level != health::Level::kPending) {
      check.probe.reset();
      check.measuring = false;
      const health::Level from = check.rule.level;
      check.rule = health::RuleState{};
      check.value.reset();
      RecordChange(check, health::LevelChange{from, health::Level::kPending, base::Duration{0}});
    }
    return base::Duration{0};  // asked again at the next interval
  }
  const base::Duration uptime{program->uptime_ms};
  if (uptime < check.spec.grace) {
    SetMessage(check, fmt::format("{} started {} ago; checks begin after {} of grace", check.spec.program,
                                  base::FormatDuration(uptime), base::FormatDuration(check.spec.grace)));
    return check.spec.grace - uptime;
  }
  return std::nullopt;
}

void CheckService::MeasureSystem(const std::vector<Check*>& due) {
  base::Result<metrics::SystemSample> sample = metrics::ReadSystem(ports_.proc);
  if (!sample) {
    for (Check* c : due) JudgeMetric(*c, std::nullopt, sample.error().message());
    return;
  }
  const metrics::SystemFigures f = metrics::Figures(last_system_ ? *last_system_ : metrics::SystemSample{}, *sample);
  for (Check* c : due) {
    switch (c->spec.metric) {
      case config::CheckMetric::kCpu: JudgeMetric(*c, f.cpu_busy_percent, ""); break;
      case config::CheckMetric::kMemory: JudgeMetric(*c, f.memory_used_percent, ""); break;
      case config::CheckMetric::kSwap: JudgeMetric(*c, f.swap_used_percent, ""); break;
      case config::CheckMetric::kLoad: JudgeMetric(*c, f.load_per_cpu, ""); break;
      default: break;
    }
  }
  if (last_system_ || std::any_of(due.begin(), due.end(), [](Check* c) {
        return c->spec.metric == config::CheckMetric::kCpu;
      })) {
    last_system_ = std::move(*sample);
  }
}

void CheckService::MeasureProgramMetrics(const std::vector<std::pair<Check*, api::ProgramRun>>& due) {
  std::vector<int> pgids;
  std::vector<std::pair<Check*, pid_t>> asked;
  for (const auto& [c, run] : due) {
    if (run.pid == 0) continue;
    if (c->spec.metric == config::CheckMetric::kUptime) {
      // No /proc needed: the supervisor knows when the process started.
      if (run.uptime_ms >= 0) JudgeMetric(*c, static_cast<double>(run.uptime_ms) / 1000.0, "");
      continue;
    }
    pgids.push_back(run.pid);
    asked.emplace_back(c, run.pid);
  }
  if (asked.empty()) return;
  const bool with_fds = std::any_of(asked.begin(), asked.end(),
                                    [](const auto& a) { return a.first->spec.metric == config::CheckMetric::kFds; });
  // Each check's figures copied out first: judging may act (a restart, a listing) and
  // so sample again, which replaces the sampler's answer.
  std::vector<metrics::GroupUsage> figures;
  figures.reserve(asked.size());
  {
    const auto& usage = groups_.Sample(
        pgids, metrics::GroupSampler::Options{.with_pss = false, .with_fds = with_fds}, ports_.clock.SteadyNow());
    for (const auto& a : asked) {
      auto it = usage.find(a.second);
      figures.push_back(it == usage.end() ? metrics::GroupUsage{} : it->second);
    }
  }
  const base::SteadyTime now = ports_.clock.SteadyNow();
  for (size_t i = 0; i < asked.size(); ++i) {
    auto [c, pid] = asked[i];
    const metrics::GroupUsage& u = figures[i];
    switch (c->spec.metric) {
      case config::CheckMetric::kCpu: {
        Check::CpuReading& last = c->cpu.Mut();
        const bool comparable = last.pid == pid;
        const double share = metrics::CpuPercent(last.ticks, u.cpu_ticks, now - last.at, ticks_per_second_);
        last = {pid, u.cpu_ticks, now};
        if (!comparable) {
          SetMessage(*c, "measuring " + c->spec.program + " CPU");
          c->next_due = std::min(c->next_due, now + std::chrono::seconds(1));
        } else {
          JudgeMetric(*c, share, "");
        }
        break;
      }
      case config::CheckMetric::kMemory: JudgeMetric(*c, static_cast<double>(u.rss_bytes), ""); break;
      case config::CheckMetric::kFds: JudgeMetric(*c, u.open_fds, ""); break;
      case config::CheckMetric::kProcesses: JudgeMetric(*c, u.processes, ""); break;
      case config::CheckMetric::kUptime: break;  // from the program itself, below
      default: break;
    }
  }
}

void CheckService::MeasureDisks(const std::vector<Check*>& due) {
  std::vector<metrics::Mount> mounts;
  std::vector<std::string> names;
  for (Check* c : due) {
    if (c->measuring) continue;  // the last measurement has not answered: DiskSampler says so later
    c->measuring = true;
    metrics::Mount m;
    m.mount_point = c->spec.path.string();
    mounts.push_back(std::move(m));
    names.push_back(c->spec.name);
  }
  if (mounts.empty()) return;
  ports_.disks.Sample(mounts, [this, alive = std::weak_ptr<bool>(alive_), names](std::vector<api::DiskUsage> answers) {
    if (alive.expired()) return;
    for (size_t i = 0; i < names.size() && i < answers.size(); ++i) {
      Check* c = Find(names[i]);
      if (c == nullptr || !IsDiskMetric(c->spec)) continue;  // removed or changed by a reload meanwhile
      c->measuring = false;
      const api::DiskUsage& d = answers[i];
      if (!d.error.empty()) {
        JudgeMetric(*c, std::nullopt, d.error);
      } else {
        JudgeMetric(*c, c->spec.metric == config::CheckMetric::kDisk ? d.used_percent : d.inodes_used_percent, "");
      }
    }
  });
}

void CheckService::StartProbe(Check& check) {
  if (check.measuring) return;  // the last probe is still waiting for its answer or timeout
  auto done = [this, &check](probe::Outcome outcome) {
    check.measuring = false;
    SetMessage(check, std::move(outcome.message));
    check.value = outcome.value;
    Judge(check, outcome.level);
    // The handle stays until the next probe replaces it: never destroyed from inside its
    // own callback.
  };
  const config::CheckSpec& s = check.spec;
  check.measuring = true;
  switch (s.kind) {
    case config::CheckKind::kHttp: {
      probe::HttpProbeSpec spec;
      spec.url = *base::ParseHttpUrl(s.probe->url);  // validated by the config
      spec.expect_status = s.probe->expect_status;
      spec.body_contains = s.probe->body_contains;
      spec.tls = s.probe->tls;  // https: tls_verify, ca_file
      spec.timeout = s.timeout;
      check.probe = http_.Probe(spec, std::move(done));
      break;
    }
    case config::CheckKind::kTcp: {
      probe::TcpProbeSpec spec;
      spec.target = *base::ParseHostPort(s.probe->address);
      spec.timeout = s.timeout;
      check.probe = tcp_.Probe(spec, std::move(done));
      break;
    }
    case config::CheckKind::kCommand: {
      probe::CommandProbeSpec spec;
      spec.argv = s.probe->argv;
      spec.timeout = s.timeout;
      check.probe = commands_.Probe(spec, std::move(done));
      break;
    }
    default: check.measuring = false; break;
  }
}

void CheckService::MeasureFile(Check& check) {
  const config::CheckSpec& s = check.spec;
  probe::FileProbeSpec spec;
  spec.path = s.path;
  spec.max_age_warn = s.probe->warn_age;
  spec.max_age_crit = s.probe->max_age;
  spec.max_size_warn = s.probe->warn_size;
  spec.max_size_crit = s.probe->max_size;
  probe::Outcome outcome = probe::ProbeFile(spec, ports_.clock.Now());
  SetMessage(check, std::move(outcome.message));
  check.value = outcome.value;
  Judge(check, outcome.level);
}

void CheckService::MeasureProcesses(const std::vector<Check*>& due) {
  base::Result<std::vector<metrics::ProcessEntry>> listed = metrics::ListProcesses(ports_.proc);
  if (!listed) {
    for (Check* c : due) {
      SetMessage(*c, "could not list the processes: " + listed.error().message());
      c->value.reset();
      Judge(*c, health::Level::kUnknown);
    }
    return;
  }
  const std::vector<metrics::ProcessEntry>& all = *listed;
  const base::WallTime wall = ports_.clock.Now();
  const base::SteadyTime now = ports_.clock.SteadyNow();
  for (Check* c : due) {
    const config::ProcessCheckSpec& p = c->spec.probe->process;
    metrics::ProcessMatch match;
    match.name = p.name;
    match.command = c->process->command;
    match.uid = p.uid;
    std::vector<metrics::ProcessEntry> matched;
    for (const metrics::ProcessEntry& e : all) {
      if (metrics::Matches(match, e)) matched.push_back(e);
    }
    c->process->stalls.Observe(matched, now);
    c->process->offenders.clear();
    std::vector<std::string> problems;
    auto offend = [&](const metrics::ProcessEntry& e, std::string why) {
      problems.push_back(fmt::format("{}[{}] {}", e.comm, e.pid, why));
      c->process->offenders.push_back({e.pid, e.comm, e.start_time_ticks, std::move(why)});
    };
    for (const metrics::ProcessEntry& e : matched) {
      const auto runtime = std::chrono::duration_cast<base::Duration>(wall - e.started);
      if (p.max_runtime && runtime > *p.max_runtime) {
        offend(e, "running " + base::FormatDuration(runtime) + " (at most " + base::FormatDuration(*p.max_runtime) +
                      ")");
        continue;
      }
      const base::Duration stall = c->process->stalls.StalledFor(e.pid, now);
      if (p.stalled && stall >= *p.stalled) offend(e, "no CPU used for " + base::FormatDuration(stall));
    }
    const int count = static_cast<int>(matched.size());
    c->value = count;
    health::Level level = health::Level::kOk;
    std::string message = fmt::format("{} matching process{}", count, count == 1 ? "" : "es");
    if (p.min_count && count < *p.min_count) {
      level = health::Level::kCrit;
      message += fmt::format(" (at least {} expected)", *p.min_count);
    } else if (p.max_count && count > *p.max_count) {
      level = health::Level::kCrit;
      message += fmt::format(" (at most {} expected)", *p.max_count);
      for (const metrics::ProcessEntry& e : matched) {
        auto& offenders = c->process->offenders;
        if (std::none_of(offenders.begin(), offenders.end(), [&](const auto& o) { return o.pid == e.pid; })) {
          offenders.push_back({e.pid, e.comm, e.start_time_ticks, "one too many"});
        }
      }
    }
    if (!problems.empty()) {
      level = health::Level::kCrit;
      message += ": ";
      for (size_t i = 0; i < problems.size() && i < 5; ++i) message += (i ? ", " : "") + problems[i];
      if (problems.size() > 5) message += fmt::format(" and {} more", problems.size() - 5);
    }
    SetMessage(*c, std::move(message));
    Judge(*c, level);
  }
}

void CheckService::JudgeMetric(Check& check, std::optional<double> value, const std::string& problem) {
  health::Level level = health::Level::kUnknown;
  if (value) {
    level = health::Classify(ThresholdsOf(check.spec), *value, check.rule.level);
    // Described when read (MessageOf): a thousand checks keep no text and format none a sample.
    check.message.Reset();
    check.described_level = level;
  } else {
    SetMessage(check, "could not measure: " + problem);
  }
  check.value = value;
  if (value && ports_.record_sample) {
    if (std::string name = MetricHistoryName(check.spec); !name.empty()) {
      ports_.record_sample(name, ports_.clock.Now(), *value);
    }
  }
  Judge(check, level);
}

std::string CheckService::MessageOf(const Check& check) {
  if (check.described_level && check.value) {
    return DescribeMetric(check.spec, *check.value) + LevelNote(check.spec, *check.described_level, *check.value);
  }
  return *check.message;
}

void CheckService::SetMessage(Check& check, std::string text) {
  check.message.Mut() = std::move(text);
  check.described_level.reset();
}

void CheckService::Judge(Check& check, health::Level level) {
  const base::SteadyTime now = ports_.clock.SteadyNow();
  const health::RuleSpec rule = RuleOf(check.spec);
  std::optional<health::LevelChange> change = health::Step(rule, check.rule, {now, level});
  if (!change) {
    // Still bad after the last action, on fresh evidence: act again, within the guard.
    if (!ActionsFor(check.spec, check.rule.level).empty() && health::StillBad(rule, check.rule, now)) {
      Act(check, check.rule.level, check.rule.level, /*again=*/true);
    }
    return;
  }
  if (change->to == health::Level::kOk && check.guard.allocated()) health::Resume(check.guard.Mut());
  RecordChange(check, *change);
  Act(check, change->from, change->to, /*again=*/false);
}

void CheckService::RecordChange(Check& check, const health::LevelChange& change) {
  check.since = ports_.clock.Now();
  std::string text = fmt::format("{} -> {}: {}", health::LevelName(change.from), health::LevelName(change.to),
                                 MessageOf(check));
  if (change.to == health::Level::kOk && change.from != health::Level::kPending) {
    text += fmt::format(", after {} {}", base::FormatDuration(change.was_for), health::LevelName(change.from));
  }
  ports_.events.Write(check.spec.name, text, base::EventType::kCheck,
                      fmt::format(R"({{"from":"{}","to":"{}"}})", health::LevelName(change.from),
                                  health::LevelName(change.to)));
  Journal(check, change);
}

void CheckService::Journal(Check& check, const health::LevelChange& change) {
  if (ports_.findings == nullptr) return;
  // A raise still waiting for its top processes comes first, so this change can end it.
  RecordHeldRaise(check, nullptr, /*hand_over=*/true);
  const std::string& name = check.spec.name;
  switch (change.to) {
    case health::Level::kWarn:
    case health::Level::kCrit:
    case health::Level::kUnknown:
      // A worse level ends the open finding and opens its own.
      JournalRaise(check, change.to == health::Level::kCrit ? Severity::kCrit : Severity::kWarn, change.to);
      break;
    case health::Level::kOk:
    case health::Level::kPending:
      if (check.raise_finding == 0) break;
      ports_.findings->Record(Severity::kInfo, "check", name,
                              change.to == health::Level::kOk
                                  ? fmt::format("Back to OK: {}, after {} {}.", MessageOf(check),
                                                base::FormatDuration(change.was_for), health::LevelName(change.from))
                                  : "No longer watched: " + MessageOf(check) + ".",
                              check.raise_finding);
      check.raise_finding = 0;
      break;
  }
}

void CheckService::JournalRaise(Check& check, Severity severity, health::Level to) {
  auto held = std::make_unique<HeldRaise>();
  held->severity = severity;
  held->text = MessageOf(check) + ".";
  held->ends = check.raise_finding;
  if (to != health::Level::kUnknown) {
    held->suggestion = Suggestion(check.spec);
    held->list = TopListFor(check.spec, to);
  }
  const TopList list = held->list;
  check.held_raise = std::move(held);
  const bool top_action = HasTopAction(ActionsFor(check.spec, to));
  if (list == TopList::kNone && !top_action) return RecordHeldRaise(check, nullptr, /*hand_over=*/false);
  // The timer belongs to the check (held_raise), so it never fires into a check that is gone.
  auto listing = TopListing::Start(ports_.clock, ports_.proc, CheckActor::kTopWindow,
                                   [this, &check](std::vector<ProcessLoad> loads) {
                                     RecordHeldRaise(check, &loads, /*hand_over=*/false);
                                   });
  if (!listing) return RecordHeldRaise(check, nullptr, /*hand_over=*/false);  // no /proc: no list
  if (list == TopList::kMemory && !top_action) {
    // Resident memory needs no second listing.
    const std::vector<ProcessLoad> now = (*listing)->FirstLoads();
    return RecordHeldRaise(check, &now, /*hand_over=*/false);
  }
  check.held_raise->listing = std::move(*listing);
}

void CheckService::JournalAction(const std::string& name, std::string text) {
  if (ports_.findings == nullptr) return;
  Check* check = Find(name);
  if (check != nullptr && check->held_raise != nullptr) {
    check->held_raise->actions_done.push_back(std::move(text));
    return;
  }
  ports_.findings->Record(Severity::kInfo, "action", name, text);
}

void CheckService::RecordHeldRaise(Check& check, const std::vector<ProcessLoad>* loads, bool hand_over) {
  std::unique_ptr<HeldRaise> held = std::move(check.held_raise);
  if (held == nullptr || ports_.findings == nullptr) return;
  // Cut short: memory from the first listing, which is right; no CPU shares without a second.
  std::vector<ProcessLoad> first;
  if (loads == nullptr && held->listing != nullptr) first = held->listing->FirstLoads();
  const std::vector<ProcessLoad>& memory = loads != nullptr ? *loads : first;
  const std::string text =
      held->text +
      TopSentence(held->list, loads != nullptr ? TopByCpu(*loads, kRaiseTopProcesses) : std::string(),
                  TopByMemory(memory, kRaiseTopProcesses)) +
      (held->suggestion.empty() ? "" : " " + held->suggestion);
  check.raise_finding = ports_.findings->Record(held->severity, "check", check.spec.name, text, held->ends);
  for (const std::string& done : held->actions_done) {
    ports_.findings->Record(Severity::kInfo, "action", check.spec.name, done);
  }
  if (!held->top_action) return;
  if (loads != nullptr) {
    // The `top` action's result: an event, as the actor writes it; the finding has the list.
    ports_.events.Write(check.spec.name, TopActionText(*loads), base::EventType::kAction);
  } else if (hand_over) {
    config::CheckAction top;
    top.verb = config::CheckVerb::kTop;
    top.text = "top";
    actor_.Run(top, *held->top_action);  // it measures on its own, and journals what it found
  }
  // `held`, and with it the listing whose timer may be calling this, goes last.
}

void CheckService::Act(Check& check, health::Level from, health::Level to, bool again) {
  const std::vector<config::CheckAction>& actions = ActionsFor(check.spec, to);
  if (actions.empty()) return;
  const bool recovery = to == health::Level::kOk;
  // A recovery action answers a raise: none after PENDING or UNKNOWN.
  if (recovery && from != health::Level::kWarn && from != health::Level::kCrit) return;
  if (!recovery) {
    switch (health::Ask(GuardOf(check.spec), check.guard.Mut(), ports_.clock.SteadyNow())) {
      case health::Verdict::kAct: break;
      case health::Verdict::kCoolingDown: return;  // asked again at the next bad sample
      case health::Verdict::kGivenUp: return;
      case health::Verdict::kGiveUp: {
        const std::string text = fmt::format(
            "giving up: {} actions within {} did not help; acting again once the check is OK", check.spec.actions->limit,
            base::FormatDuration(check.spec.actions->limit_window));
        ports_.events.Write(check.spec.name, text, base::EventType::kAction);
        if (ports_.findings != nullptr) {
          ports_.findings->Record(Severity::kWarn, "action", check.spec.name,
                                  "Gave up: " + text.substr(std::string("giving up: ").size()) + ". " +
                                      MessageOf(check) + ". This needs a person.");
        }
        return;
      }
    }
  }
  ActionContext context;
  context.check = check.spec.name;
  context.program = check.spec.program;
  context.from = from;
  context.to = to;
  context.message = MessageOf(check);
  context.value = check.value;
  if (check.process) context.offenders = check.process->offenders;
  for (const config::CheckAction& action : actions) {
    ports_.events.Write(check.spec.name,
                        fmt::format("{}{} on {}: {}", action.text, again ? " again" : "", health::LevelName(to),
                                    MessageOf(check)),
                        base::EventType::kAction);
    if (action.verb == config::CheckVerb::kTop && !again && check.held_raise != nullptr) {
      // The raise just journalled is waiting for the same listing; its event comes with it.
      check.held_raise->top_action = context;
      continue;
    }
    actor_.Run(action, context);
  }
  // What follows the action is judged on new samples only.
  if (!recovery) health::ResetCounters(check.rule);
}

std::vector<api::CheckInfo> CheckService::Checks() const {
  std::vector<api::CheckInfo> out;
  for (const auto& c : checks_) {
    api::CheckInfo info;
    info.name = c->spec.name;
    info.kind = std::string(config::CheckKindName(c->spec.kind));
    info.target = CheckTarget(c->spec);
    info.program = c->spec.program;
    if (c->spec.kind == config::CheckKind::kMetric) {
      info.metric = std::string(config::CheckMetricName(c->spec.metric));
      if (config::CheckMetricOnDisk(c->spec.metric)) info.path = c->spec.path.string();
      info.warn = c->spec.warn;
      info.crit = c->spec.crit;
    }
    info.state = std::string(health::LevelName(c->rule.level));
    info.since_ms = base::UnixMs(c->since);
    info.value = c->value;
    info.message = MessageOf(*c);
    info.gave_up = c->guard->gave_up;
    out.push_back(std::move(info));
  }
  return out;
}

}  // namespace vigil::daemon
