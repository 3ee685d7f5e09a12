// SPDX-License-Identifier: MIT
// A fixture base of the CheckService tests: the fakes its ports need, wired once.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <string>

#include "api/fake_controller_test_util.h"
#include "base/file_util.h"
#include "daemon/check_service.h"
#include "fakes/fake_clock.h"
#include "fakes/fake_launcher.h"
#include "metrics/fake_proc_test_util.h"
#include "util/temp_dir.h"

namespace vigil::daemon::testing {

// A metric check sampled every 10 s, with no threshold yet.
inline config::CheckSpec MetricCheck(const std::string& name, config::CheckMetric metric) {
  config::CheckSpec spec;
  spec.name = name;
  spec.metric = metric;
  spec.every = std::chrono::seconds(10);
  return spec;
}

inline config::CheckSpec WarnAbove(const std::string& name, config::CheckMetric metric, double warn) {
  config::CheckSpec spec = MetricCheck(name, metric);
  spec.warn = warn;
  return spec;
}

inline config::CheckSpec CritAbove(const std::string& name, config::CheckMetric metric, double crit) {
  config::CheckSpec spec = MetricCheck(name, metric);
  spec.crit = crit;
  return spec;
}

// A process check sampled every 10 s, critical when more than `max_count` processes are
// named `process`.
inline config::CheckSpec ProcessCheck(const std::string& name, const std::string& process, int max_count) {
  config::CheckSpec spec;
  spec.name = name;
  spec.kind = config::CheckKind::kProcess;
  spec.probe.Mut().process.name = process;
  spec.probe.Mut().process.max_count = max_count;
  spec.every = std::chrono::seconds(10);
  return spec;
}

// The state of `service`'s check `name`; "" if it has none.
inline std::string StateOf(const CheckService& service, const std::string& name) {
  for (const auto& c : service.Checks()) {
    if (c.name == name) return c.state;
  }
  return "";
}

// A machine of two CPUs, 10% busy since boot, with half its memory used and no disks that
// answer, on a fake clock; an event log in a temp dir; a fake controller and launcher. A test
// fixture derived from it adds the CheckService it tests, wired with Ports().
class CheckServiceTestBase : public ::testing::Test {
 protected:
  void SetUp() override {
    proc_.SetCpu(metrics::CpuTimes{.user = 100, .idle = 900}, 2);
    proc_.SetLoadAvg("0.50", "0.50", "0.50");
    SetMemoryUsed(50);
  }

  void SetMemoryUsed(int percent) { proc_.SetMemInfo(1000, static_cast<uint64_t>(100 - percent) * 10); }
  std::string EventLogText() {
    auto text = base::ReadFile(temp_.path() / "vigild.log");
    return text ? *text : "";
  }
  // The ports on the fakes above; `findings` may be null.
  CheckPorts Ports(FindingJournal* findings = nullptr) {
    return CheckPorts{loop_, clock_, proc_.root(), disks_, events_, controller_, controller_, launcher_, findings};
  }

  vigil::testing::TempDir temp_;
  metrics::testing::FakeProc proc_;
  event::Loop loop_;
  event::FakeClock clock_{std::chrono::sys_days{std::chrono::year{2026} / 12 / 1}};
  DiskSampler disks_{loop_, clock_,
                     [](const std::string&) -> base::Result<metrics::FsStat> {
                       return base::Status::IoError("no disks in this test");
                     },
                     std::chrono::seconds(2)};
  EventLog events_{loop_, temp_.path() / "vigild.log", config::LogSpec{}, nullptr, false};
  api::FakeController controller_;
  process::FakeLauncher launcher_{loop_};
};

}  // namespace vigil::daemon::testing
