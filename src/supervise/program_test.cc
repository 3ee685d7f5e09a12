// SPDX-License-Identifier: MIT
// Program against a FakeLauncher and a FakeClock: each lifecycle path step by step, with
// the messages it reports. No real process, no real time.
#include "supervise/program.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "supervise/program_test_fixture.h"

namespace vigil::supervise {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class ProgramTest : public SuperviseFixture {
 protected:
  Program& Make(config::ProgramSpec spec) {
    program_ = std::make_unique<Program>(env_, std::move(spec));
    return *program_;
  }
  // The program reaches RUNNING with process `pid`.
  pid_t StartRunning(Program& p) {
    p.Handle(Event::kStart);
    pid_t pid = p.pid();
    Advance(p.spec().start_seconds);
    EXPECT_EQ(p.state(), ProgramState::kRunning);
    return pid;
  }
  std::string ReadLog(const std::string& file) {
    std::ifstream in(dir_ / file);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  RecordingProgramObserver observer_;
  ProgramEnv env_{loop_, clock_, launcher_, nullptr, dir_, &observer_, nullptr, ""};
  std::unique_ptr<Program> program_;
};

TEST_F(ProgramTest, StartsThenRunsOnceStartSecondsPass) {
  Program& p = Make(Spec("web"));
  p.Handle(Event::kStart);
  EXPECT_EQ(p.state(), ProgramState::kStarting);
  EXPECT_EQ(p.pid(), 1000);
  EXPECT_EQ(launcher_.Last().request.argv, (std::vector<std::string>{"server", "--port", "80"}));
  EXPECT_EQ(launcher_.Last().request.environment.at("VIGIL_PROGRAM"), "web");
  Advance(base::Duration(999));
  EXPECT_EQ(p.state(), ProgramState::kStarting);
  Advance(base::Duration(1));
  EXPECT_EQ(p.state(), ProgramState::kRunning);
  EXPECT_EQ(p.uptime(), base::Duration(1000));
  EXPECT_THAT(observer_.lines, ElementsAre("web: process 1000 started", "web: STOPPED -> STARTING: started pid 1000",
                                           "web: STARTING -> RUNNING: pid 1000 up for 1s"));
}

TEST_F(ProgramTest, ZeroStartSecondsReportsStartingThenRunning) {
  auto spec = Spec("web");
  spec.start_seconds = base::Duration(0);
  Program& p = Make(spec);
  p.Handle(Event::kStart);
  EXPECT_EQ(p.state(), ProgramState::kRunning);
  EXPECT_THAT(observer_.lines, ElementsAre("web: process 1000 started", "web: STOPPED -> STARTING: started pid 1000",
                                           "web: STARTING -> RUNNING: pid 1000 up for 0ms"));
}

TEST_F(ProgramTest, CrashWhileRunningRestartsAtOnceWithoutBackoff) {
  Program& p = Make(Spec("web"));
  pid_t first = StartRunning(p);
  observer_.lines.clear();
  launcher_.ExitWith(first, 3);
  EXPECT_EQ(p.state(), ProgramState::kStarting);
  EXPECT_EQ(p.pid(), 1001);
  EXPECT_EQ(p.restarts(), 1);
  EXPECT_EQ(p.last_exit(), "exit 3");
  EXPECT_THAT(observer_.lines,
              ElementsAre("web: process 1000 ended: exit 3", "web: process 1001 started",
                          "web: RUNNING -> STARTING: started pid 1001 after the previous process ended (exit 3)"));
}

// Regression test for issue 8, item 8: when the main process of a RUNNING program died,
// what it left in its group got SIGKILL and the replacement was spawned at once, while the
// killed processes could still hold its port. The restart now waits until the group is
// gone, with no fixed delay.
TEST_F(ProgramTest, RestartAfterACrashWaitsUntilTheGroupIsGone) {
  Program& p = Make(Spec("web"));
  launcher_.leftovers_next = 2;
  pid_t first = StartRunning(p);
  observer_.lines.clear();
  launcher_.ExitWith(first, 1);
  EXPECT_THAT(launcher_.Find(first)->group_signals, ElementsAre(SIGKILL));
  EXPECT_EQ(launcher_.launches(), 1u);  // nothing new while the old group lives
  EXPECT_EQ(p.state(), ProgramState::kRunning);
  EXPECT_EQ(p.pid(), 0);
  Settle();  // the fake's SIGKILL takes the leftovers one turn later, like a reap
  EXPECT_EQ(launcher_.launches(), 2u);
  EXPECT_EQ(p.state(), ProgramState::kStarting);
  EXPECT_THAT(observer_.lines,
              ElementsAre("web: process 1000 ended: exit 1",
                          "web: [signal] killed processes left in group 1000 after the main process ended; the next "
                          "start waits until they are gone",
                          "web: process 1001 started",
                          "web: RUNNING -> STARTING: started pid 1001 after the previous process ended (exit 1)"));
}

// A process that ends while STARTING failed to start, even if its leftovers take longer
// than start_seconds to go: it must not be taken for RUNNING meanwhile.
TEST_F(ProgramTest, AnEndWhileStartingIsAFailedStartEvenIfTheGroupLingers) {
  Program& p = Make(Spec("web"));
  launcher_.leftovers_next = 1;
  p.Handle(Event::kStart);
  const pid_t pid = p.pid();
  launcher_.Find(pid)->stuck_leftovers = true;
  Advance(base::Duration(500));
  launcher_.ExitWith(pid, 1);
  Advance(base::Duration(1000));  // past start_seconds, the leftover still there
  EXPECT_EQ(p.state(), ProgramState::kStarting);
  EXPECT_EQ(p.pid(), 0);
  launcher_.LeftoversGone(pid);
  Settle();
  EXPECT_EQ(p.state(), ProgramState::kBackoff);
  EXPECT_THAT(p.reason(), ::testing::StartsWith("exited too quickly (exit 1); retry 1 of 5"));
}

TEST_F(ProgramTest, FailedStartsBackOffThenGoFatal) {
  auto spec = Spec("web");
  spec.start_retries = 2;
  Program& p = Make(spec);
  p.Handle(Event::kStart);
  launcher_.ExitWith(p.pid(), 1);
  EXPECT_EQ(p.state(), ProgramState::kBackoff);
  EXPECT_THAT(p.reason(), ::testing::MatchesRegex("exited too quickly \\(exit 1\\); retry 1 of 2 in [0-9]+ms"));
  Advance(base::Duration(1000));
  EXPECT_EQ(p.state(), ProgramState::kStarting);
  launcher_.ExitWith(p.pid(), 1);
  Advance(base::Duration(1000));
  launcher_.ExitWith(p.pid(), 1);
  EXPECT_EQ(p.state(), ProgramState::kFatal);
  EXPECT_EQ(p.reason(), "exited too quickly (exit 1); gave up after 3 attempts");
  EXPECT_EQ(launcher_.launches(), 3u);
  EXPECT_EQ(clock_.pending(), 0u);  // FATAL without fatal_retry_after waits for a user
}

TEST_F(ProgramTest, FatalRetryAfterTriesAgain) {
  auto spec = Spec("web");
  spec.start_retries = 0;
  spec.fatal_retry_after = base::Duration(60000);
  Program& p = Make(spec);
  p.Handle(Event::kStart);
  launcher_.ExitWith(p.pid(), 1);
  EXPECT_EQ(p.state(), ProgramState::kFatal);
  EXPECT_EQ(p.reason(), "exited too quickly (exit 1); gave up after 1 attempts; will try again in 1m");
  Advance(base::Duration(60000));
  EXPECT_EQ(p.state(), ProgramState::kStarting);
  EXPECT_EQ(launcher_.launches(), 2u);
}

TEST_F(ProgramTest, SpawnErrorGoesStraightToBackoff) {
  Program& p = Make(Spec("web"));
  launcher_.fail_next = base::Status::NotFound("command not found: server (PATH=/bin)");
  p.Handle(Event::kStart);
  EXPECT_EQ(p.state(), ProgramState::kBackoff);
  EXPECT_EQ(p.pid(), 0);
  EXPECT_THAT(observer_.lines,
              ElementsAre("web: [spawn_error] spawn failed: command not found: server (PATH=/bin)",
                          ::testing::MatchesRegex("web: STOPPED -> BACKOFF: spawn failed: command not found: server "
                                                  "\\(PATH=/bin\\); retry 1 of 5 in [0-9]+ms")));
}

// Regression test for issue 8, item 7: when the loop could not watch a new process's
// output pipe, the failure was only printed: nobody read the pipe and the child blocked
// once it was full. Now the process is killed and the program backs off with the reason.
TEST_F(ProgramTest, OutputThatCannotBeWatchedStopsTheStart) {
  Program& p = Make(Spec("web"));
  launcher_.unwatchable_output_next = true;
  p.Handle(Event::kStart);
  EXPECT_EQ(p.state(), ProgramState::kBackoff);
  process::FakeLauncher::Process& child = launcher_.Last();
  EXPECT_THAT(child.group_signals, ElementsAre(SIGKILL));
  EXPECT_TRUE(child.abandoned);
  EXPECT_THAT(p.reason(), HasSubstr("spawn failed: cannot read the output of pid 1000: cannot watch fd"));
  EXPECT_THAT(p.reason(), HasSubstr("Operation not permitted; killed it; retry 1 of 5"));
}

TEST_F(ProgramTest, CleanExitOfAOneShotIsExited) {
  auto spec = Spec("report");
  spec.autorestart = config::AutoRestart::kNever;
  Program& p = Make(spec);
  p.Handle(Event::kStart);
  launcher_.ExitWith(p.pid(), 0);
  EXPECT_EQ(p.state(), ProgramState::kExited);
  EXPECT_EQ(p.reason(), "exited (exit 0); autorestart = never");
}

TEST_F(ProgramTest, StopSignalsTheGroupThenKillsAfterStopTimeout) {
  Program& p = Make(Spec("web"));
  launcher_.ignores_term_next = true;
  pid_t pid = StartRunning(p);
  observer_.lines.clear();
  p.Handle(Event::kStop);
  EXPECT_EQ(p.state(), ProgramState::kStopping);
  EXPECT_EQ(p.reason(), "stopping");
  Settle();
  EXPECT_EQ(p.state(), ProgramState::kStopping);  // TERM ignored
  Advance(base::Duration(10000));
  EXPECT_THAT(launcher_.Find(pid)->group_signals, ElementsAre(SIGTERM, SIGCONT, SIGKILL));
  EXPECT_EQ(p.state(), ProgramState::kStopped);
  EXPECT_EQ(p.reason(), "did not stop within 10s; killed");
  EXPECT_THAT(observer_.lines,
              ElementsAre("web: RUNNING -> STOPPING: sent SIGTERM to process group 1000",
                          "web: [signal] stop_timeout 10s passed: sent SIGKILL to process group 1000",
                          "web: process 1000 ended: killed by SIGKILL", "web: STOPPING -> STOPPED: stopped (killed by SIGKILL)",
                          "web: output drained"));
}

// As systemd does: SIGCONT follows the stop signal, so a process that is stopped (kill
// -STOP, a debugger, Ctrl-Z) acts on it instead of waiting for SIGKILL after stop_timeout.
TEST_F(ProgramTest, TheStopSignalIsFollowedBySigcont) {
  Program& grouped = Make(Spec("web"));
  const pid_t group_pid = StartRunning(grouped);
  grouped.Handle(Event::kStop);
  EXPECT_THAT(launcher_.Find(group_pid)->group_signals, ElementsAre(SIGTERM, SIGCONT));

  config::ProgramSpec alone = Spec("alone");
  alone.kill_group = false;
  alone.stop_signal = SIGINT;
  Program& single = Make(alone);
  const pid_t single_pid = StartRunning(single);
  single.Handle(Event::kStop);
  EXPECT_THAT(launcher_.Find(single_pid)->signals, ElementsAre(SIGINT, SIGCONT));

  config::ProgramSpec hard = Spec("hard");
  hard.stop_signal = SIGKILL;  // nothing to continue
  Program& killed = Make(hard);
  const pid_t killed_pid = StartRunning(killed);
  killed.Handle(Event::kStop);
  EXPECT_THAT(launcher_.Find(killed_pid)->group_signals, ElementsAre(SIGKILL));
}

TEST_F(ProgramTest, StoppingWaitsForTheWholeGroup) {
  Program& p = Make(Spec("web"));
  launcher_.leftovers_next = 1;
  launcher_.ignores_term_next = true;  // the main process handles TERM; its helper ignores it
  pid_t pid = StartRunning(p);
  p.Handle(Event::kStop);
  launcher_.ExitWith(pid, 0);
  Settle();
  EXPECT_EQ(p.state(), ProgramState::kStopping);
  EXPECT_THAT(launcher_.Find(pid)->group_signals, ElementsAre(SIGTERM, SIGCONT));  // no extra kill while stopping
  Advance(base::Duration(10000));
  EXPECT_THAT(launcher_.Find(pid)->group_signals, ElementsAre(SIGTERM, SIGCONT, SIGKILL));
  EXPECT_EQ(p.state(), ProgramState::kStopped);
  EXPECT_EQ(p.reason(), "did not stop within 10s; killed");
}

TEST_F(ProgramTest, OutputGoesToTheLogFiles) {
  Program& p = Make(Spec("web"));
  p.Handle(Event::kStart);
  process::FakeLauncher::Process& child = launcher_.Last();
  ASSERT_EQ(::write(child.stdout_w.get(), "out\n", 4), 4);
  ASSERT_EQ(::write(child.stderr_w.get(), "err\n", 4), 4);
  Settle();
  EXPECT_EQ(ReadLog("web.out.log"), "out\n");
  EXPECT_EQ(ReadLog("web.err.log"), "err\n");
  launcher_.ExitWith(child.pid, 0);
  Settle();
  EXPECT_FALSE(p.DrainingPipes());
}

TEST_F(ProgramTest, SignalWithoutAProcessIsAConflict) {
  Program& p = Make(Spec("web"));
  base::Status s = p.Signal(SIGHUP);
  EXPECT_EQ(s.code(), base::StatusCode::kConflict);
  EXPECT_EQ(s.message(), "web has no running process (STOPPED)");
  pid_t pid = StartRunning(p);
  EXPECT_TRUE(p.Signal(SIGHUP).ok());
  EXPECT_THAT(launcher_.Find(pid)->group_signals, ElementsAre(SIGHUP));
}

// A reload that changes a program keeps its log files, so followers stay attached.
TEST_F(ProgramTest, ReconfigureKeepsTheLogFollowers) {
  Program& p = Make(Spec("web"));
  std::string followed;
  int ended = 0;
  event::HandlePtr follow =
      p.stdout_log().Subscribe([&](std::string_view s) { followed += s; }, [&](std::string_view) { ++ended; });
  auto changed = Spec("web");
  changed.argv = {"server", "--port", "81"};
  p.Reconfigure(changed);
  p.Handle(Event::kStart);
  EXPECT_EQ(launcher_.Last().request.argv[2], "81");
  ASSERT_EQ(::write(launcher_.Last().stdout_w.get(), "new\n", 4), 4);
  Settle();
  EXPECT_EQ(followed, "new\n");
  EXPECT_EQ(ended, 0);
}

TEST_F(ProgramTest, EventsThatCannotHappenAreBugs) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  Program& p = Make(Spec("web"));
  EXPECT_DEATH(p.Handle(Event::kStop), "event \"stop\" cannot happen in state STOPPED");
}

}  // namespace
}  // namespace vigil::supervise
