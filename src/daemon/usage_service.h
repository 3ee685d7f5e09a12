// SPDX-License-Identifier: MIT
// UsageService: what the machine, its filesystems and each program's process group use
// now (`vigil top`, GET /v1/top), read from /proc when asked: nothing is sampled while nobody asks, so an
// idle vigild still never wakes up.
// Thread rule: loop thread only.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "api/health_controller.h"
#include "api/program_controller.h"
#include "daemon/disk_sampler.h"
#include "event/clock.h"
#include "metrics/group_sampler.h"
#include "metrics/proc_root.h"
#include "metrics/system_sample.h"

namespace vigil::daemon {

class UsageService {
 public:
  // `disks` measures the filesystems of proc's self/mountinfo; nullptr: none are shown.
  // `groups` reads the programs' process groups (the daemon's one sampler, shared with
  // CheckService); nullptr: a sampler of its own over `proc`.
  UsageService(api::ProgramController& programs, event::Clock& clock, metrics::ProcRoot proc,
               DiskSampler* disks, metrics::GroupSampler* groups = nullptr);

  // A question from a person (Top, Machine) whose last reading is older than this is
  // measured over the next kFreshWindow instead: the CPU share since a reading minutes or
  // hours old is an average, not what the machine does now.
  static constexpr base::Duration kStaleAfter{10'000};
  static constexpr base::Duration kFreshWindow{500};

  // As api::HealthController::Top; programs' PSS is read too (someone is looking).
  void Top(const std::vector<std::string>& names, api::TopDoneFn done);
  // As api::HealthController::Machine: the machine and its filesystems.
  void Machine(api::TopDoneFn done);
  // The machine, and, as asked, its filesystems and every program (without PSS), for the
  // metric history: its CPU shares are over the time since the last sample, however long.
  void Sample(bool disks, bool programs, api::TopDoneFn done);

 private:
  // The two latest readings a CPU share is measured from: a question that comes right
  // after another (a second client, a quick retry) is measured from the older one, so no
  // share is ever taken over a few milliseconds, where the kernel's 10 ms ticks are noise.
  template <typename Value>
  struct Readings {
    struct Reading {
      Value value;
      base::SteadyTime at;
    };
    std::optional<Reading> older, newer;

    // The reading to measure from at `now`; nullptr when there is none old enough.
    const Reading* Base(base::SteadyTime now) const;
    void Record(Value value, base::SteadyTime now);
  };
  struct GroupTicks {
    pid_t pid = 0;
    uint64_t cpu_ticks = 0;
  };

  // Calls `answer` at once when the readings a question needs (the machine's, and those
  // of the running programs among `names` if given, every program's if empty) are recent;
  // else takes them now and calls it kFreshWindow later, with any question that came
  // meanwhile.
  void WhenCurrent(const std::vector<std::string>* names, std::function<void()> answer);
  bool Recent(base::SteadyTime at, base::SteadyTime now) const { return now - at <= kStaleAfter; }
  // `programs` false: the machine alone. `with_pss` reads each process's smaps_rollup.
  base::Result<api::TopView> Measure(const std::vector<std::string>& names, bool programs, bool with_pss);
  // Adds the filesystems to `view` (off the loop thread) and answers `done`.
  void AddDisks(api::TopView view, api::TopDoneFn done);
  api::SystemUsage System(base::SteadyTime now);

  api::ProgramController& programs_;
  event::Clock& clock_;  // not const: a fresh-readings window sets a timer
  metrics::ProcRoot proc_;
  DiskSampler* disks_;
  const long ticks_per_second_;
  std::unique_ptr<metrics::GroupSampler> own_groups_;  // when none was given
  metrics::GroupSampler& groups_;
  Readings<metrics::SystemSample> system_readings_;
  std::unordered_map<std::string, Readings<GroupTicks>> group_readings_;  // by program name
  event::HandlePtr fresh_wait_;                 // a WhenCurrent window under way
  std::vector<std::function<void()>> waiting_;  // the questions it will answer
};

}  // namespace vigil::daemon
