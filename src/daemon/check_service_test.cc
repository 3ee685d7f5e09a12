// SPDX-License-Identifier: MIT
// CheckService on a fake /proc, a fake clock and a fake statvfs: the one timer, the rules
// applied to real samples, and the events it writes.
#include "daemon/check_service.h"

#include <gtest/gtest.h>

#include "base/file_util.h"
#include "fakes/fake_clock.h"
#include "metrics/fake_proc_test_util.h"
#include "util/temp_dir.h"

namespace vigil::daemon {
namespace {

using std::chrono::seconds;

config::CheckSpec Memory(const std::string& name, double warn) {
  config::CheckSpec spec;
  spec.name = name;
  spec.metric = config::CheckMetric::kMemory;
  spec.warn = warn;
  spec.every = seconds(10);
  return spec;
}

class CheckServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    proc_.SetCpu(metrics::CpuTimes{.user = 100, .idle = 900}, 2);
    proc_.SetLoadAvg("0.50", "0.50", "0.50");
    SetMemoryUsed(50);
  }
  void SetMemoryUsed(int percent) { proc_.SetMemInfo(1000, static_cast<uint64_t>(100 - percent) * 10); }
  std::string StateOf(const std::string& name) {
    for (const auto& c : checks_.Checks()) {
      if (c.name == name) return c.state;
    }
    return "";
  }
  std::string EventLogText() {
    auto text = base::ReadFile(temp_.path() / "vigild.log");
    return text ? *text : "";
  }

  vigil::testing::TempDir temp_;
  metrics::testing::FakeProc proc_;
  event::Loop loop_;
  event::FakeClock clock_{std::chrono::sys_days{std::chrono::year{2026} / 12 / 1}};
  DiskSampler disks_{loop_, clock_,
                     [](const std::string&) -> base::Result<metrics::FsStat> {
                       return base::Status::IoError("no disks in this test");
                     },
                     seconds(2)};
  EventLog events_{loop_, temp_.path() / "vigild.log", config::LogSpec{}, nullptr, false};
  CheckService checks_{clock_, proc_.root(), disks_, events_};
};

TEST_F(CheckServiceTest, NoChecksNoTimer) {
  checks_.Apply({});
  EXPECT_EQ(clock_.pending(), 0u);
  checks_.Apply({Memory("mem", 80)});
  EXPECT_EQ(clock_.pending(), 1u);  // one timer, whatever the number of checks
  checks_.Apply({Memory("mem", 80), Memory("mem2", 90)});
  EXPECT_EQ(clock_.pending(), 1u);
  checks_.Apply({});
  EXPECT_EQ(clock_.pending(), 0u);
}

TEST_F(CheckServiceTest, TwoOfThreeThenRecoveryWithEvents) {
  config::CheckSpec spec = Memory("mem", 80);
  spec.for_count = 2;
  spec.for_within = 3;
  checks_.Apply({spec});
  clock_.Advance(seconds(0));  // the first sample comes at once
  EXPECT_EQ(StateOf("mem"), "OK");
  SetMemoryUsed(85);
  clock_.Advance(seconds(10));
  EXPECT_EQ(StateOf("mem"), "OK");  // one bad sample of the two needed
  clock_.Advance(seconds(10));
  EXPECT_EQ(StateOf("mem"), "WARN");
  SetMemoryUsed(40);
  clock_.Advance(seconds(10));
  EXPECT_EQ(StateOf("mem"), "OK");
  const std::string log = EventLogText();
  EXPECT_NE(log.find("mem: PENDING -> OK: memory used at 50.0%"), std::string::npos) << log;
  EXPECT_NE(log.find("mem: OK -> WARN: memory used at 85.0% (warning at 80.0%)"), std::string::npos) << log;
  EXPECT_NE(log.find("mem: WARN -> OK: memory used at 40.0%, after 10s WARN"), std::string::npos) << log;
}

TEST_F(CheckServiceTest, AnUnchangedCheckKeepsItsStateOverAReload) {
  checks_.Apply({Memory("mem", 10)});
  clock_.Advance(seconds(0));
  EXPECT_EQ(StateOf("mem"), "WARN");
  checks_.Apply({Memory("mem", 10), Memory("other", 90)});
  EXPECT_EQ(StateOf("mem"), "WARN");
  EXPECT_EQ(StateOf("other"), "PENDING");
  checks_.Apply({Memory("mem", 95)});  // changed: starts over
  EXPECT_EQ(StateOf("mem"), "PENDING");
  EXPECT_EQ(StateOf("other"), "");
}

TEST_F(CheckServiceTest, AFailedMeasurementIsUnknownWithTheReason) {
  config::CheckSpec disk;
  disk.name = "root";
  disk.metric = config::CheckMetric::kDisk;
  disk.path = "/";
  disk.crit = 95;
  checks_.Apply({disk});
  clock_.Advance(seconds(0));
  for (int i = 0; i < 1000 && StateOf("root") == "PENDING"; ++i) {
    auto tick = loop_.AddTimer(std::chrono::milliseconds(5), [] {});
    loop_.RunOne();
  }
  EXPECT_EQ(StateOf("root"), "UNKNOWN");
  EXPECT_EQ(checks_.Checks()[0].message, "could not measure: no disks in this test");
}

}  // namespace
}  // namespace vigil::daemon
