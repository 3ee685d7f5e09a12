// SPDX-License-Identifier: MIT
// Task and Scheduler tests with real processes on a real loop: output capture, timeout of
// a whole process group, overlap policies, retries, built-in actions, schedule firing.
#include "tasks/task.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "tasks/cleanup.h"
#include "tasks/scheduler.h"

namespace vigil::tasks {
namespace {

namespace fs = std::filesystem;

class RecordingHost : public TaskHost {
 public:
  int64_t NewRunId(Task&, const Run&) override { return ++last_id; }
  void OnRunFinished(Task&, const Run& run) override { finished.push_back(run); }
  void OnTaskNote(Task&, const std::string& message) override { notes.push_back(message); }
  base::Status RestartPrograms(const std::vector<std::string>& programs) override {
    restarted.insert(restarted.end(), programs.begin(), programs.end());
    return base::Status::Ok();
  }
  void RotateLogs() override { ++rotations; }

  int64_t last_id = 0;
  std::vector<Run> finished;
  std::vector<std::string> notes;
  std::vector<std::string> restarted;
  int rotations = 0;
};

class TaskTest : public ::testing::Test {
 protected:
  static config::TaskSpec Command(std::vector<std::string> argv) {
    config::TaskSpec s;
    s.name = "job";
    s.schedule = "@daily";
    s.argv = std::move(argv);
    return s;
  }
  std::unique_ptr<Task> Make(config::TaskSpec spec) {
    auto schedule = schedule::Schedule::Parse(spec.schedule, spec.timezone);
    EXPECT_TRUE(schedule) << schedule.error().message();
    return std::make_unique<Task>(env_, std::move(spec), std::move(schedule).value());
  }
  bool RunUntil(const std::function<bool()>& done, base::Duration deadline = base::Duration(10000)) {
    bool expired = false;
    auto timer = loop_.AddTimer(deadline, [&] { expired = true; });
    while (!done() && !expired) loop_.RunOne();
    return done();
  }

