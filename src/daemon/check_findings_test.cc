// SPDX-License-Identifier: MIT
// The top processes in a check's raise finding, on a fake /proc and a fake clock: listed
// by CPU once measured (the finding is held till then), by memory at once, and a raise
// still held when its check changes, is reloaded away or ends is recorded at once and never
// called back later.
#include <gtest/gtest.h>
#include <unistd.h>

#include <memory>

#include "daemon/check_service_test_util.h"
#include "daemon/history.h"

namespace vigil::daemon {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::CritAbove;

config::CheckAction TopAction() {
  config::CheckAction a;
  a.verb = config::CheckVerb::kTop;
  a.text = "top";
  return a;
}

class CheckFindingsTest : public testing::CheckServiceTestBase {
 protected:
  void SetUp() override {
    CheckServiceTestBase::SetUp();
    AddProcess(88, "python3", 500, 50);
    AddProcess(1234, "ffmpeg", 1000, 100);
    AddProcess(7, "sleepy", 20, 10);
    service_ = std::make_unique<CheckService>(Ports(&findings_));
  }

  // The machine's CPUs spend 1000 more ticks, `busy_percent` of them busy: the share the
  // next sample measures.
  void Work(int busy_percent) {
    cpu_.user += static_cast<uint64_t>(busy_percent) * 10;
    cpu_.idle += static_cast<uint64_t>(100 - busy_percent) * 10;
    proc_.SetCpu(cpu_, 2);
  }
  // A process with `ticks` of CPU used so far and `rss_pages` resident.
  void AddProcess(int pid, const std::string& comm, uint64_t ticks, uint64_t rss_pages) {
    metrics::testing::FakeProcess p;
    p.pid = pid;
    p.pgrp = pid;
    p.comm = comm;
    p.utime_ticks = ticks;
    p.rss_pages = rss_pages;
    proc_.AddProcess(p);
    proc_.Write(std::to_string(pid) + "/status", "Name:\t" + comm + "\nUid:\t0\t0\t0\t0\n");
    proc_.Write(std::to_string(pid) + "/cmdline", comm + std::string(1, '\0'));
  }
  // ffmpeg and python3 use 171% and 12% of a CPU over the next second.
  void ProcessesWork() {
    const uint64_t hz = static_cast<uint64_t>(::sysconf(_SC_CLK_TCK));
    AddProcess(1234, "ffmpeg", 1000 + 171 * hz / 100, 100);
    AddProcess(88, "python3", 500 + 12 * hz / 100, 50);
  }
  // Newest first.
  std::vector<api::FindingInfo> Findings() {
    history_.store()->Flush();
    auto list = findings_.List({});
    EXPECT_TRUE(list) << list.error().message();
    return list ? *list : std::vector<api::FindingInfo>{};
  }
  std::string StateOf(const std::string& name) { return testing::StateOf(*service_, name); }
  size_t Count(const std::string& text, const std::string& what) {
    size_t n = 0;
    for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
  }
  // A CPU check (crit 90%) that has just gone CRIT: its raise is held for the listing.
  void CpuGoesCritical(config::CheckSpec spec) {
    service_->Apply({spec});  // the first reading
    Work(95);
    clock_.Advance(seconds(1));  // the first sample
    ASSERT_EQ(StateOf(spec.name), "CRIT");
  }

  History history_{loop_, temp_.path() / "vigil.db", std::chrono::hours(24)};
  FindingJournal findings_{loop_, history_, temp_.path() / "findings.log"};
  std::unique_ptr<CheckService> service_;
  // The fake /proc's CPU times as the base's SetUp wrote them, for Work() to add to.
  metrics::CpuTimes cpu_{.user = 100, .idle = 900};
};

TEST_F(CheckFindingsTest, ACpuRaiseListsTheBusiestProcessesOnceMeasured) {
  const config::CheckSpec cpu = CritAbove("cpu", config::CheckMetric::kCpu, 90);
  CpuGoesCritical(cpu);
  EXPECT_TRUE(Findings().empty()) << "held until the CPU of each process is measured";
  ProcessesWork();
  clock_.Advance(CheckActor::kTopWindow);
  std::vector<api::FindingInfo> list = Findings();
  ASSERT_EQ(list.size(), 1u);
  const api::FindingInfo raise = list[0];
  EXPECT_EQ(raise.severity, "crit");
  EXPECT_EQ(raise.category, "check");
  EXPECT_EQ(raise.text,
            "CPU at 95.0% (critical at 90.0%). Top: ffmpeg[1234] 171%, python3[88] 12%. Look for a runaway "
            "process: vigil top.");

  Work(0);
  clock_.Advance(seconds(10));
  ASSERT_EQ(StateOf("cpu"), "OK");
  list = Findings();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].raise_id, raise.id);
  EXPECT_EQ(list[0].text.rfind("Back to OK: CPU at ", 0), 0u) << list[0].text;
}

