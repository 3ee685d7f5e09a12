// SPDX-License-Identifier: MIT
// End-to-end: scheduled tasks run and are recorded in the history database; timeouts take
// the whole process group; desired state and history survive a vigild restart; a vigild
// killed with -9 during a run leaves the run marked interrupted.
#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <fstream>

#include <fmt/format.h>
#include <gmock/gmock.h>

#include "harness.h"
#include "store/store.h"

namespace vigil::testing {
namespace {

class TasksTest : public VigilTest {
 protected:
  // Reads the history the way a later vigild would; only while vigild is stopped, since
  // opening the store marks unfinished runs as interrupted.
  std::unique_ptr<store::Store> History() {
    auto s = store::Store::Open(dir_ / "state" / "vigil.db");
    EXPECT_TRUE(s) << s.error().message();
    return s ? std::move(s).value() : nullptr;
  }
  size_t Lines(const std::filesystem::path& p) {
    std::string text = ReadFile(p);
    return static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
  }
};

TEST_F(TasksTest, EverySecondTaskRunsAndIsRecorded) {
  auto out = dir_ / "ticks";
  WriteConfig(fmt::format(R"([task.tick]
schedule = "every 1s"
command = ["sh", "-c", "echo tick >> {}; echo ticked"]
)", out.string()));
  StartDaemon();
  ASSERT_TRUE(WaitFor([&] { return Lines(out) >= 2; }, std::chrono::seconds(10)));
  EXPECT_TRUE(WaitFor([&] {
    return ReadFile(log_dir_ / "vigild.log").find("tick: run 2 (schedule) ended: exit 0") != std::string::npos;
  })) << ReadFile(log_dir_ / "vigild.log");
  ASSERT_EQ(StopDaemon() >> 8, 0);
  auto history = History();
  auto runs = history->QueryRuns("tick", 100);
  ASSERT_TRUE(runs);
  ASSERT_GE(runs->size(), 2u);
  const auto& first = runs->back();
  EXPECT_EQ(first.trigger, "schedule");
  EXPECT_EQ(first.exit_code, 0);
  EXPECT_EQ(first.output_tail, "ticked\n");
  EXPECT_TRUE(std::filesystem::exists(dir_ / "state" / "runs" / "tick" / (std::to_string(first.id) + ".log")));
}

TEST_F(TasksTest, TimedOutRunLeavesNoProcessBehind) {
  auto pidfile = dir_ / "grandchild.pid";
  WriteConfig(fmt::format(R"([task.slow]
schedule = "every 1s"
timeout = "300ms"
command = ["sh", "-c", "[ -e {0} ] && exit 0; sleep 1000 & echo $! > {0}; wait"]
)", pidfile.string()));
  StartDaemon();
  ASSERT_TRUE(WaitFor([&] { return ReadFile(log_dir_ / "vigild.log").find("timed out after 300ms") != std::string::npos; }))
      << ReadFile(log_dir_ / "vigild.log");
  int grandchild = 0;
  std::ifstream(pidfile) >> grandchild;
  ASSERT_GT(grandchild, 0);
  EXPECT_TRUE(WaitFor([&] { return !ProcessAlive(grandchild); }));
}

TEST_F(TasksTest, DesiredStateAndHistorySurviveARestart) {
  WriteConfig(fmt::format(R"([program.svc]
command = ["{0}", "idle"]
start_seconds = "100ms"

[program.other]
command = ["{0}", "idle"]
start_seconds = "100ms"
)", Child()));
  StartDaemon();
  ASSERT_TRUE(WaitForState("svc", "RUNNING"));
  ASSERT_EQ(Vigil({"stop", "svc"}).exit_code, 0);
  EXPECT_EQ(StopDaemon() >> 8, 0);

  StartDaemon();
  ASSERT_TRUE(WaitForState("other", "RUNNING"));
  EXPECT_EQ(State("svc"), "STOPPED");  // the user's stop is remembered
  EXPECT_NE(Program("svc").value("reason", "").find("remembered"), std::string::npos) << Program("svc").dump();
  EXPECT_EQ(StopDaemon() >> 8, 0);

  {
    auto history = History();
    store::EventFilter f;
    f.subject = "svc";
    f.type = "state";
    f.limit = 1000;
    auto events = history->QueryEvents(f);
    ASSERT_TRUE(events);
    EXPECT_GE(events->size(), 3u);  // started, running, stopping/stopped, ...
  }

  // A config change forgets a remembered stop.
  WriteConfig(fmt::format(R"([program.svc]
command = ["{0}", "idle"]
start_seconds = "200ms"

[program.other]
command = ["{0}", "idle"]
start_seconds = "100ms"
)", Child()));
  StartDaemon();
  EXPECT_TRUE(WaitForState("svc", "RUNNING"));
}

TEST_F(TasksTest, KillDashNineDuringARunMarksItInterrupted) {
  auto pidfile = dir_ / "task.pid";
  WriteConfig(fmt::format(R"([task.long]
schedule = "every 1s"
command = ["sh", "-c", "echo $$ > {}; exec sleep 1000"]
)", pidfile.string()));
  StartDaemon();
  ASSERT_TRUE(WaitFor([&] { return !ReadFile(pidfile).empty(); }));
  ::kill(daemon_pid_, SIGKILL);
  ::waitpid(daemon_pid_, nullptr, 0);
  daemon_pid_ = 0;
  int task_pid = std::atoi(ReadFile(pidfile).c_str());
  if (task_pid > 0) ::kill(-task_pid, SIGKILL);  // the orphaned run, as a reboot would end it
  auto history = History();
  auto runs = history->QueryRuns("long", 10);
  ASSERT_TRUE(runs);
  ASSERT_GE(runs->size(), 1u);
  EXPECT_TRUE(runs->back().interrupted);
  EXPECT_FALSE(runs->back().ended);
  history.reset();

  // Back up (and not due again soon), vigild reports the run as interrupted, not running.
  WriteConfig(R"([task.long]
schedule = "@yearly"
command = ["true"]
)");
  StartDaemon();
  auto tasks = Vigil({"tasks"});
  EXPECT_EQ(tasks.exit_code, 0) << tasks.err;
  EXPECT_THAT(tasks.out, ::testing::HasSubstr("interrupted"));
  EXPECT_THAT(tasks.out, ::testing::Not(::testing::HasSubstr("running")));
  auto listed = Vigil({"history", "long", "--limit", "1"});
  EXPECT_THAT(listed.out, ::testing::HasSubstr("interrupted"));
}

}  // namespace
}  // namespace vigil::testing