  event::Loop loop_;
  event::ChildReaper reaper_{loop_};
  RecordingHost host_;
  TaskEnv env_{loop_, reaper_, host_};
};

TEST_F(TaskTest, CapturesOutputAndExitCode) {
  auto task = Make(Command({"sh", "-c", "echo hello; echo oops >&2; exit 3"}));
  ASSERT_TRUE(task->Trigger("manual"));
  ASSERT_TRUE(RunUntil([&] { return host_.finished.size() == 1; }));
  const tasks::Run& run = host_.finished[0];
  EXPECT_EQ(run.output, "hello\noops\n");
  EXPECT_EQ(run.exit_code, 3);
  EXPECT_EQ(run.Result(), "exit 3");
  EXPECT_EQ(run.trigger, "manual");
  EXPECT_FALSE(task->running());
}

TEST_F(TaskTest, KeepsOnlyTheEndOfLongOutput) {
  auto spec = Command({"sh", "-c", "i=0; while [ $i -lt 3000 ]; do echo line$i; i=$((i+1)); done"});
  spec.output_max_bytes = 100;
  auto task = Make(spec);
  ASSERT_TRUE(task->Trigger("manual"));
  ASSERT_TRUE(RunUntil([&] { return host_.finished.size() == 1; }));
  EXPECT_LE(host_.finished[0].output.size(), 100u);
  EXPECT_TRUE(host_.finished[0].output.ends_with("line2999\n"));
}

TEST_F(TaskTest, TimeoutKillsTheWholeProcessGroup) {
  char pidfile[] = "/tmp/vigil-task-test-XXXXXX";
  ::close(::mkstemp(pidfile));
  auto spec = Command({"sh", "-c", std::string("sleep 1000 & echo $! > ") + pidfile + "; wait"});
  spec.timeout = base::Duration(200);
  auto task = Make(spec);
  ASSERT_TRUE(task->Trigger("manual"));
  ASSERT_TRUE(RunUntil([&] { return host_.finished.size() == 1; }));
  EXPECT_TRUE(host_.finished[0].timed_out);
  EXPECT_EQ(host_.finished[0].Result(), "timed out");
  pid_t grandchild = 0;
  std::ifstream(pidfile) >> grandchild;
  fs::remove(pidfile);
  ASSERT_GT(grandchild, 0);
  // The grandchild was killed with the group; once reaped it is gone.
  ASSERT_TRUE(RunUntil([&] { return ::kill(grandchild, 0) != 0; }));
}

TEST_F(TaskTest, OverlapSkipRefusesWhileRunning) {
  auto task = Make(Command({"sleep", "0.3"}));
  ASSERT_TRUE(task->Trigger("schedule"));
  auto second = task->Trigger("schedule");
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code(), base::StatusCode::kConflict);
  ASSERT_TRUE(RunUntil([&] { return host_.finished.size() == 1; }));
}

TEST_F(TaskTest, OverlapQueueRunsAfterTheCurrentOne) {
  auto spec = Command({"sleep", "0.1"});
  spec.overlap = config::OverlapPolicy::kQueue;
  auto task = Make(spec);
  ASSERT_TRUE(task->Trigger("schedule"));
  auto queued = task->Trigger("manual");
  ASSERT_TRUE(queued);
  EXPECT_EQ(*queued, 0);
  ASSERT_TRUE(RunUntil([&] { return host_.finished.size() == 2; }));
  EXPECT_EQ(host_.finished[1].trigger, "manual");
  EXPECT_LE(host_.finished[0].ended.value(), host_.finished[1].started);
}

TEST_F(TaskTest, OverlapReplaceKillsTheCurrentRun) {
  auto spec = Command({"sleep", "1000"});
  spec.overlap = config::OverlapPolicy::kReplace;
  auto task = Make(spec);
  ASSERT_TRUE(task->Trigger("schedule"));
  ASSERT_TRUE(task->Trigger("manual"));
  ASSERT_TRUE(RunUntil([&] { return host_.finished.size() == 1; }));
  EXPECT_EQ(host_.finished[0].signal, SIGKILL);
  EXPECT_TRUE(task->running());  // the replacement
  task.reset();                  // kills it
}

TEST_F(TaskTest, FailedScheduledRunIsRetriedWithBackoff) {
  auto spec = Command({"sh", "-c", "exit 1"});
  spec.retries = 2;
  spec.retry_backoff = base::Duration(20);
  auto task = Make(spec);
  ASSERT_TRUE(task->Trigger("schedule"));
  ASSERT_TRUE(RunUntil([&] { return host_.finished.size() == 3; }));
  EXPECT_EQ(host_.finished[1].trigger, "retry");
  EXPECT_EQ(host_.finished[2].trigger, "retry");
  // No fourth attempt.
  bool more = RunUntil([&] { return host_.finished.size() > 3; }, base::Duration(200));
  EXPECT_FALSE(more);
}

TEST_F(TaskTest, RestartAndRotateActions) {
  config::TaskSpec spec;
  spec.name = "weekly";
  spec.schedule = "weekly sun 02:00";
  spec.action = config::TaskAction::kRestart;
  spec.programs = {"web"};
  auto restart = Make(spec);
  ASSERT_TRUE(restart->Trigger("manual"));
  ASSERT_EQ(host_.finished.size(), 1u);
  EXPECT_EQ(host_.restarted, std::vector<std::string>{"web"});
  EXPECT_EQ(host_.finished[0].exit_code, 0);
  spec.action = config::TaskAction::kRotateLogs;
  auto rotate = Make(spec);
  ASSERT_TRUE(rotate->Trigger("manual"));
  EXPECT_EQ(host_.rotations, 1);
}

TEST_F(TaskTest, SpawnFailureIsARecordedRun) {
  auto task = Make(Command({"/nonexistent/tool"}));
  ASSERT_TRUE(task->Trigger("manual"));
  ASSERT_TRUE(RunUntil([&] { return host_.finished.size() == 1; }));
  EXPECT_EQ(host_.finished[0].exit_code, 127);
  EXPECT_NE(host_.finished[0].output.find("No such file or directory"), std::string::npos);
}

TEST_F(TaskTest, SchedulerFiresDueTasksWithOneTimer) {
  Scheduler scheduler(loop_, reaper_, host_);
  auto spec = Command({"true"});
  spec.schedule = "every 1s";
  auto other = Command({"true"});
  other.name = "yearly";
  other.schedule = "@yearly";
  ASSERT_TRUE(scheduler.Apply({spec, other}));
  ASSERT_TRUE(scheduler.NextRun(*scheduler.Find("job")));
  ASSERT_TRUE(RunUntil([&] { return host_.finished.size() >= 2; }, base::Duration(5000)));
  for (const auto& run : host_.finished) EXPECT_EQ(run.trigger, "schedule");
  scheduler.SetEnabled(*scheduler.Find("job"), false);
  EXPECT_FALSE(scheduler.NextRun(*scheduler.Find("job")));
}

TEST_F(TaskTest, CatchUpRunsOnceWhenARunWasMissed) {
  Scheduler scheduler(loop_, reaper_, host_);
  auto spec = Command({"true"});
  spec.schedule = "@hourly";
  spec.catch_up = true;
  auto no_catch_up = spec;
  no_catch_up.name = "plain";
  no_catch_up.catch_up = false;
  ASSERT_TRUE(scheduler.Apply({spec, no_catch_up}));
  auto two_hours_ago = std::chrono::system_clock::now() - std::chrono::hours(2);
  scheduler.StartUp([&](const std::string&) { return std::optional<base::WallTime>(two_hours_ago); });
  ASSERT_TRUE(RunUntil([&] { return host_.finished.size() == 1; }));
  EXPECT_EQ(host_.finished[0].trigger, "catch-up");
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