TEST_F(CheckFindingsTest, AMemoryRaiseListsTheLargestProcessesAtOnce) {
  SetMemoryUsed(95);
  service_->Apply({CritAbove("memory", config::CheckMetric::kMemory, 90)});
  clock_.Advance(seconds(0));
  const std::vector<api::FindingInfo> list = Findings();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].text,
            "memory used at 95.0% (critical at 90.0%). Top: ffmpeg[1234] 400 KB, python3[88] 200 KB, "
            "sleepy[7] 40 KB. See what uses the memory: vigil top.");
  EXPECT_EQ(clock_.pending(), 1u) << "only the checks' timer: no listing waits";
}

TEST_F(CheckFindingsTest, AProgramsMetricListsNothingWithoutATopAction) {
  controller_.programs = {api::ProgramInfo{}};
  controller_.programs[0].name = "web";
  controller_.programs[0].state = "RUNNING";
  controller_.programs[0].pid = 1234;
  controller_.programs[0].uptime_ms = 3'600'000;
  config::CheckSpec memory = CritAbove("web-memory", config::CheckMetric::kMemory, 1000);
  memory.program = "web";
  service_->Apply({memory});
  clock_.Advance(seconds(0));
  const std::vector<api::FindingInfo> list = Findings();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].text.find("Top"), std::string::npos) << list[0].text;
}

// A check with a `top` action: the raise lists both, the action's result is an event, and
// the journal has one finding, not a second one with the same list.
TEST_F(CheckFindingsTest, ATopActionsListingGoesIntoTheRaise) {
  config::CheckSpec spec = testing::ProcessCheck("ff", "ffmpeg", 0);
  spec.actions.Mut().on_crit = {TopAction()};
  service_->Apply({spec});
  clock_.Advance(seconds(0));
  ASSERT_EQ(StateOf("ff"), "CRIT");
  EXPECT_TRUE(Findings().empty());
  ProcessesWork();
  clock_.Advance(CheckActor::kTopWindow);
  const std::vector<api::FindingInfo> list = Findings();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].text,
            "1 matching process (at most 0 expected). Top by CPU: ffmpeg[1234] 171%, python3[88] 12%; by memory: "
            "ffmpeg[1234] 400 KB, python3[88] 200 KB, sleepy[7] 40 KB. See the processes: vigil top.");
  const std::string log = EventLogText();
  EXPECT_NE(log.find("ff: top on CRIT: 1 matching process"), std::string::npos) << log;
  EXPECT_NE(log.find("ff: top by CPU: ffmpeg[1234] 171%, python3[88] 12%; by memory: ffmpeg[1234] 400 KB"),
            std::string::npos)
      << log;
  EXPECT_EQ(Count(log, "top by CPU"), 1u) << log;
}

// A `top` action again (the check stays bad) is the actor's, with its own finding.
TEST_F(CheckFindingsTest, ATopActionAgainIsAnActionFinding) {
  config::CheckSpec spec = CritAbove("cpu", config::CheckMetric::kCpu, 90);
  spec.actions.Mut().on_crit = {TopAction()};
  CpuGoesCritical(spec);
  clock_.Advance(CheckActor::kTopWindow);
  ASSERT_EQ(Findings().size(), 1u);
  Work(95);                     // still busy
  clock_.Advance(seconds(10));  // again
  clock_.Advance(CheckActor::kTopWindow);
  const std::vector<api::FindingInfo> list = Findings();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].category, "action");
  EXPECT_EQ(list[0].text.rfind("top by CPU: ", 0), 0u) << list[0].text;
}

