// SPDX-License-Identifier: MIT
// The metric history's samples: what CheckService records of its checks' samples and of
// [health] history on its one timer, on a fake /proc and a fake clock; and the names.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "daemon/check_service_test_util.h"
#include "daemon/metric_names.h"
#include "daemon/usage_service.h"

namespace vigil::daemon {
namespace {

using metrics::testing::FakeProcess;
using std::chrono::seconds;
using testing::CritAbove;
using testing::WarnAbove;

struct Recorded {
  std::string name;
  base::WallTime time;
  double value;
};

config::HistorySpec History(bool system, bool programs, base::Duration every) {
  config::HistorySpec h;
  h.system = system;
  h.programs = programs;
  h.every = every;
  return h;
}

class MetricRecordingTest : public testing::CheckServiceTestBase {
 protected:
  void SetUp() override {
    CheckServiceTestBase::SetUp();
    api::ProgramInfo web;
    web.name = "web";
    web.state = "RUNNING";
    web.pid = 100;
    web.uptime_ms = 60'000;
    api::ProgramInfo off;
    off.name = "off";
    off.state = "STOPPED";
    controller_.programs = {web, off};
    proc_.AddProcess(FakeProcess{
        .pid = 100, .pgrp = 100, .utime_ticks = 10, .rss_pages = 4, .open_fds = 5, .pss_kib = std::nullopt});
  }
  // The values recorded under `name`, oldest first.
  std::vector<double> Values(const std::string& name) const {
    std::vector<double> out;
    for (const Recorded& r : recorded_) {
      if (r.name == name) out.push_back(r.value);
    }
    return out;
  }

  // The base's ports, with the history recorded into recorded_ and one GroupSampler shared
  // with the UsageService, as the daemon wires them.
  CheckPorts RecordingPorts() {
    CheckPorts ports = Ports();
    ports.record_sample = [this](const std::string& name, base::WallTime time, double value) {
      recorded_.push_back({name, time, value});
    };
    ports.sample_usage = [this](bool disks, bool programs, api::TopDoneFn done) {
      usage_.Sample(disks, programs, std::move(done));
    };
    ports.groups = &groups_;
    return ports;
  }

