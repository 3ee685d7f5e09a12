// SPDX-License-Identifier: MIT
// Scheduler tests on a fake clock: fire times, one timer for any number of tasks, overlap
// policies when a run is still going at the next fire time, catch-up at start-up, and the
// bounds of random_delay. Runs that need a process use real short-lived children.
#include "tasks/scheduler.h"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "tasks/task_test_fixture.h"

namespace vigil::tasks {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
using ::testing::ElementsAre;

class SchedulerTest : public TaskFixture {
 protected:
  // Moves the fake clock to `t` (not before now), firing what falls due.
  void AdvanceTo(base::WallTime t) { Advance(std::chrono::duration_cast<base::Duration>(t - clock_.Now())); }
  std::optional<base::WallTime> LastStartOf(const std::string& name) {
    auto it = last_start_.find(name);
    if (it == last_start_.end()) return std::nullopt;
    return it->second;
  }

  Scheduler scheduler_{loop_, clock_, launcher_, host_};
  std::map<std::string, base::WallTime> last_start_;  // what the history would say
};

TEST_F(SchedulerTest, FiresAtTheScheduledTimesAndNotBefore) {
  ASSERT_TRUE(scheduler_.Apply({Rotate("minutely", "every 1m"), Rotate("yearly", "@yearly")}));
  Task& task = *scheduler_.Find("minutely");
  EXPECT_EQ(scheduler_.NextRun(task), At(10, 31));

  AdvanceTo(At(10, 31) - base::Duration(1));
  EXPECT_TRUE(host_.rotated_at.empty());
  Advance(base::Duration(1));
  EXPECT_THAT(host_.rotated_at, ElementsAre(At(10, 31)));
  EXPECT_EQ(scheduler_.NextRun(task), At(10, 32));

  Advance(minutes(3));
  EXPECT_THAT(host_.rotated_at, ElementsAre(At(10, 31), At(10, 32), At(10, 33), At(10, 34)));
  for (const auto& run : host_.finished) EXPECT_EQ(run.trigger, Trigger::kSchedule);

  scheduler_.SetEnabled(task, false);
  EXPECT_FALSE(scheduler_.NextRun(task));
  Advance(hours(1));
  EXPECT_EQ(host_.rotated_at.size(), 4u);
  scheduler_.SetEnabled(task, true);
  EXPECT_EQ(scheduler_.NextRun(task), At(11, 35));
}

TEST_F(SchedulerTest, NeverFiresEvenASubMillisecondEarly) {
  // Timers have whole milliseconds; half a millisecond past the minute, a floor-rounded
  // wait would end half a millisecond before the next one.
  event::FakeClock clock(kStart + std::chrono::microseconds(500));
  RecordingHost host(clock);
  Scheduler scheduler(loop_, clock, launcher_, host);
  ASSERT_TRUE(scheduler.Apply({Rotate("minutely", "every 1m")}));
  clock.Advance(std::chrono::seconds(60) - base::Duration(1));  // 10:30:59.9995
  EXPECT_TRUE(host.rotated_at.empty());
  clock.Advance(base::Duration(1));
  ASSERT_EQ(host.rotated_at.size(), 1u);
  EXPECT_GE(host.rotated_at[0], At(10, 31));
}

TEST_F(SchedulerTest, ArmsOneTimerForTheEarliestOfAThousandTasks) {
  std::vector<config::TaskSpec> specs;
  for (int i = 0; i < 1000; ++i) {
    // 7 and 1440 are coprime, so the 1000 tasks get 1000 different minutes of the day.
    int minute_of_day = (10 * 60 + 31 + 7 * i) % (24 * 60);
    specs.push_back(
        Rotate(fmt::format("t{}", i), fmt::format("daily {:02}:{:02}", minute_of_day / 60, minute_of_day % 60)));
  }
  ASSERT_TRUE(scheduler_.Apply(specs));
  auto earliest = [&] {
    base::WallTime min = base::WallTime::max();
    for (Task* t : scheduler_.tasks()) min = std::min(min, *scheduler_.NextRun(*t));
    return min;
  };
  // No tick: the one pending timer is for the earliest task, however far away it is.
  EXPECT_EQ(clock_.pending(), 1u);
  EXPECT_EQ(clock_.next_due(), At(10, 31));
  EXPECT_EQ(earliest(), At(10, 31));

  Advance(minutes(1));
  EXPECT_THAT(host_.rotated_at, ElementsAre(At(10, 31)));
  EXPECT_EQ(clock_.pending(), 1u);
  EXPECT_EQ(clock_.next_due(), earliest());

  // A whole day: every task once, each at its own minute, with never more than one timer.
  std::set<base::WallTime> seen(host_.rotated_at.begin(), host_.rotated_at.end());
  for (int step = 0; step < 24 * 60 - 1; ++step) {
    Advance(minutes(1));
    ASSERT_EQ(clock_.pending(), 1u);
  }
  EXPECT_EQ(host_.rotated_at.size(), 1000u);
  seen.insert(host_.rotated_at.begin(), host_.rotated_at.end());
  EXPECT_EQ(seen.size(), 1000u);
  EXPECT_EQ(clock_.next_due(), At(10, 31) + hours(24));
}

TEST_F(SchedulerTest, ReloadReArmsForTheNewEarliestTask) {
  ASSERT_TRUE(scheduler_.Apply({Rotate("hourly", "@hourly")}));
  EXPECT_EQ(clock_.next_due(), At(11, 0));
  ASSERT_TRUE(scheduler_.Apply({Rotate("hourly", "@hourly"), Rotate("soon", "daily 10:45")}));
  EXPECT_EQ(clock_.pending(), 1u);
  EXPECT_EQ(clock_.next_due(), At(10, 45));
  ASSERT_TRUE(scheduler_.Apply({}));
  EXPECT_EQ(clock_.pending(), 0u);
}

TEST_F(SchedulerTest, ReloadKeepsADisableUnlessTheConfigChangesEnabled) {
  ASSERT_TRUE(scheduler_.Apply({Rotate("report", "every 1m")}));
  scheduler_.SetEnabled(*scheduler_.Find("report"), false);

  auto changed = Rotate("report", "every 5m");  // another key changed: still disabled
  auto reload = scheduler_.Apply({changed});
  ASSERT_TRUE(reload);
  EXPECT_THAT(reload->changed, ElementsAre("report"));
  EXPECT_TRUE(reload->enabled_changed.empty());
  EXPECT_FALSE(scheduler_.Find("report")->enabled());
  EXPECT_FALSE(scheduler_.NextRun(*scheduler_.Find("report")));

  changed.enabled = false;  // the config says it itself now
  ASSERT_TRUE(scheduler_.Apply({changed}));
  changed.enabled = true;  // and then turns it back on: that wins over the old disable
  reload = scheduler_.Apply({changed});
  ASSERT_TRUE(reload);
  EXPECT_THAT(reload->enabled_changed, ElementsAre("report"));
  EXPECT_TRUE(scheduler_.Find("report")->enabled());
  EXPECT_EQ(scheduler_.NextRun(*scheduler_.Find("report")), At(10, 35));
}

TEST_F(SchedulerTest, OverlapSkipDropsTheFireWhileARunIsGoing) {
  auto spec = Command({"sleep", "1000"});
  spec.schedule = "every 1m";
  ASSERT_TRUE(scheduler_.Apply({spec}));
  Task& task = *scheduler_.Find("job");
  AdvanceTo(At(10, 31));
  ASSERT_TRUE(task.running());
  Advance(minutes(1));
  EXPECT_THAT(host_.notes, ElementsAre("schedule run skipped: run 1 is still going (overlap = skip)"));
  EXPECT_EQ(host_.last_id, 1);
  EXPECT_EQ(task.last_run()->started, At(10, 31));
  EXPECT_EQ(scheduler_.NextRun(task), At(10, 33));  // the schedule goes on
  EXPECT_TRUE(host_.finished.empty());
}

TEST_F(SchedulerTest, OverlapQueueStartsTheFireWhenTheRunEnds) {
  auto spec = Command({"sleep", "1000"});
  spec.schedule = "every 1m";
  spec.overlap = config::OverlapPolicy::kQueue;
  spec.timeout = seconds(90);  // how the first run ends: at 10:32:30
  ASSERT_TRUE(scheduler_.Apply({spec}));
  Task& task = *scheduler_.Find("job");
  AdvanceTo(At(10, 32));
  EXPECT_THAT(host_.notes, ElementsAre("schedule run queued behind run 1"));
  EXPECT_EQ(host_.last_id, 1);

  AdvanceTo(At(10, 32, 30));
  ASSERT_TRUE(RunUntil([&] { return host_.finished.size() == 1 && task.running(); }));
  EXPECT_TRUE(host_.finished[0].timed_out);
  EXPECT_EQ(task.last_run()->id, 2);
  EXPECT_EQ(task.last_run()->trigger, Trigger::kSchedule);
  EXPECT_EQ(task.last_run()->started, At(10, 32, 30));
}

TEST_F(SchedulerTest, OverlapReplaceKillsTheRunAtTheNextFire) {
  auto spec = Command({"sleep", "1000"});
  spec.schedule = "every 1m";
  spec.overlap = config::OverlapPolicy::kReplace;
  ASSERT_TRUE(scheduler_.Apply({spec}));
  Task& task = *scheduler_.Find("job");
  AdvanceTo(At(10, 31));
  ASSERT_TRUE(task.running());
  Advance(minutes(1));
  EXPECT_THAT(host_.notes, ElementsAre("run 1 replaced by a schedule run: killing it"));
  ASSERT_TRUE(RunUntil([&] { return host_.finished.size() == 1 && task.running(); }));
  EXPECT_EQ(host_.finished[0].signal, SIGKILL);
  EXPECT_EQ(host_.finished[0].ended, At(10, 32));
  EXPECT_EQ(task.last_run()->id, 2);
  EXPECT_EQ(task.last_run()->started, At(10, 32));
}

TEST_F(SchedulerTest, CatchUpRunsOnceWhenFireTimesWereMissed) {
  auto catch_up = Rotate("catch-up", "@hourly");
  catch_up.catch_up = true;
  auto never_ran = catch_up;
  never_ran.name = "never-ran";
  auto plain = Rotate("plain", "@hourly");
  ASSERT_TRUE(scheduler_.Apply({catch_up, never_ran, plain}));
  // Down since 08:10: the 09:00 and 10:00 runs were missed.
  last_start_["catch-up"] = At(8, 10);
  last_start_["plain"] = At(8, 10);
  scheduler_.StartUp([&](const std::string& name) { return LastStartOf(name); });
  ASSERT_EQ(host_.finished.size(), 1u);
  EXPECT_EQ(host_.finished[0].trigger, Trigger::kCatchUp);
  EXPECT_EQ(host_.finished[0].started, kStart);

  AdvanceTo(At(11, 0) - base::Duration(1));
  EXPECT_EQ(host_.finished.size(), 1u);
  Advance(base::Duration(1));  // from here on, the schedule
  EXPECT_EQ(host_.finished.size(), 4u);
  for (size_t i = 1; i < host_.finished.size(); ++i) EXPECT_EQ(host_.finished[i].trigger, Trigger::kSchedule);
}

TEST_F(SchedulerTest, NoCatchUpWhenNoFireTimeWasMissed) {
  auto spec = Rotate("catch-up", "@hourly");
  spec.catch_up = true;
  ASSERT_TRUE(scheduler_.Apply({spec}));
  last_start_["catch-up"] = At(10, 0);  // the last fire time ran; the next is 11:00
  scheduler_.StartUp([&](const std::string& name) { return LastStartOf(name); });
  EXPECT_TRUE(host_.finished.empty());
  AdvanceTo(At(11, 0) - base::Duration(1));
  EXPECT_TRUE(host_.finished.empty());
}

TEST_F(SchedulerTest, RebootTasksRunAtStartUpOnly) {
  ASSERT_TRUE(scheduler_.Apply({Rotate("boot", "@reboot")}));
  EXPECT_EQ(clock_.pending(), 0u);
  scheduler_.StartUp([&](const std::string& name) { return LastStartOf(name); });
  ASSERT_EQ(host_.finished.size(), 1u);
  EXPECT_EQ(host_.finished[0].trigger, Trigger::kReboot);
  Advance(hours(24 * 7));
  EXPECT_EQ(host_.finished.size(), 1u);
}

TEST_F(SchedulerTest, RandomDelayKeepsEveryStartWithinItsBound) {
  auto spec = Rotate("spread", "every 1m");
  spec.random_delay = seconds(30);
  ASSERT_TRUE(scheduler_.Apply({spec}));
  Task& task = *scheduler_.Find("spread");
  std::set<base::Duration> delays;
  for (int i = 0; i < 500; ++i) {
    base::WallTime scheduled = *scheduler_.NextRun(task);
    AdvanceTo(scheduled + spec.random_delay);
    ASSERT_EQ(host_.rotated_at.size(), static_cast<size_t>(i + 1)) << "fire " << i;
    base::WallTime started = host_.rotated_at.back();
    ASSERT_GE(started, scheduled) << "fire " << i;
    ASSERT_LE(started, scheduled + spec.random_delay) << "fire " << i;
    delays.insert(std::chrono::duration_cast<base::Duration>(started - scheduled));
  }
  EXPECT_THAT(host_.notes, ::testing::IsEmpty());  // no fire found the last one still waiting
  // The delays are spread over the range, not one fixed value.
  EXPECT_GT(delays.size(), 400u);
  EXPECT_LT(*delays.begin(), seconds(3));
  EXPECT_GT(*delays.rbegin(), seconds(27));

  // A manual run is not delayed. (Half a minute past a fire time, the delayed run of that
  // fire has started, so this one does not overlap it.)
  AdvanceTo(At(12, 0, 30) + hours(24));
  size_t before = host_.rotated_at.size();
  ASSERT_TRUE(task.Start(Trigger::kManual));
  ASSERT_EQ(host_.rotated_at.size(), before + 1);
  EXPECT_EQ(host_.rotated_at.back(), clock_.Now());
}

}  // namespace
}  // namespace vigil::tasks