// Regression guard for the held raise: a recovery during the wait records the raise first
// (without CPU shares, which need the second listing), then the recovery that ends it; the
// listing's timer is gone with it, and the announced `top` action still lists, on its own.
TEST_F(CheckFindingsTest, ARecoveryDuringTheWaitEndsTheRaiseRecordedFirst) {
  config::CheckSpec memory = CritAbove("memory", config::CheckMetric::kMemory, 90);
  memory.every = milliseconds(500);
  memory.actions.Mut().on_crit = {TopAction()};
  SetMemoryUsed(95);
  service_->Apply({memory});
  clock_.Advance(seconds(0));
  ASSERT_EQ(StateOf("memory"), "CRIT");
  EXPECT_TRUE(Findings().empty()) << "held for the top action's CPU shares";
  SetMemoryUsed(50);
  clock_.Advance(milliseconds(500));
  ASSERT_EQ(StateOf("memory"), "OK");
  std::vector<api::FindingInfo> list = Findings();
  ASSERT_EQ(list.size(), 2u);
  const api::FindingInfo& raise = list[1];
  EXPECT_EQ(raise.severity, "crit");
  EXPECT_EQ(raise.text,
            "memory used at 95.0% (critical at 90.0%). Top: ffmpeg[1234] 400 KB, python3[88] 200 KB, "
            "sleepy[7] 40 KB. See what uses the memory: vigil top.");
  EXPECT_EQ(list[0].raise_id, raise.id);
  EXPECT_EQ(list[0].text.rfind("Back to OK: memory used at 50.0%", 0), 0u) << list[0].text;

  clock_.Advance(seconds(2));  // past the held listing's time, and the actor's own
  list = Findings();
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[0].category, "action");
  EXPECT_NE(list[0].text.find("top by CPU: "), std::string::npos) << list[0].text;
  EXPECT_EQ(Count(EventLogText(), "memory: top by CPU"), 1u) << EventLogText();
}

TEST_F(CheckFindingsTest, AWorseLevelDuringTheWaitEndsTheHeldRaise) {
  config::CheckSpec cpu = CritAbove("cpu", config::CheckMetric::kCpu, 90);
  cpu.warn = 80;
  cpu.every = milliseconds(750);  // samples at 1 s (the first), 1.5 s, 2.25 s, ...
  service_->Apply({cpu});
  Work(85);
  clock_.Advance(seconds(1));
  ASSERT_EQ(StateOf("cpu"), "WARN");
  Work(100);
  clock_.Advance(milliseconds(500));
  ASSERT_EQ(StateOf("cpu"), "CRIT");
  std::vector<api::FindingInfo> list = Findings();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].severity, "warn");
  EXPECT_EQ(list[0].text, "CPU at 85.0% (warning at 80.0%). Look for a runaway process: vigil top.");
  Work(100);                               // the sample at 2.25 s stays CRIT
  clock_.Advance(CheckActor::kTopWindow);  // the listing, at 2.5 s
  ASSERT_EQ(StateOf("cpu"), "CRIT");
  list = Findings();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].severity, "crit");
  EXPECT_EQ(list[0].raise_id, list[1].id);
}

// An action that is done before the raise it answers has its top processes (a task run,
// here at once) is journalled after the raise: the journal reads cause, then effect. The run
// is the check's, not a person's.
TEST_F(CheckFindingsTest, AnActionDoneWhileTheRaiseWaitsIsJournalledAfterIt) {
  api::TaskInfo cleanup;
  cleanup.name = "cleanup";
  controller_.tasks = {cleanup};
  config::CheckAction run;
  run.verb = config::CheckVerb::kRun;
  run.task = "cleanup";
  run.text = "run cleanup";
  config::CheckSpec cpu = CritAbove("cpu", config::CheckMetric::kCpu, 90);
  cpu.actions.Mut().on_crit = {TopAction(), run};
  CpuGoesCritical(cpu);
  ASSERT_EQ(controller_.run_calls.size(), 1u);
  EXPECT_EQ(controller_.run_calls[0].by, api::RunBy::kCheck);
  EXPECT_TRUE(Findings().empty()) << "the run's result waits for the raise";
  clock_.Advance(CheckActor::kTopWindow);
  const std::vector<api::FindingInfo> list = Findings();  // newest first
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[1].severity, "crit");
  EXPECT_EQ(list[0].category, "action");
  EXPECT_EQ(list[0].text.rfind("run cleanup: run 1 ended", 0), 0u) << list[0].text;
  EXPECT_GT(list[0].id, list[1].id);
}