  metrics::GroupSampler groups_{proc_.root(), ::sysconf(_SC_PAGESIZE), /*max_kept_files=*/100};
  UsageService usage_{controller_, clock_, proc_.root(), nullptr, &groups_};
  std::vector<Recorded> recorded_;
  CheckService checks_{RecordingPorts()};
};

TEST_F(MetricRecordingTest, NothingConfiguredMeansNoTimerAndHistorySharesTheChecksTimer) {
  checks_.Apply({});
  checks_.ApplyHistory({});
  EXPECT_EQ(clock_.pending(), 0u);
  checks_.ApplyHistory(History(true, false, seconds(60)));
  EXPECT_EQ(clock_.pending(), 1u);
  checks_.Apply({WarnAbove("mem", config::CheckMetric::kMemory, 90)});
  EXPECT_EQ(clock_.pending(), 1u);  // one timer for both
  checks_.ApplyHistory({});
  EXPECT_EQ(clock_.pending(), 1u);  // the check's
  checks_.Apply({});
  EXPECT_EQ(clock_.pending(), 0u);
  EXPECT_TRUE(Values("system.cpu").empty());
}

TEST_F(MetricRecordingTest, HistorySamplesTheSystemAndRunningProgramsEveryInterval) {
  proc_.SetPressure("cpu", "12.50", 1000);
  checks_.ApplyHistory(History(true, true, seconds(30)));
  clock_.Advance(seconds(29));
  EXPECT_TRUE(recorded_.empty());  // the first sample is one interval on
  // 30 s of two CPUs = 6000 ticks at 100 Hz; a quarter of them busy.
  proc_.SetCpu(metrics::CpuTimes{.user = 100 + 1500, .idle = 900 + 4500}, 2);
  proc_.AddProcess(FakeProcess{
      .pid = 100, .pgrp = 100, .utime_ticks = 10 + 300, .rss_pages = 4, .open_fds = 6, .pss_kib = std::nullopt});
  clock_.Advance(seconds(1));
  ASSERT_FALSE(recorded_.empty());
  EXPECT_EQ(recorded_.front().time, clock_.Now());
  EXPECT_EQ(Values("system.memory"), std::vector<double>{50});
  EXPECT_EQ(Values("system.load"), std::vector<double>{0.25});  // per CPU
  ASSERT_EQ(Values("system.cpu").size(), 1u);
  EXPECT_NEAR(Values("system.cpu")[0], 25, 0.01);  // over the interval, not since boot
  EXPECT_EQ(Values("system.swap"), std::vector<double>{0});
  EXPECT_EQ(Values("system.pressure.cpu"), std::vector<double>{12.5});
  EXPECT_TRUE(Values("system.pressure.io").empty());  // the kernel (here) has none
  EXPECT_EQ(Values("program.fds:web"), std::vector<double>{6});
  EXPECT_EQ(Values("program.processes:web"), std::vector<double>{1});
  EXPECT_EQ(Values("program.memory:web"), std::vector<double>{4.0 * ::sysconf(_SC_PAGESIZE)});
  ASSERT_EQ(Values("program.cpu:web").size(), 1u);
  EXPECT_NEAR(Values("program.cpu:web")[0], 300.0 / ::sysconf(_SC_CLK_TCK) / 30 * 100, 0.01);
  EXPECT_TRUE(Values("program.cpu:off").empty());  // not running: a gap, not a zero
  clock_.Advance(seconds(30));
  EXPECT_EQ(Values("system.memory").size(), 2u);
  EXPECT_EQ(clock_.pending(), 1u);
}

TEST_F(MetricRecordingTest, ARoundWithHistoryAndProgramChecksWalksProcOnce) {
  config::CheckSpec memory = CritAbove("web-memory", config::CheckMetric::kMemory, 1e9);
  memory.program = "web";
  memory.every = seconds(30);
  checks_.Apply({memory});
  checks_.ApplyHistory(History(false, true, seconds(30)));
  clock_.Advance(seconds(30));  // past the first samples: both due in the same rounds now
  const uint64_t before = groups_.walks();
  for (int round = 1; round <= 3; ++round) {
    clock_.Advance(seconds(30));
    EXPECT_EQ(groups_.walks(), before + round);
  }
  EXPECT_EQ(Values("program.fds:web").size(), 4u);  // the history's, a sample each round
}

TEST_F(MetricRecordingTest, EveryMetricCheckSampleIsRecordedUnderItsName) {
  const config::CheckSpec memory = WarnAbove("mem", config::CheckMetric::kMemory, 90);
  config::CheckSpec fds = memory;
  fds.name = "web-fds";
  fds.metric = config::CheckMetric::kFds;
  fds.program = "web";
  fds.warn = 1000;
  checks_.Apply({memory, fds});
  clock_.Advance(seconds(0));
  clock_.Advance(seconds(10));
  EXPECT_EQ(Values("system.memory"), (std::vector<double>{50, 50}));
  EXPECT_EQ(Values("program.fds:web"), (std::vector<double>{5, 5}));
  EXPECT_TRUE(Values("system.cpu").empty());  // only what was measured
}

TEST(MetricNamesTest, ChecksAreNamedByWhatTheyMeasure) {
  config::CheckSpec s;
  s.kind = config::CheckKind::kMetric;
  s.metric = config::CheckMetric::kLoad;
  EXPECT_EQ(MetricHistoryName(s), "system.load");
  s.metric = config::CheckMetric::kInodes;
  s.path = "/var";
  EXPECT_EQ(MetricHistoryName(s), "disk.inodes:/var");
  s.metric = config::CheckMetric::kCpu;
  s.program = "web:1";
  EXPECT_EQ(MetricHistoryName(s), "program.cpu:web:1");
  s.metric = config::CheckMetric::kUptime;
  EXPECT_EQ(MetricHistoryName(s), "");
  s.kind = config::CheckKind::kHttp;
  EXPECT_EQ(MetricHistoryName(s), "");
}

// What a history question may ask for: a name vigild could have recorded (a typo is a 400,
// not an empty chart); a program or path it never saw just has no points.
TEST(MetricNamesTest, OnlyNamesOfKnownFamiliesAreMetricNames) {
  for (const char* good : {"system.cpu", "system.memory", "system.swap", "system.load", "system.pressure.io",
                           "disk.space:/", "disk.inodes:/var", "program.cpu:web:1", "program.memory:db",
                           "program.fds:x", "program.processes:x"}) {
    EXPECT_TRUE(IsMetricName(good)) << good;
  }
  for (const char* bad : {"", "nope", "system.cpux", "system.", "disk.space:", "disk.space", "program.memory:",
                          "program.rss:web", "cpu"}) {
    EXPECT_FALSE(IsMetricName(bad)) << bad;
  }
}

TEST(MetricNamesTest, AViewGivesTheSamplesOfThePartsAskedFor) {
  api::TopView view;
  view.system.cpus = 4;
  view.system.load1 = 2;
  view.system.memory_pressure = 3.5;
  api::DiskUsage root;
  root.mount_point = "/";
  root.used_percent = 40;
  root.inodes_used_percent = 5;
  api::DiskUsage hung;
  hung.mount_point = "/mnt/nfs";
  hung.error = "not answering after 2s";
  view.disks = {root, hung};
  api::ProgramUsage db;
  db.name = "db";
  db.pid = 7;
  db.memory_bytes = 1024;
  view.programs = {db};

  config::HistorySpec disks_only;
  disks_only.disks = true;
  EXPECT_EQ(HistorySamples(view, disks_only), (std::vector<NamedSample>{{"disk.space:/", 40}, {"disk.inodes:/", 5}}));
  config::HistorySpec all = disks_only;
  all.system = all.programs = true;
  std::map<std::string, double> by_name;
  for (const NamedSample& s : HistorySamples(view, all)) by_name[s.name] = s.value;
  EXPECT_EQ(by_name.size(), 4u + 1u + 2u + 4u);  // system, memory pressure, one disk, one program
  EXPECT_EQ(by_name["system.load"], 0.5);
  EXPECT_EQ(by_name["system.pressure.memory"], 3.5);
  EXPECT_EQ(by_name["program.memory:db"], 1024);
  EXPECT_EQ(by_name.count("disk.space:/mnt/nfs"), 0u);
}

}  // namespace
}  // namespace vigil::daemon
