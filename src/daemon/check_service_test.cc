// SPDX-License-Identifier: MIT
// CheckService on a fake /proc, a fake clock and a fake statvfs: the one timer, the rules
// applied to real samples, and the events it writes.
#include "daemon/check_service.h"

#include <gtest/gtest.h>

#include <fstream>

#include "daemon/check_service_test_util.h"
#include "daemon/history.h"

namespace vigil::daemon {
namespace {

using std::chrono::seconds;

config::CheckSpec Memory(const std::string& name, double warn) {
  return testing::WarnAbove(name, config::CheckMetric::kMemory, warn);
}

class CheckServiceTest : public testing::CheckServiceTestBase {
 protected:
  std::string StateOf(const std::string& name) { return testing::StateOf(checks_, name); }

  CheckService checks_{Ports()};
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

config::CheckAction RestartWeb() {
  config::CheckAction a;
  a.verb = config::CheckVerb::kRestart;
  a.programs = {"web"};
  a.text = "restart web";
  return a;
}

api::ProgramInfo Web(const std::string& state, int64_t uptime_ms) {
  api::ProgramInfo p;
  p.name = "web";
  p.state = state;
  p.pid = state == "RUNNING" ? 4242 : 0;
  p.uptime_ms = uptime_ms;
  return p;
}

size_t Restarts(const api::FakeController& c) {
  size_t n = 0;
  for (const auto& a : c.actions) n += a.verb == "restart" ? 1 : 0;
  return n;
}

TEST_F(CheckServiceTest, ActsOnEnteringAndAgainOnFreshEvidenceUntilTheLimit) {
  controller_.programs = {Web("RUNNING", 3'600'000)};
  config::CheckSpec spec = Memory("mem", 80);
  spec.crit = 90;
  spec.warn.reset();
  spec.actions.Mut().on_crit = {RestartWeb()};
  spec.actions.Mut().limit = 2;
  spec.actions.Mut().limit_window = std::chrono::hours(1);
  SetMemoryUsed(95);
  checks_.Apply({spec});
  clock_.Advance(seconds(0));
  EXPECT_EQ(StateOf("mem"), "CRIT");
  EXPECT_EQ(Restarts(controller_), 1u);
  clock_.Advance(seconds(10));  // still bad on a new sample: again
  EXPECT_EQ(Restarts(controller_), 2u);
  clock_.Advance(seconds(10));  // the limit: gives up, says so once
  clock_.Advance(seconds(10));
  EXPECT_EQ(Restarts(controller_), 2u);
  EXPECT_TRUE(checks_.Checks()[0].gave_up);
  SetMemoryUsed(50);
  clock_.Advance(seconds(10));
  EXPECT_EQ(StateOf("mem"), "OK");
  EXPECT_FALSE(checks_.Checks()[0].gave_up);
  SetMemoryUsed(95);
  clock_.Advance(seconds(10));  // acting again after an OK
  EXPECT_EQ(Restarts(controller_), 3u);
  const std::string log = EventLogText();
  EXPECT_NE(log.find("mem: restart web on CRIT: memory used at 95.0% (critical at 90.0%)"), std::string::npos) << log;
  EXPECT_NE(log.find("mem: restart web again on CRIT"), std::string::npos) << log;
  EXPECT_NE(log.find("mem: restart web: web pid 4242 -> 4242"), std::string::npos) << log;
  const size_t first = log.find("giving up: 2 actions within 1h did not help");
  EXPECT_NE(first, std::string::npos) << log;
  EXPECT_EQ(log.find("giving up", first + 1), std::string::npos) << "said once";
}

TEST_F(CheckServiceTest, ACooldownSpacesTheActions) {
  controller_.programs = {Web("RUNNING", 3'600'000)};
  config::CheckSpec spec = Memory("mem", 80);
  spec.actions.Mut().on_warn = {RestartWeb()};
  spec.actions.Mut().cooldown = seconds(25);
  SetMemoryUsed(85);
  checks_.Apply({spec});
  clock_.Advance(seconds(0));
  EXPECT_EQ(Restarts(controller_), 1u);
  clock_.Advance(seconds(10));
  clock_.Advance(seconds(10));
  EXPECT_EQ(Restarts(controller_), 1u);
  clock_.Advance(seconds(10));  // 30s after the first
  EXPECT_EQ(Restarts(controller_), 2u);
}

TEST_F(CheckServiceTest, ARecoveryActionAnswersARaiseOnly) {
  controller_.programs = {Web("RUNNING", 3'600'000)};
  config::CheckSpec spec = Memory("mem", 80);
  spec.actions.Mut().on_recovery = {RestartWeb()};
  checks_.Apply({spec});
  clock_.Advance(seconds(0));  // PENDING -> OK: no recovery
  EXPECT_EQ(StateOf("mem"), "OK");
  EXPECT_EQ(Restarts(controller_), 0u);
  SetMemoryUsed(85);
  clock_.Advance(seconds(10));
  SetMemoryUsed(50);
  clock_.Advance(seconds(10));
  EXPECT_EQ(StateOf("mem"), "OK");
  EXPECT_EQ(Restarts(controller_), 1u);
}

TEST_F(CheckServiceTest, AProgramsCheckWaitsForItToRunAndForItsGrace) {
  const std::filesystem::path stamp = temp_.path() / "stamp";
  std::ofstream(stamp) << "x";
  config::CheckSpec spec;
  spec.name = "stamp";
  spec.kind = config::CheckKind::kFile;
  spec.path = stamp;
  spec.program = "web";
  spec.grace = seconds(30);
  spec.every = seconds(10);
  controller_.programs = {Web("STARTING", -1)};
  checks_.Apply({spec});
  clock_.Advance(seconds(0));
  EXPECT_EQ(StateOf("stamp"), "PENDING");
  controller_.programs = {Web("RUNNING", 10'000)};
  clock_.Advance(seconds(10));
  EXPECT_EQ(StateOf("stamp"), "PENDING");
  EXPECT_EQ(checks_.Checks()[0].message, "web started 10s ago; checks begin after 30s of grace");
  controller_.programs = {Web("RUNNING", 40'000)};
  clock_.Advance(seconds(10));
  EXPECT_EQ(StateOf("stamp"), "OK");
  controller_.programs = {Web("BACKOFF", -1)};  // restarting: the state stays
  clock_.Advance(seconds(10));
  EXPECT_EQ(StateOf("stamp"), "OK");
  controller_.programs = {Web("STOPPED", -1)};  // down for good: nothing to judge
  clock_.Advance(seconds(10));
  EXPECT_EQ(StateOf("stamp"), "PENDING");
  EXPECT_EQ(checks_.Checks()[0].message, "web is not running (STOPPED)");
  EXPECT_NE(EventLogText().find("stamp: OK -> PENDING: web is not running (STOPPED)"), std::string::npos);
}

// Found by the health benchmark: checks that began at different moments (a program's check
// once its program runs, a CPU check a second after its first reading) kept their phases
// forever, so vigild woke two or three times per interval instead of once.
TEST_F(CheckServiceTest, ChecksThatBeganApartShareOneWakeUpPerInterval) {
  const std::filesystem::path stamp = temp_.path() / "stamp";
  std::ofstream(stamp) << "x";
  config::CheckSpec file;
  file.name = "stamp";
  file.kind = config::CheckKind::kFile;
  file.path = stamp;
  file.program = "web";
  file.every = seconds(10);
  config::CheckSpec cpu = Memory("cpu", 80);
  cpu.metric = config::CheckMetric::kCpu;
  controller_.programs = {Web("STARTING", -1)};
  checks_.Apply({Memory("mem", 80), cpu, file});
  clock_.Advance(seconds(3));
  controller_.programs = {Web("RUNNING", 3'000)};
  clock_.Advance(seconds(27));  // every check has sampled by now
  EXPECT_EQ(StateOf("stamp"), "OK");
  EXPECT_EQ(StateOf("cpu"), "OK");
  int wake_ups = 0;
  const base::WallTime end = clock_.Now() + seconds(60);
  while (clock_.next_due() && *clock_.next_due() <= end) {
    clock_.Advance(std::chrono::duration_cast<base::Duration>(*clock_.next_due() - clock_.Now()));
    ++wake_ups;
  }
  EXPECT_EQ(wake_ups, 6);  // one per 10 s interval
}

TEST_F(CheckServiceTest, AProcessCheckFindsWhatItMatches) {
  metrics::testing::FakeProcess p;
  p.pid = 77;
  p.comm = "ffmpeg";
  proc_.AddProcess(p);
  proc_.Write("77/cmdline", std::string("ffmpeg\0-i\0in.mkv\0", 17));
  proc_.Write("77/status", "Name:\tffmpeg\nUid:\t0\t0\t0\t0\n");
  const config::CheckSpec spec = testing::ProcessCheck("ff", "ffmpeg", 0);
  checks_.Apply({spec});
  clock_.Advance(seconds(0));
  EXPECT_EQ(StateOf("ff"), "CRIT");
  EXPECT_EQ(checks_.Checks()[0].message, "1 matching process (at most 0 expected)");
}

TEST_F(CheckServiceTest, ARaiseAndItsRecoveryAreFindings) {
  History history(loop_, temp_.path() / "vigil.db", std::chrono::hours(24));
  FindingJournal findings(loop_, history, temp_.path() / "findings.log");
  CheckService checks(Ports(&findings));
  config::CheckSpec spec = Memory("mem", 80);
  SetMemoryUsed(85);
  checks.Apply({spec});
  clock_.Advance(seconds(0));
  SetMemoryUsed(50);
  clock_.Advance(seconds(10));
  history.store()->Flush();
  auto list = findings.List({});
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 2u);
  const api::FindingInfo& raise = (*list)[1];
  EXPECT_EQ(raise.severity, "warn");
  EXPECT_EQ(raise.text, "memory used at 85.0% (warning at 80.0%). See what uses the memory: vigil top.");
  const api::FindingInfo& recovery = (*list)[0];
  EXPECT_EQ(recovery.severity, "info");
  EXPECT_EQ(recovery.raise_id, raise.id);
  EXPECT_EQ(recovery.text, "Back to OK: memory used at 50.0%, after 10s WARN.");
}

}  // namespace
}  // namespace vigil::daemon
