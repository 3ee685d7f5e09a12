// SPDX-License-Identifier: MIT
// CommandProber against real processes (/bin/sh scripts and, when installed, Debian's
// monitoring-plugins), plus the fake launcher for what real processes cannot show exactly
// (the signals sent on cancel), and CommandOutcome's mapping on its own.
#include "probe/command_probe.h"

#include <gtest/gtest.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "fakes/fake_clock.h"
#include "fakes/fake_launcher.h"
#include "process/launcher.h"
#include "util/temp_dir.h"

namespace vigil::probe {
namespace {

using health::Level;
using namespace std::chrono_literals;

constexpr char kPlugins[] = "/usr/lib/nagios/plugins";

bool ProcessGone(pid_t pid) { return ::kill(pid, 0) != 0 && errno == ESRCH; }

// Runs the real loop until `done` or a real-time deadline; a short tick wakes the loop so
// that conditions outside it (a file, a process) are seen too. Never a fixed sleep.
bool RunUntil(event::Loop& loop, const std::function<bool()>& done, base::Duration deadline = 10s) {
  bool expired = false;
  auto timer = loop.AddTimer(deadline, [&] { expired = true; });
  while (!done() && !expired) {
    auto tick = loop.AddTimer(5ms, [] {});
    loop.RunOne();
  }
  return done();
}

class CommandProbeTest : public ::testing::Test {
 protected:
  // As vigild is: orphaned members of a check's group are re-parented here and reaped by
  // the launcher, so a killed leftover really disappears.
  void SetUp() override { ASSERT_EQ(::prctl(PR_SET_CHILD_SUBREAPER, 1), 0); }

  static CommandProbeSpec Shell(const std::string& script) {
    CommandProbeSpec spec;
    spec.argv = {"/bin/sh", "-c", script};
    return spec;
  }

  bool RunUntil(const std::function<bool()>& done) { return probe::RunUntil(loop_, done); }

  // Probes `spec` and waits for its outcome.
  Outcome ProbeAndWait(const CommandProbeSpec& spec) {
    std::optional<Outcome> outcome;
    auto handle = prober_.Probe(spec, [&](Outcome o) { outcome = std::move(o); });
    EXPECT_TRUE(RunUntil([&] { return outcome.has_value(); })) << "no outcome for " << spec.argv.back();
    return outcome.value_or(Outcome{Level::kPending, "no outcome", std::nullopt});
  }

