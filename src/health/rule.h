// SPDX-License-Identifier: MIT
// When a check changes level, as pure functions over plain values (no I/O, no clock): a
// measured value becomes a level through the thresholds (with hysteresis), and a series of
// levels becomes a state change through the "for" rule ("3 of 5" samples, or bad without a
// break for a duration) and the recovery streak. Every rule is table-tested on its own; the
// checks that take samples and the actions that follow a change live elsewhere.
//
// Counters (the window of recent samples and the bad runs) restart at every state change
// and after every action (ResetCounters): a restart is judged on fresh samples, never on
// the ones that caused it, and "for 3 of 5" means three new bad samples every time.
#pragma once

#include <optional>
#include <vector>

#include "base/clock.h"
#include "health/level.h"

namespace vigil::health {

// Where a metric's bad side is: above its levels (CPU, memory used) or below them (free
// space, a count of processes that must be running).
enum class Direction { kAbove, kBelow };

struct Thresholds {
  Direction direction = Direction::kAbove;
  std::optional<double> warn;
  std::optional<double> crit;
  // Hysteresis: once WARN or CRIT, a value counts as back to OK only when it is past
  // `clear` (below it for kAbove). Without it, the lowest level given.
  std::optional<double> clear;
};

// The level of one measured value for a check that is at `current` now.
Level Classify(const Thresholds& thresholds, double value, Level current);

// The "for" rule: how much bad evidence changes the state.
struct Sustain {
  int count = 1;   // this many of ...
  int within = 1;  // ... the last `within` samples must be bad, or
  base::Duration duration{0};  // if set: bad in every sample for at least this long
};

struct RuleSpec {
  Sustain sustain;
  int recovery = 1;  // samples in a row at a lower level before the state goes down
};

// What one sample says: a level from Classify() or straight from a probe (an HTTP answer,
// a plugin's exit code). Never kPending.
struct Sample {
  base::SteadyTime at;
  Level level = Level::kOk;
};

// A check's rule state between samples. Start from the default (PENDING).
struct RuleState {
  Level level = Level::kPending;
  base::SteadyTime since{};
  std::vector<Level> recent;  // newest last, at most max(within, recovery)
  // When the unbroken run of samples at least this bad began (for `duration`).
  std::optional<base::SteadyTime> warn_run_since, crit_run_since, unknown_run_since;
};

struct LevelChange {
  Level from;
  Level to;
  base::Duration was_for{0};  // how long the check had been at `from`
  bool operator==(const LevelChange&) const = default;
};

// Feeds one sample; returns the change it causes, if any. An escalation needs the
// sustained evidence; going down needs `recovery` known samples in a row below the current
// level, and goes to the worst of them. An UNKNOWN sample is never evidence of recovery.
std::optional<LevelChange> Step(const RuleSpec& spec, RuleState& state, const Sample& sample);

// After an action (a restart, a cleanup): judge what follows on new samples only.
void ResetCounters(RuleState& state);

// Whether the samples since the last change or ResetCounters hold, anew, the evidence the
// current bad level (WARN or CRIT) needs: the check is still bad after its action, so the
// action may be repeated (through its guard). False at any other level.
bool StillBad(const RuleSpec& spec, RuleState& state, base::SteadyTime now);

}  // namespace vigil::health