// A reload that drops the check (removed, or changed so it starts over) records its held
// raise at once, and nothing calls into the check afterwards; an unchanged check keeps it.
TEST_F(CheckFindingsTest, AReloadDuringTheWait) {
  const config::CheckSpec cpu = CritAbove("cpu", config::CheckMetric::kCpu, 90);
  CpuGoesCritical(cpu);
  service_->Apply({cpu});  // unchanged: still waiting
  EXPECT_TRUE(Findings().empty());
  ProcessesWork();
  clock_.Advance(CheckActor::kTopWindow);
  ASSERT_EQ(Findings().size(), 1u);
  EXPECT_NE(Findings()[0].text.find("Top: ffmpeg[1234] 171%"), std::string::npos);

  config::CheckSpec other = cpu;
  other.name = "cpu2";
  service_->Apply({other});
  Work(95);
  clock_.Advance(seconds(1));
  ASSERT_EQ(StateOf("cpu2"), "CRIT");
  service_->Apply({});  // removed while its raise waits
  std::vector<api::FindingInfo> list = Findings();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].subject, "cpu2");
  EXPECT_EQ(list[0].text, "CPU at 95.0% (critical at 90.0%). Look for a runaway process: vigil top.");
  EXPECT_EQ(clock_.pending(), 0u) << "no check, no listing: nothing left to fire";
  clock_.Advance(seconds(5));
  EXPECT_EQ(Findings().size(), 2u);
}

TEST_F(CheckFindingsTest, TheServiceEndingDuringTheWaitRecordsTheRaise) {
  CpuGoesCritical(CritAbove("cpu", config::CheckMetric::kCpu, 90));
  service_.reset();
  EXPECT_EQ(clock_.pending(), 0u);
  clock_.Advance(seconds(5));
  const std::vector<api::FindingInfo> list = Findings();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].severity, "crit");
}

// TopByCpu and TopByMemory: ordered, limited, and quiet about idle processes.
TEST(TopListingTest, BusiestFirstIdleLeftOut) {
  std::vector<ProcessLoad> loads = {
      {1, "a", 0.4, 10}, {2, "b", 50, 0}, {3, "c", 171, 2048}, {4, "d", 12, 1 << 30}, {5, "e", 1, 5}};
  EXPECT_EQ(TopByCpu(loads, 3), "c[3] 171%, b[2] 50%, d[4] 12%");
  EXPECT_EQ(TopByCpu(loads, 10), "c[3] 171%, b[2] 50%, d[4] 12%, e[5] 1%");
  EXPECT_EQ(TopByMemory(loads, 2), "d[4] 1 GB, c[3] 2 KB");
  EXPECT_EQ(TopByMemory(loads, 10), "d[4] 1 GB, c[3] 2 KB, a[1] 10 bytes, e[5] 5 bytes");
  EXPECT_EQ(TopByCpu({{1, "a", 0, 10}}, 3), "");
  EXPECT_EQ(TopByMemory({{1, "a", 0, 0}}, 3), "");
}

TEST(TopListingTest, AReusedPidStartsFromZero) {
  metrics::ProcessEntry before;
  before.pid = 9;
  before.comm = "old";
  before.cpu_ticks = 100;
  before.start_time_ticks = 5;
  metrics::ProcessEntry after = before;
  after.comm = "new";
  after.cpu_ticks = 500;
  after.start_time_ticks = 6;
  metrics::ProcessEntry zombie = before;
  zombie.pid = 10;
  zombie.zombie = true;
  const auto loads = ProcessLoads({before}, {after, zombie}, seconds(1), 100);
  ASSERT_EQ(loads.size(), 1u);
  EXPECT_EQ(loads[0].comm, "new");
  EXPECT_EQ(loads[0].cpu_percent, 0);
  after.start_time_ticks = 5;
  EXPECT_EQ(ProcessLoads({before}, {after}, seconds(2), 100)[0].cpu_percent, 200);
}

}  // namespace
}  // namespace vigil::daemon