  event::Loop loop_;
  process::LinuxLauncher launcher_{loop_};  // the one ChildReaper of this process
  event::LoopClock clock_{loop_};
  CommandProber prober_{launcher_, clock_, loop_};
};

TEST_F(CommandProbeTest, ExitCodesZeroToThreeAreTheLevels) {
  const struct {
    int code;
    Level level;
    const char* line;
  } rows[] = {
      {0, Level::kOk, "OK - all good"},
      {1, Level::kWarn, "WARNING - load 5.1"},
      {2, Level::kCrit, "CRITICAL - disk full"},
      {3, Level::kUnknown, "UNKNOWN - cannot tell"},
  };
  for (const auto& row : rows) {
    Outcome o = ProbeAndWait(Shell("echo '" + std::string(row.line) + "'; exit " + std::to_string(row.code)));
    EXPECT_EQ(o.level, row.level) << row.code;
    EXPECT_EQ(o.message, row.line) << row.code;
    EXPECT_FALSE(o.value.has_value());
  }
}

TEST_F(CommandProbeTest, OtherExitCodeIsUnknownWithTheCode) {
  Outcome o = ProbeAndWait(Shell("echo 'something broke'; exit 7"));
  EXPECT_EQ(o.level, Level::kUnknown);
  EXPECT_EQ(o.message, "exit 7: something broke");
}

TEST_F(CommandProbeTest, PerfdataIsStrippedFromTheFirstLine) {
  Outcome o = ProbeAndWait(Shell("echo 'DISK OK - free space: / 3326 MB   | /=2643MB;;;0;5969'; exit 0"));
  EXPECT_EQ(o.level, Level::kOk);
  EXPECT_EQ(o.message, "DISK OK - free space: / 3326 MB");
}

TEST_F(CommandProbeTest, OnlyTheFirstLineIsTheMessage) {
  Outcome o = ProbeAndWait(Shell("printf 'WARNING - 2 of 5 down | up=3\\nweb1 down\\nweb4 down | more=1\\n'; exit 1"));
  EXPECT_EQ(o.level, Level::kWarn);
  EXPECT_EQ(o.message, "WARNING - 2 of 5 down");
}

TEST_F(CommandProbeTest, NoOutputSaysSo) {
  Outcome ok = ProbeAndWait(Shell("exit 0"));
  EXPECT_EQ(ok.level, Level::kOk);
  EXPECT_EQ(ok.message, "exit 0, no output");
  Outcome crit = ProbeAndWait(Shell("exit 2"));
  EXPECT_EQ(crit.level, Level::kCrit);
  EXPECT_EQ(crit.message, "exit 2, no output");
}

TEST_F(CommandProbeTest, StderrDoesNotDisplaceTheStatusLine) {
  Outcome o = ProbeAndWait(Shell("echo 'deprecated option' >&2; echo 'OK - fine'"));
  EXPECT_EQ(o.level, Level::kOk);
  EXPECT_EQ(o.message, "OK - fine");
}

TEST_F(CommandProbeTest, StderrStandsInWhenStdoutIsEmpty) {
  Outcome o = ProbeAndWait(Shell("echo 'cannot connect' >&2; exit 2"));
  EXPECT_EQ(o.level, Level::kCrit);
  EXPECT_EQ(o.message, "cannot connect");
}

TEST_F(CommandProbeTest, KilledBySignalIsUnknown) {
  Outcome o = ProbeAndWait(Shell("ulimit -c 0; echo 'OK so far'; kill -SEGV $$"));
  EXPECT_EQ(o.level, Level::kUnknown);
  EXPECT_EQ(o.message, "killed by SIGSEGV");
}

TEST_F(CommandProbeTest, CommandNotFoundCannotRun) {
  std::optional<Outcome> outcome;
  CommandProbeSpec spec;
  spec.argv = {"no-such-check-command"};
  auto handle = prober_.Probe(spec, [&](Outcome o) { outcome = std::move(o); });
  EXPECT_FALSE(outcome.has_value()) << "done must not be called from inside Probe()";
  ASSERT_TRUE(RunUntil([&] { return outcome.has_value(); }));
  EXPECT_EQ(outcome->level, Level::kUnknown);
  EXPECT_EQ(outcome->message.rfind("cannot run: command not found: no-such-check-command", 0), 0u) << outcome->message;
}

TEST_F(CommandProbeTest, BadDirectoryCannotRun) {
  CommandProbeSpec spec = Shell("echo OK");
  spec.directory = "/nonexistent/dir";
  Outcome o = ProbeAndWait(spec);
  EXPECT_EQ(o.level, Level::kUnknown);
  EXPECT_EQ(o.message.rfind("cannot run: ", 0), 0u) << o.message;
  EXPECT_NE(o.message.find("/nonexistent/dir"), std::string::npos) << o.message;
}

TEST_F(CommandProbeTest, RunsInTheDirectoryWithTheEnvironment) {
  testing::TempDir dir;
  CommandProbeSpec spec = Shell("echo \"OK $(pwd) $CHECK_TARGET\"");
  spec.directory = dir.path().string();
  spec.environment = {{"CHECK_TARGET", "db1"}};
  Outcome o = ProbeAndWait(spec);
  EXPECT_EQ(o.level, Level::kOk);
  EXPECT_EQ(o.message, "OK " + std::filesystem::canonical(dir.path()).string() + " db1");
}

// A plugin writing far more than a pipe holds must not block on it: the excess is read
// and dropped.
TEST_F(CommandProbeTest, LargeOutputDoesNotBlockThePlugin) {
  Outcome o = ProbeAndWait(Shell("echo 'OK big'; head -c 3000000 /dev/zero; head -c 3000000 /dev/zero >&2"));
  EXPECT_EQ(o.level, Level::kOk);
  EXPECT_EQ(o.message, "OK big");
}

TEST_F(CommandProbeTest, ALongFirstLineIsCutAtTheLimit) {
  Outcome o = ProbeAndWait(Shell("head -c 20000 /dev/zero | tr '\\0' x; echo"));
  EXPECT_EQ(o.level, Level::kOk);
  EXPECT_EQ(o.message, std::string(CommandProber::kMaxOutputBytes, 'x'));
}

TEST_F(CommandProbeTest, TimeoutKillsTheGroupAndIsCritical) {
  testing::TempDir dir;
  const std::string pid_file = (dir / "pid").string();
  CommandProbeSpec spec = Shell("sleep 100 & echo $! > " + pid_file + "; sleep 100");
  spec.timeout = 2s;  // time enough for the shell to write the pid file, even under load
  Outcome o = ProbeAndWait(spec);
  EXPECT_EQ(o.level, Level::kCrit);
  EXPECT_EQ(o.message, "no answer within 2s");
  pid_t leftover = 0;
  std::ifstream(pid_file) >> leftover;
  ASSERT_GT(leftover, 0);
  EXPECT_TRUE(RunUntil([&] { return ProcessGone(leftover); })) << "the group's other sleep lives on";
}

// Nagios core's default timeout, and the message for it, on the fake clock.
TEST_F(CommandProbeTest, DefaultTimeoutIsTenSeconds) {
  event::FakeClock fake_clock(std::chrono::system_clock::now());
  CommandProber prober(launcher_, fake_clock, loop_);
  std::optional<Outcome> outcome;
  auto handle = prober.Probe(Shell("sleep 100"), [&](Outcome o) { outcome = std::move(o); });
  fake_clock.Advance(9999ms);
  EXPECT_FALSE(outcome.has_value());
  fake_clock.Advance(1ms);
  ASSERT_TRUE(outcome.has_value());
  EXPECT_EQ(outcome->level, Level::kCrit);
  EXPECT_EQ(outcome->message, "no answer within 10s");
}

// The plugin exits but leaves a child in its group holding stdout: the answer comes at the
// exit, and the child is killed.
TEST_F(CommandProbeTest, BackgroundChildHoldingTheOutputDoesNotDelayTheAnswer) {
  CommandProbeSpec spec = Shell("sleep 100 & echo \"OK started $!\"; exit 0");
  spec.timeout = 60s;  // far beyond RunUntil's deadline: only the exit can answer in time
  Outcome o = ProbeAndWait(spec);
  EXPECT_EQ(o.level, Level::kOk);
  ASSERT_EQ(o.message.rfind("OK started ", 0), 0u) << o.message;
  const pid_t leftover = std::stoi(o.message.substr(11));
  EXPECT_TRUE(RunUntil([&] { return ProcessGone(leftover); })) << "the background sleep lives on";
}

// A child that left the group (setsid) cannot be killed with it and may hold the pipe for
// ever: the answer still comes at the plugin's exit.
TEST_F(CommandProbeTest, ChildThatLeftTheGroupDoesNotDelayTheAnswer) {
  CommandProbeSpec spec = Shell("setsid sleep 100 & echo \"WARNING escaped $!\"; exit 1");
  spec.timeout = 60s;
  Outcome o = ProbeAndWait(spec);
  EXPECT_EQ(o.level, Level::kWarn);
  ASSERT_EQ(o.message.rfind("WARNING escaped ", 0), 0u) << o.message;
  const pid_t escaped = std::stoi(o.message.substr(16));
  ::kill(escaped, SIGKILL);  // outside the prober's reach by design; the test cleans up
  EXPECT_TRUE(RunUntil([&] { return ProcessGone(escaped); }));
}

TEST_F(CommandProbeTest, DestroyingTheHandleKillsTheCheckAndNeverAnswers) {
  testing::TempDir dir;
  const std::string pid_file = (dir / "pid").string();
  bool called = false;
  auto handle =
      prober_.Probe(Shell("echo $$ > " + pid_file + ".tmp && mv " + pid_file + ".tmp " + pid_file + "; exec sleep 100"),
                    [&](Outcome) { called = true; });
  ASSERT_TRUE(RunUntil([&] { return std::filesystem::exists(pid_file); }));
  pid_t pid = 0;
  std::ifstream(pid_file) >> pid;
  ASSERT_GT(pid, 0);
  handle.reset();
  EXPECT_TRUE(RunUntil([&] { return ProcessGone(pid); })) << "the check lives on";
  loop_.Poll();
  EXPECT_FALSE(called);
}

TEST_F(CommandProbeTest, DestroyingTheHandleOfAFailedStartNeverAnswers) {
  bool called = false;
  CommandProbeSpec spec;
  spec.argv = {"no-such-check-command"};
  auto handle = prober_.Probe(spec, [&](Outcome) { called = true; });
  handle.reset();
  bool turned = false;
  auto later = loop_.AddTimer(20ms, [&] { turned = true; });
  ASSERT_TRUE(RunUntil([&] { return turned; }));
  EXPECT_FALSE(called);
}

TEST_F(CommandProbeTest, RealNagiosPluginOk) {
  const std::string plugin = std::string(kPlugins) + "/check_dummy";
  if (::access(plugin.c_str(), X_OK) != 0) GTEST_SKIP() << plugin << " is not installed (monitoring-plugins-basic)";
  CommandProbeSpec spec;
  spec.argv = {plugin, "0", "all fine"};
  Outcome o = ProbeAndWait(spec);
  EXPECT_EQ(o.level, Level::kOk);
  EXPECT_EQ(o.message, "OK: all fine");
}

TEST_F(CommandProbeTest, RealNagiosPluginCritical) {
  const std::string plugin = std::string(kPlugins) + "/check_dummy";
  if (::access(plugin.c_str(), X_OK) != 0) GTEST_SKIP() << plugin << " is not installed (monitoring-plugins-basic)";
  CommandProbeSpec spec;
  spec.argv = {plugin, "2", "bad"};
  Outcome o = ProbeAndWait(spec);
  EXPECT_EQ(o.level, Level::kCrit);
  EXPECT_EQ(o.message, "CRITICAL: bad");
}

// A plugin with perfdata: check_file_age prints "FILE_AGE OK: ... | age=...".
TEST_F(CommandProbeTest, RealNagiosPluginPerfdataIsStripped) {
  const std::string plugin = std::string(kPlugins) + "/check_file_age";
  if (::access(plugin.c_str(), X_OK) != 0) GTEST_SKIP() << plugin << " is not installed (monitoring-plugins-basic)";
  testing::TempDir dir;
  const std::string file = (dir / "heartbeat").string();
  std::ofstream(file) << "x";
  CommandProbeSpec spec;
  spec.argv = {plugin, "-w", "3600", "-c", "7200", "-f", file};
  Outcome o = ProbeAndWait(spec);
  EXPECT_EQ(o.level, Level::kOk) << o.message;
  EXPECT_EQ(o.message.find('|'), std::string::npos) << o.message;
  EXPECT_NE(o.message.find(file), std::string::npos) << o.message;
}

// --- the fake launcher: exactly what is sent ---

TEST(CommandProbeFakeTest, CancelKillsTheGroupAndAbandonsThePid) {
  event::Loop loop;
  process::FakeLauncher launcher(loop);
  event::FakeClock clock(std::chrono::system_clock::now());
  CommandProber prober(launcher, clock, loop);
  CommandProbeSpec spec;
  spec.argv = {"check_something"};
  bool called = false;
  auto handle = prober.Probe(spec, [&](Outcome) { called = true; });
  ASSERT_EQ(launcher.launches(), 1u);
  process::FakeLauncher::Process& p = launcher.Last();
  EXPECT_FALSE(p.request.merge_stderr);
  handle.reset();
  EXPECT_EQ(p.group_signals, std::vector<int>{SIGKILL});
  EXPECT_TRUE(p.abandoned);
  loop.Poll();
  clock.Advance(1h);
  EXPECT_FALSE(called);
  EXPECT_EQ(clock.pending(), 0u);
}

TEST(CommandProbeFakeTest, ExitKillsLeftoversAndAnswersOnALaterTurn) {
  event::Loop loop;
  process::FakeLauncher launcher(loop);
  event::FakeClock clock(std::chrono::system_clock::now());
  CommandProber prober(launcher, clock, loop);
  CommandProbeSpec spec;
  spec.argv = {"check_something"};
  std::optional<Outcome> outcome;
  launcher.leftovers_next = 1;
  auto handle = prober.Probe(spec, [&](Outcome o) { outcome = std::move(o); });
  process::FakeLauncher::Process& p = launcher.Last();
  ASSERT_EQ(::write(p.stdout_w.get(), "OK - fine\n", 10), 10);
  launcher.Exit(p.pid, 0, /*keep_pipes=*/true);  // the leftover still holds the pipe
  EXPECT_FALSE(outcome.has_value()) << "never from inside the launcher's callback";
  EXPECT_EQ(p.group_signals, std::vector<int>{SIGKILL});
  ASSERT_TRUE(RunUntil(loop, [&] { return outcome.has_value(); }));
  EXPECT_EQ(outcome->level, Level::kOk);
  EXPECT_EQ(outcome->message, "OK - fine");
  EXPECT_FALSE(p.abandoned) << "a reaped pid is not abandoned (it may be reused)";
  EXPECT_EQ(clock.pending(), 0u) << "the timeout is disarmed";
}

// --- CommandOutcome on its own ---

TEST(CommandOutcomeTest, TrimsCarriageReturnsAndSpaces) {
  Outcome o = CommandOutcome(0, "  OK - fine \r\nmore\r\n", "");
  EXPECT_EQ(o.level, Level::kOk);
  EXPECT_EQ(o.message, "OK - fine");
}

TEST(CommandOutcomeTest, ControlCharactersBecomeSpaces) {
  EXPECT_EQ(CommandOutcome(1 << 8, "WARN\tslow\x1b[0m", "").message, "WARN slow [0m");
}

TEST(CommandOutcomeTest, PerfdataOnlyIsNoOutput) {
  EXPECT_EQ(CommandOutcome(0, "| time=0.1s\n", "").message, "exit 0, no output");
}

TEST(CommandOutcomeTest, ExitBeyondThreeIsUnknown) {
  Outcome o = CommandOutcome(127 << 8, "", "sh: 1: check_x: not found\n");
  EXPECT_EQ(o.level, Level::kUnknown);
  EXPECT_EQ(o.message, "exit 127: sh: 1: check_x: not found");
  EXPECT_EQ(CommandOutcome(255 << 8, "", "").message, "exit 255, no output");
}

TEST(CommandOutcomeTest, SignalIsUnknown) {
  Outcome o = CommandOutcome(SIGKILL, "OK so far\n", "");
  EXPECT_EQ(o.level, Level::kUnknown);
  EXPECT_EQ(o.message, "killed by SIGKILL");
}

}  // namespace
}  // namespace vigil::probe
