// SPDX-License-Identifier: MIT
// The "for", hysteresis and recovery rules of a check (see rule.h).
#include "health/rule.h"

#include <algorithm>
#include <array>

namespace vigil::health {
namespace {

// Whether a value is on the bad side of `level`.
bool Past(Direction direction, double value, double level) {
  return direction == Direction::kAbove ? value >= level : value <= level;
}

// Whether a sample counts towards escalating to `target`.
bool Supports(Level sample, Level target) {
  switch (target) {
    case Level::kCrit: return sample == Level::kCrit;
    case Level::kWarn: return sample == Level::kWarn || sample == Level::kCrit;
    case Level::kUnknown: return sample == Level::kUnknown;
    default: return false;
  }
}

std::optional<base::SteadyTime>& RunSince(RuleState& state, Level level) {
  switch (level) {
    case Level::kCrit: return state.crit_run_since;
    case Level::kWarn: return state.warn_run_since;
    default: return state.unknown_run_since;
  }
}

constexpr std::array<Level, 3> kEscalations = {Level::kCrit, Level::kWarn, Level::kUnknown};

bool Sustained(const RuleSpec& spec, RuleState& state, Level target, base::SteadyTime now) {
  if (spec.sustain.duration.count() > 0) {
    const auto& since = RunSince(state, target);
    return since && now - *since >= spec.sustain.duration;
  }
  const size_t within = static_cast<size_t>(std::max(spec.sustain.within, 1));
  const size_t first = state.recent.size() > within ? state.recent.size() - within : 0;
  const auto hits = std::count_if(state.recent.begin() + static_cast<std::ptrdiff_t>(first),
                                  state.recent.end(), [&](Level l) { return Supports(l, target); });
  return hits >= std::max(spec.sustain.count, 1);
}

// The level a recovery streak leads to, or nullopt while the streak is not complete.
std::optional<Level> Recovered(const RuleSpec& spec, const RuleState& state) {
  const size_t streak = static_cast<size_t>(std::max(spec.recovery, 1));
  if (state.recent.size() < streak) return std::nullopt;
  Level worst = Level::kOk;
  for (auto it = state.recent.end() - static_cast<std::ptrdiff_t>(streak); it != state.recent.end(); ++it) {
    if (*it == Level::kUnknown || Severity(*it) >= Severity(state.level)) return std::nullopt;
    worst = std::max(worst, *it, [](Level a, Level b) { return Severity(a) < Severity(b); });
  }
  return worst;
}

}  // namespace

Level Classify(const Thresholds& t, double value, Level current) {
  if (t.crit && Past(t.direction, value, *t.crit)) return Level::kCrit;
  if (t.warn && Past(t.direction, value, *t.warn)) return Level::kWarn;
  const bool bad_now = current == Level::kWarn || current == Level::kCrit;
  if (bad_now && t.clear && Past(t.direction, value, *t.clear)) {
    // Inside the hysteresis band: still the lowest bad level this check has.
    return t.warn ? Level::kWarn : Level::kCrit;
  }
  return Level::kOk;
}

void ResetCounters(RuleState& state) {
  state.recent.clear();
  state.warn_run_since.reset();
  state.crit_run_since.reset();
  state.unknown_run_since.reset();
}

bool StillBad(const RuleSpec& spec, RuleState& state, base::SteadyTime now) {
  if (state.level != Level::kWarn && state.level != Level::kCrit) return false;
  return !state.recent.empty() && Sustained(spec, state, state.level, now);
}

std::optional<LevelChange> Step(const RuleSpec& spec, RuleState& state, const Sample& sample) {
  const size_t keep = static_cast<size_t>(std::max({spec.sustain.within, spec.recovery, 1}));
  state.recent.push_back(sample.level);
  if (state.recent.size() > keep) state.recent.erase(state.recent.begin());
  for (Level target : kEscalations) {
    auto& since = RunSince(state, target);
    if (!Supports(sample.level, target)) {
      since.reset();
    } else if (!since) {
      since = sample.at;
    }
  }

  std::optional<Level> next;
  for (Level target : kEscalations) {
    if (Severity(target) > Severity(state.level) && Sustained(spec, state, target, sample.at)) {
      next = target;
      break;
    }
  }
  if (!next) {
    if (state.level == Level::kPending) {
      if (sample.level == Level::kOk) next = Level::kOk;  // a bad sample is not proof yet
    } else if (state.level != Level::kOk) {
      next = Recovered(spec, state);
    }
  }
  if (!next || *next == state.level) return std::nullopt;

  LevelChange change{state.level, *next,
                     std::chrono::duration_cast<base::Duration>(sample.at - state.since)};
  if (state.level == Level::kPending) change.was_for = base::Duration{0};
  state.level = *next;
  state.since = sample.at;
  ResetCounters(state);
  return change;
}

}  // namespace vigil::health
