// SPDX-License-Identifier: MIT
// The metric checks' timer, sampling and state changes (see check_service.h).
#include "daemon/check_service.h"

#include <algorithm>

#include <fmt/format.h>

#include "base/units.h"
#include "health/level.h"

namespace vigil::daemon {
namespace {


// "93.1%" for shares, "2.10" for a load per CPU.
std::string Figure(config::CheckMetric m, double v) {
  return m == config::CheckMetric::kLoad ? fmt::format("{:.2f}", v) : fmt::format("{:.1f}%", v);
}

// What a value is, in words: "CPU at 93.1%", "disk / at 96.2% full".
std::string Describe(const config::CheckSpec& spec, double v) {
  const std::string f = Figure(spec.metric, v);
  switch (spec.metric) {
    case config::CheckMetric::kCpu: return "CPU at " + f;
    case config::CheckMetric::kMemory: return "memory used at " + f;
    case config::CheckMetric::kSwap: return "swap used at " + f;
    case config::CheckMetric::kLoad: return "load " + f + " per CPU";
    case config::CheckMetric::kDisk: return "disk " + spec.path.string() + " at " + f + " full";
    case config::CheckMetric::kInodes: return "inodes of " + spec.path.string() + " at " + f + " used";
  }
  return f;
}

// The level a value was judged against, for the message: "(critical at 90%)", or, in the
// hysteresis band below the levels, "(OK again below 70%)".
std::string LevelNote(const config::CheckSpec& spec, health::Level level, double value) {
  if (level == health::Level::kCrit && spec.crit && value >= *spec.crit) {
    return fmt::format(" (critical at {})", Figure(spec.metric, *spec.crit));
  }
  if (level == health::Level::kWarn && spec.warn && value >= *spec.warn) {
    return fmt::format(" (warning at {})", Figure(spec.metric, *spec.warn));
  }
  if (level != health::Level::kOk && spec.clear) {
    return fmt::format(" (OK again below {})", Figure(spec.metric, *spec.clear));
  }
  return "";
}

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

}  // namespace

CheckService::CheckService(event::Clock& clock, metrics::ProcRoot proc, DiskSampler& disks, EventLog& events)
    : clock_(clock), proc_(std::move(proc)), disks_(disks), events_(events) {}

CheckService::~CheckService() { *alive_ = false; }

void CheckService::Apply(const std::vector<config::CheckSpec>& specs) {
  const base::SteadyTime now = clock_.SteadyNow();
  std::vector<std::unique_ptr<Check>> next;
  for (const config::CheckSpec& spec : specs) {
    auto old = std::find_if(checks_.begin(), checks_.end(),
                            [&](const auto& c) { return c && c->spec == spec; });
    if (old != checks_.end()) {
      next.push_back(std::move(*old));
      continue;
    }
    auto check = std::make_unique<Check>();
    check->spec = spec;
    check->since = clock_.Now();
    // The first sample comes at once; a CPU share needs a second reading, one second on.
    check->next_due = now + (spec.metric == config::CheckMetric::kCpu ? std::chrono::seconds(1) : base::Duration(0));
    next.push_back(std::move(check));
  }
  checks_ = std::move(next);
  const bool wants_cpu = std::any_of(checks_.begin(), checks_.end(),
                                     [](const auto& c) { return c->spec.metric == config::CheckMetric::kCpu; });
  if (wants_cpu && !last_system_) {
    if (auto sample = metrics::ReadSystem(proc_)) last_system_ = std::move(*sample);
  }
  if (checks_.empty()) last_system_.reset();
  Arm();
}

void CheckService::Arm() {
  timer_.reset();
  if (checks_.empty()) return;  // nothing to watch: no timer, no wake-up
  base::SteadyTime first = base::SteadyTime::max();
  for (const auto& c : checks_) first = std::min(first, c->next_due);
  const base::SteadyTime now = clock_.SteadyNow();
  const auto delay = std::chrono::duration_cast<base::Duration>(first > now ? first - now : base::SteadyTime::duration(0));
  timer_ = clock_.AddTimer(delay, [this] { Round(); });
}

void CheckService::Round() {
  const base::SteadyTime now = clock_.SteadyNow();
  std::vector<Check*> due, disks;
  for (auto& c : checks_) {
    if (c->next_due > now) continue;
    // Fallen behind (a suspended machine): the next sample is one interval from now.
    c->next_due += c->spec.every;
    if (c->next_due <= now) c->next_due = now + c->spec.every;
    (config::CheckMetricOnDisk(c->spec.metric) ? disks : due).push_back(c.get());
  }
  if (!due.empty()) {
    base::Result<metrics::SystemSample> sample = metrics::ReadSystem(proc_);
    if (!sample) {
      for (Check* c : due) Judge(*c, std::nullopt, sample.error().message());
    } else {
      const metrics::SystemFigures f = metrics::Figures(last_system_ ? *last_system_ : metrics::SystemSample{}, *sample);
      for (Check* c : due) {
        switch (c->spec.metric) {
          case config::CheckMetric::kCpu: Judge(*c, f.cpu_busy_percent, ""); break;
          case config::CheckMetric::kMemory: Judge(*c, f.memory_used_percent, ""); break;
          case config::CheckMetric::kSwap: Judge(*c, f.swap_used_percent, ""); break;
          case config::CheckMetric::kLoad: Judge(*c, f.load_per_cpu, ""); break;
          default: break;
        }
      }
      last_system_ = std::move(*sample);
    }
  }
  if (!disks.empty()) MeasureDisks(disks);
  Arm();
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
  disks_.Sample(mounts, [this, alive = std::weak_ptr<bool>(alive_), names](std::vector<api::DiskUsage> answers) {
    if (alive.expired()) return;
    for (size_t i = 0; i < names.size() && i < answers.size(); ++i) {
      auto it = std::find_if(checks_.begin(), checks_.end(), [&](const auto& c) { return c->spec.name == names[i]; });
      if (it == checks_.end()) continue;  // removed by a reload meanwhile
      Check& c = **it;
      c.measuring = false;
      const api::DiskUsage& d = answers[i];
      if (!d.error.empty()) {
        Judge(c, std::nullopt, d.error);
      } else {
        Judge(c, c.spec.metric == config::CheckMetric::kDisk ? d.used_percent : d.inodes_used_percent, "");
      }
    }
  });
}

void CheckService::Judge(Check& check, std::optional<double> value, const std::string& problem) {
  const base::SteadyTime now = clock_.SteadyNow();
  health::Level level = health::Level::kUnknown;
  if (value) {
    level = health::Classify(ThresholdsOf(check.spec), *value, check.rule.level);
    check.message = Describe(check.spec, *value) + LevelNote(check.spec, level, *value);
  } else {
    check.message = "could not measure: " + problem;
  }
  check.value = value;
  std::optional<health::LevelChange> change = health::Step(RuleOf(check.spec), check.rule, {now, level});
  if (!change) return;
  check.since = clock_.Now();
  std::string text = fmt::format("{} -> {}: {}", health::LevelName(change->from), health::LevelName(change->to),
                                 check.message);
  if (change->to == health::Level::kOk && change->from != health::Level::kPending) {
    text += fmt::format(", after {} {}", base::FormatDuration(change->was_for), health::LevelName(change->from));
  }
  events_.Write(check.spec.name, text, base::EventType::kCheck,
                fmt::format(R"({{"from":"{}","to":"{}"}})", health::LevelName(change->from),
                            health::LevelName(change->to)));
}

std::vector<api::CheckInfo> CheckService::Checks() const {
  std::vector<api::CheckInfo> out;
  for (const auto& c : checks_) {
    api::CheckInfo info;
    info.name = c->spec.name;
    info.metric = std::string(config::CheckMetricName(c->spec.metric));
    if (config::CheckMetricOnDisk(c->spec.metric)) info.path = c->spec.path.string();
    info.state = std::string(health::LevelName(c->rule.level));
    info.since_ms = base::UnixMs(c->since);
    info.value = c->value;
    info.warn = c->spec.warn;
    info.crit = c->spec.crit;
    info.message = c->message;
    out.push_back(std::move(info));
  }
  return out;
}

}  // namespace vigil::daemon
