// SPDX-License-Identifier: MIT
// CheckService: runs the [check.NAME] metric checks. One timer, armed for the earliest
// due check and only while checks exist (with none, vigild still never wakes up); each
// round reads /proc once for every check due, measures filesystems through the
// DiskSampler (off the loop thread), judges each value with the pure rules of health/ and
// records every change of state as a "check" event in plain words.
// Thread rule: loop thread only.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api/health_controller.h"
#include "config/spec.h"
#include "daemon/disk_sampler.h"
#include "daemon/event_log.h"
#include "event/clock.h"
#include "health/rule.h"
#include "metrics/proc_root.h"
#include "metrics/system_sample.h"

namespace vigil::daemon {

class CheckService {
 public:
  CheckService(event::Clock& clock, metrics::ProcRoot proc, DiskSampler& disks, EventLog& events);
  ~CheckService();

  // At start and on every reload: a check whose spec did not change keeps its state.
  void Apply(const std::vector<config::CheckSpec>& specs);
  std::vector<api::CheckInfo> Checks() const;

 private:
  struct Check {
    config::CheckSpec spec;
    health::RuleState rule;
    base::WallTime since;
    std::optional<double> value;
    std::string message;
    base::SteadyTime next_due;
    bool measuring = false;  // a filesystem measurement is under way
  };

  void Arm();
  void Round();
  void MeasureDisks(const std::vector<Check*>& due);
  // Judges one sample: `value`, or the reason there is none (UNKNOWN).
  void Judge(Check& check, std::optional<double> value, const std::string& problem);

  event::Clock& clock_;
  metrics::ProcRoot proc_;
  DiskSampler& disks_;
  EventLog& events_;
  std::vector<std::unique_ptr<Check>> checks_;
  std::optional<metrics::SystemSample> last_system_;  // for CPU shares between rounds
  event::HandlePtr timer_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // for late disk answers
};

}  // namespace vigil::daemon
