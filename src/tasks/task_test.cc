// SPDX-License-Identifier: MIT
// Task tests with real processes on a real loop and a fake clock: output capture, timeout
// of a whole process group, overlap policies, retries, built-in actions, cleanup.
// Scheduling is tested in scheduler_test.cc.
#include "tasks/task.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "tasks/cleanup.h"
#include "tasks/task_test_fixture.h"

namespace vigil::tasks {
namespace {

namespace fs = std::filesystem;

class TaskTest : public TaskFixture {};

// True once `pid` has exited: gone, or a zombie its new parent has not reaped yet (the
// test is no subreaper, so an orphaned grandchild waits on whatever reaps for pid 1).
bool Exited(pid_t pid) {
  std::string stat;
  std::getline(std::ifstream("/proc/" + std::to_string(pid) + "/stat"), stat);
  size_t paren = stat.rfind(')');
  return stat.empty() || (paren != std::string::npos && stat.compare(paren, 3, ") Z") == 0);
}

TEST_F(TaskTest, CapturesOutputAndExitCode) {
  auto task = Make(Command({"sh", "-c", "echo hello; echo oops >&2; exit 3"}));
  ASSERT_TRUE(task->Start(Trigger::kManual));
  ASSERT_TRUE(RunUntil([&] { return host_.finished.size() == 1; }));
  const tasks::Run& run = host_.finished[0];
  EXPECT_EQ(run.output, "hello\noops\n");
  EXPECT_EQ(run.exit_code, 3);
  EXPECT_EQ(run.Result(), "exit 3");
  EXPECT_EQ(run.trigger, Trigger::kManual);
  EXPECT_FALSE(task->running());
}

TEST_F(TaskTest, KeepsOnlyTheEndOfLongOutput) {
  auto spec = Command({"sh", "-c", "i=0; while [ $i -lt 3000 ]; do echo line$i; i=$((i+1)); done"});
  spec.output_max_bytes = 100;
  auto task = Make(spec);
  ASSERT_TRUE(task->Start(Trigger::kManual));
  ASSERT_TRUE(RunUntil([&] { return host_.finished.size() == 1; }));
  EXPECT_LE(host_.finished[0].output.size(), 100u);
  EXPECT_TRUE(host_.finished[0].output.ends_with("line2999\n"));
}

TEST_F(TaskTest, TimeoutKillsTheWholeProcessGroup) {
  char pidfile[] = "/tmp/vigil-task-test-XXXXXX";
  ::close(::mkstemp(pidfile));
  auto spec = Command({"sh", "-c", std::string("sleep 1000 & echo $! > ") + pidfile + "; wait"});
  spec.timeout = std::chrono::seconds(30);
  auto task = Make(spec);
  ASSERT_TRUE(task->Start(Trigger::kManual));
  pid_t grandchild = 0;
  ASSERT_TRUE(RunUntil([&] { return (std::ifstream(pidfile) >> grandchild) && grandchild > 0; }));
  fs::remove(pidfile);

  Advance(std::chrono::seconds(30) - base::Duration(1));
  EXPECT_TRUE(task->running());
  EXPECT_TRUE(host_.notes.empty());
  Advance(base::Duration(1));
  EXPECT_THAT(host_.notes, ::testing::ElementsAre("run 1 timed out after 30s: killing its process group"));
  ASSERT_TRUE(RunUntil([&] { return host_.finished.size() == 1; }));
  const tasks::Run& run = host_.finished[0];
  EXPECT_TRUE(run.timed_out);
  EXPECT_EQ(run.Result(), "timed out");
  EXPECT_EQ(run.signal, SIGKILL);
  EXPECT_EQ(run.started, kStart);
  EXPECT_EQ(run.ended, kStart + std::chrono::seconds(30));
  // The grandchild was killed with the group.
  ASSERT_TRUE(RunUntil([&] { return Exited(grandchild); }));
}

TEST_F(TaskTest, RunThatEndsInTimeDisarmsItsTimeout) {
  auto spec = Command({"true"});
  spec.timeout = std::chrono::seconds(30);
  auto task = Make(spec);
  ASSERT_TRUE(task->Start(Trigger::kManual));
  EXPECT_EQ(clock_.pending(), 1u);
  ASSERT_TRUE(RunUntil([&] { return host_.finished.size() == 1; }));
  EXPECT_EQ(clock_.pending(), 0u);
  EXPECT_FALSE(host_.finished[0].timed_out);
  EXPECT_EQ(host_.finished[0].exit_code, 0);
}

TEST_F(TaskTest, OverlapSkipRefusesWhileRunning) {
  auto task = Make(Command({"sleep", "0.3"}));
  ASSERT_TRUE(task->Start(Trigger::kSchedule));
  auto second = task->Start(Trigger::kSchedule);
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code(), base::StatusCode::kConflict);
  ASSERT_TRUE(RunUntil([&] { return host_.finished.size() == 1; }));
}

TEST_F(TaskTest, OverlapQueueRunsAfterTheCurrentOne) {
  auto spec = Command({"sleep", "0.1"});
  spec.overlap = config::OverlapPolicy::kQueue;
  auto task = Make(spec);
  ASSERT_TRUE(task->Start(Trigger::kSchedule));
  auto queued = task->Start(Trigger::kManual);
  ASSERT_TRUE(queued);
  EXPECT_EQ(*queued, 0);
  ASSERT_TRUE(RunUntil([&] { return host_.finished.size() == 2; }));
  EXPECT_EQ(host_.finished[1].trigger, Trigger::kManual);
  EXPECT_LE(host_.finished[0].ended.value(), host_.finished[1].started);
}

TEST_F(TaskTest, OverlapReplaceKillsTheCurrentRun) {
  auto spec = Command({"sleep", "1000"});
  spec.overlap = config::OverlapPolicy::kReplace;
  auto task = Make(spec);
  ASSERT_TRUE(task->Start(Trigger::kSchedule));
  ASSERT_TRUE(task->Start(Trigger::kManual));
  ASSERT_TRUE(RunUntil([&] { return host_.finished.size() == 1; }));
  EXPECT_EQ(host_.finished[0].signal, SIGKILL);
  EXPECT_TRUE(task->running());  // the replacement
  task.reset();                  // kills it
}

// Regression test for issue 8, item 11: the doubled retry back-off of a huge
// retry_backoff overflowed; it saturates at the longest delay a timer takes.
TEST_F(TaskTest, RetryBackoffSaturatesInsteadOfOverflowing) {
  const base::Duration longest = event::Loop::kMaxTimerDelay;
  auto spec = Command({"sh", "-c", "exit 1"});
  spec.retries = 3;
  spec.retry_backoff = longest / 2 + std::chrono::hours(24);
  auto task = Make(spec);
  ASSERT_TRUE(task->Start(Trigger::kSchedule));
  ASSERT_TRUE(RunUntil([&] { return host_.finished.size() == 1; }));
  ASSERT_TRUE(clock_.next_due());
  EXPECT_EQ(*clock_.next_due() - clock_.Now(), spec.retry_backoff);
  Advance(spec.retry_backoff);
  ASSERT_TRUE(task->running());
  ASSERT_TRUE(RunUntil([&] { return host_.finished.size() == 2; }));
  ASSERT_TRUE(clock_.next_due());
  EXPECT_EQ(*clock_.next_due() - clock_.Now(), longest);  // not 2 * retry_backoff, not negative
  EXPECT_EQ(host_.notes.back(), "run 2 failed (exit 1); retry 2 of 3 in 36500d");
}

TEST_F(TaskTest, FailedScheduledRunIsRetriedWithBackoff) {
  auto spec = Command({"sh", "-c", "exit 1"});
  spec.retries = 2;
  spec.retry_backoff = std::chrono::seconds(10);
  auto task = Make(spec);
  ASSERT_TRUE(task->Start(Trigger::kSchedule));
  ASSERT_TRUE(RunUntil([&] { return host_.finished.size() == 1; }));
  EXPECT_EQ(host_.finished[0].ended, kStart);

  // First retry 10s after the failure, the second 20s after that one; then no more.
  Advance(std::chrono::seconds(10) - base::Duration(1));
  EXPECT_FALSE(task->running());
  Advance(base::Duration(1));
  ASSERT_TRUE(task->running());
  EXPECT_EQ(task->last_run()->trigger, Trigger::kRetry);
  EXPECT_EQ(task->last_run()->started, kStart + std::chrono::seconds(10));
  ASSERT_TRUE(RunUntil([&] { return host_.finished.size() == 2; }));

  Advance(std::chrono::seconds(20) - base::Duration(1));
  EXPECT_FALSE(task->running());
  Advance(base::Duration(1));
  ASSERT_TRUE(task->running());
  EXPECT_EQ(task->last_run()->trigger, Trigger::kRetry);
  EXPECT_EQ(task->last_run()->started, kStart + std::chrono::seconds(30));
  ASSERT_TRUE(RunUntil([&] { return host_.finished.size() == 3; }));

  EXPECT_EQ(clock_.pending(), 0u);
  Advance(std::chrono::hours(1));
  EXPECT_FALSE(task->running());
  EXPECT_EQ(host_.finished.size(), 3u);
  EXPECT_THAT(host_.notes, ::testing::ElementsAre("run 1 failed (exit 1); retry 1 of 2 in 10s",
                                                  "run 2 failed (exit 1); retry 2 of 2 in 20s"));
}

TEST_F(TaskTest, DisablingDropsAPendingRetry) {
  auto spec = Command({"sh", "-c", "exit 1"});
  spec.retries = 2;
  spec.retry_backoff = std::chrono::seconds(10);
  auto task = Make(spec);
  ASSERT_TRUE(task->Start(Trigger::kSchedule));
  ASSERT_TRUE(RunUntil([&] { return host_.finished.size() == 1; }));
  EXPECT_EQ(clock_.pending(), 1u);  // the retry
  task->set_enabled(false);
  EXPECT_EQ(clock_.pending(), 0u);
  Advance(std::chrono::hours(1));
  EXPECT_FALSE(task->running());
  EXPECT_EQ(host_.finished.size(), 1u);
}

TEST_F(TaskTest, ManualRunIsNotRetried) {
  auto spec = Command({"sh", "-c", "exit 1"});
  spec.retries = 2;
  auto task = Make(spec);
  ASSERT_TRUE(task->Start(Trigger::kManual));
  ASSERT_TRUE(RunUntil([&] { return host_.finished.size() == 1; }));
  EXPECT_EQ(clock_.pending(), 0u);
  EXPECT_TRUE(host_.notes.empty());
}

// A check's `run` action is recorded as such, and not retried: the check acts again on
// its own terms (cooldown, limit) while it stays bad.
TEST_F(TaskTest, ACheckActionsRunIsRecordedAsSuchAndNotRetried) {
  auto spec = Command({"sh", "-c", "exit 1"});
  spec.retries = 2;
  auto task = Make(spec);
  ASSERT_TRUE(task->Start(Trigger::kCheck));
  ASSERT_TRUE(RunUntil([&] { return host_.finished.size() == 1; }));
  EXPECT_EQ(host_.finished[0].trigger, Trigger::kCheck);
  EXPECT_EQ(TriggerName(Trigger::kCheck), "check");
  EXPECT_EQ(ParseTrigger("check"), Trigger::kCheck);
  EXPECT_EQ(clock_.pending(), 0u);
  EXPECT_TRUE(host_.notes.empty());
}

TEST_F(TaskTest, RestartAndRotateActions) {
  config::TaskSpec spec;
  spec.name = "weekly";
  spec.schedule = "weekly sun 02:00";
  spec.action = config::TaskAction::kRestart;
  spec.programs = {"web"};
  auto restart = Make(spec);
  ASSERT_TRUE(restart->Start(Trigger::kManual));
  ASSERT_EQ(host_.finished.size(), 1u);
  EXPECT_EQ(host_.restarted, std::vector<std::string>{"web"});
  EXPECT_EQ(host_.finished[0].exit_code, 0);
  spec.action = config::TaskAction::kRotateLogs;
  auto rotate = Make(spec);
  ASSERT_TRUE(rotate->Start(Trigger::kManual));
  EXPECT_EQ(host_.rotated_at, std::vector<base::WallTime>{kStart});
}

TEST_F(TaskTest, SpawnFailureIsARecordedRun) {
  auto task = Make(Command({"/nonexistent/tool"}));
  ASSERT_TRUE(task->Start(Trigger::kManual));
  ASSERT_TRUE(RunUntil([&] { return host_.finished.size() == 1; }));
  EXPECT_EQ(host_.finished[0].exit_code, 127);
  EXPECT_NE(host_.finished[0].output.find("No such file or directory"), std::string::npos);
}

TEST(CleanupTest, DeletesOldAndOversizedFilesNeverThroughSymlinks) {
  char tmpl[] = "/tmp/vigil-cleanup-test-XXXXXX";
  fs::path dir = ::mkdtemp(tmpl);
  fs::path outside = dir / "outside";
  fs::create_directories(outside);
  fs::create_directories(dir / "data" / "sub");
  auto make = [](const fs::path& p, size_t size, std::chrono::hours age) {
    std::ofstream(p) << std::string(size, 'x');
    fs::last_write_time(p, fs::file_time_type::clock::now() - age);
  };
  make(dir / "data" / "old.tmp", 10, std::chrono::hours(48));
  make(dir / "data" / "sub" / "old2.tmp", 10, std::chrono::hours(72));
  make(dir / "data" / "new.tmp", 10, std::chrono::hours(0));
  make(dir / "data" / "old.keep", 10, std::chrono::hours(48));
  make(outside / "victim.tmp", 10, std::chrono::hours(100));
  fs::create_directory_symlink(outside, dir / "data" / "link");

  config::CleanupSpec spec;
  spec.paths = {(dir / "data").string()};
  spec.pattern = "*.tmp";
  spec.older_than = std::chrono::hours(24);
  CleanupReport report = Cleanup(spec, std::chrono::system_clock::now());
  EXPECT_EQ(report.files_deleted, 2u);
  EXPECT_EQ(report.bytes_freed, 20u);
  EXPECT_EQ(report.files_kept, 1u);
  EXPECT_TRUE(fs::exists(dir / "data" / "new.tmp"));
  EXPECT_TRUE(fs::exists(dir / "data" / "old.keep"));
  EXPECT_TRUE(fs::exists(outside / "victim.tmp"));

  make(dir / "data" / "a.tmp", 100, std::chrono::hours(1));
  make(dir / "data" / "b.tmp", 100, std::chrono::hours(2));
  config::CleanupSpec by_size;
  by_size.paths = spec.paths;
  by_size.pattern = "*.tmp";
  by_size.max_total_bytes = 150;  // new.tmp (10) and a.tmp (100) fit; b.tmp does not
  report = Cleanup(by_size, std::chrono::system_clock::now());
  EXPECT_EQ(report.files_deleted, 1u);
  EXPECT_FALSE(fs::exists(dir / "data" / "b.tmp"));
  EXPECT_TRUE(fs::exists(dir / "data" / "a.tmp"));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace vigil::tasks
