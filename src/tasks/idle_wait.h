// SPDX-License-Identifier: MIT
// tasks::IdleWait: one due run of a task with when_idle, waiting for the machine to be
// idle enough (docs/tasks.md#maintenance-while-idle). It looks at the machine through an
// IdleMeter (the daemon reads /proc; tests script the readings) once at once and then on
// one timer every check_every, until the machine is idle or max_wait has passed. No timer
// exists while nothing waits. Owned by its Task; destroying it cancels the wait.
// Thread rule: loop thread only.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "base/clock.h"
#include "config/spec.h"
#include "event/clock.h"

namespace vigil::tasks {

// What the machine looked like at one check.
struct IdleReading {
  // The CPU busy share, 0-100, since the meter's previous reading; nullopt on its first
  // (a share needs two readings of the counters).
  std::optional<double> cpu_busy_percent;
  double load_per_cpu = 0;  // the 1-minute load average over the CPUs
  std::string error;        // not empty: the figures could not be read, and say nothing
};

// Reads the machine's figures for one waiting run. Thread rule: loop thread only.
class IdleMeter {
 public:
  virtual ~IdleMeter() = default;
  virtual IdleReading Read() = 0;
};

// Whether `reading` is below every limit of `spec`. When it is not, *why says what is not,
// in words: "CPU 45% (needs below 20%)", "load 0.9 per CPU (needs below 0.5)".
bool IdleEnough(const config::WhenIdleSpec& spec, const IdleReading& reading, std::string* why);

class IdleWait {
 public:
  enum class End { kIdle, kMaxWait };
  // `since` is when the run fell due (the wait may continue one from before a reload);
  // `meter` may be null (then the machine never counts as idle).
  IdleWait(event::Clock& clock, const config::WhenIdleSpec& spec, std::unique_ptr<IdleMeter> meter,
           base::WallTime since);
  ~IdleWait();

  // Checks once now. Returns the end if the wait is over already (idle, or max_wait has
  // passed): then `done` is never called. Otherwise arms the timer and returns nullopt;
  // `done` is called once, from the timer, when the wait ends. The IdleWait may be
  // destroyed inside `done`.
  std::optional<End> Begin(std::function<void(End)> done);

  base::WallTime since() const { return since_; }
  // Why the machine did not count as idle at the last check ("" if it did).
  const std::string& last_reason() const { return last_reason_; }

 private:
  std::optional<End> Check();
  void Arm();

  event::Clock& clock_;
  config::WhenIdleSpec spec_;
  std::unique_ptr<IdleMeter> meter_;
  base::WallTime since_;
  std::string last_reason_;
  std::function<void(End)> done_;
  event::HandlePtr timer_;
};

}  // namespace vigil::tasks
