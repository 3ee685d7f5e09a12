// SPDX-License-Identifier: MIT
// when_idle on a fake clock and a scripted machine: a due run starts at once when the
// machine is idle, waits while it is busy and starts when it becomes idle, runs or is
// skipped at max_wait, records how long it waited, and arms no timer while nothing waits;
// manual runs never wait; reload carries a wait over, removal drops it.
#include "tasks/idle_wait.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tasks/scheduler.h"
#include "tasks/task_test_fixture.h"

namespace vigil::tasks {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// The machine as the test sets it. Like the daemon's meter, a meter's first reading has
// no CPU share (it needs two readings of the counters).
struct Machine {
  double cpu_percent = 0;
  double load_per_cpu = 0;
  std::string error;
  int reads = 0;
};

class ScriptedMeter final : public IdleMeter {
 public:
  explicit ScriptedMeter(Machine& machine) : machine_(machine) {}
  IdleReading Read() override {
    ++machine_.reads;
    IdleReading r;
    if (!first_) r.cpu_busy_percent = machine_.cpu_percent;
    first_ = false;
    r.load_per_cpu = machine_.load_per_cpu;
    r.error = machine_.error;
    return r;
  }

 private:
  Machine& machine_;
  bool first_ = true;
};

class IdleHost final : public RecordingHost {
 public:
  IdleHost(const event::Clock& clock, Machine& machine) : RecordingHost(clock), machine_(machine) {}
  std::unique_ptr<IdleMeter> NewIdleMeter() override { return std::make_unique<ScriptedMeter>(machine_); }
  void OnIdleSkip(Task&, const std::string& message) override { skipped.push_back(message); }
  std::vector<std::string> skipped;

 private:
  Machine& machine_;
};

class IdleWaitTest : public ::testing::Test {
 protected:
  // A rotate-logs task (its runs end at once) at half past every hour, in UTC.
  static config::TaskSpec Idle(config::WhenIdleSpec idle, std::string name = "maint") {
    config::TaskSpec s;
    s.name = std::move(name);
    s.schedule = "30 * * * *";
    s.timezone = "UTC";
    s.action = config::TaskAction::kRotateLogs;
    s.when_idle = idle;
    return s;
  }
  static config::WhenIdleSpec Cpu(double below, base::Duration max_wait = hours(6), bool skip = false) {
    config::WhenIdleSpec w;
    w.cpu_below_percent = below;
    w.max_wait = max_wait;
    w.skip_after_max_wait = skip;
    w.check_every = minutes(1);
    return w;
  }
  void Busy() { machine_.cpu_percent = 95; }
  void Quiet() { machine_.cpu_percent = 3; }
  // Moves the fake clock to `t`, firing what falls due.
  void AdvanceTo(base::WallTime t) { clock_.Advance(std::chrono::duration_cast<base::Duration>(t - clock_.Now())); }
  Task& Find(const std::string& name) { return *scheduler_.Find(name); }

  event::Loop loop_;
  process::LinuxLauncher launcher_{loop_};
  event::FakeClock clock_{kStart};
  Machine machine_;
  IdleHost host_{clock_, machine_};
  Scheduler scheduler_{loop_, clock_, launcher_, host_};
};

IdleReading Reading(std::optional<double> cpu, double load, std::string error = "") {
  IdleReading r;
  r.cpu_busy_percent = cpu;
  r.load_per_cpu = load;
  r.error = std::move(error);
  return r;
}

TEST(IdleEnoughTest, EveryLimitMustHoldAndSaysWhatDoesNot) {
  config::WhenIdleSpec spec;
  spec.cpu_below_percent = 20;
  spec.load_below = 0.5;
  std::string why;
  EXPECT_TRUE(IdleEnough(spec, Reading(19.9, 0.49), &why));
  EXPECT_EQ(why, "");
  EXPECT_FALSE(IdleEnough(spec, Reading(20, 0.1), &why));
  EXPECT_EQ(why, "CPU 20% (needs below 20%)");
  EXPECT_FALSE(IdleEnough(spec, Reading(45, 0.9), &why));
  EXPECT_EQ(why, "CPU 45% (needs below 20%), load 0.90 per CPU (needs below 0.5)");
  EXPECT_FALSE(IdleEnough(spec, Reading(std::nullopt, 0), &why));
  EXPECT_EQ(why, "CPU use not measured yet");
  EXPECT_FALSE(IdleEnough(spec, Reading(1, 0, "/proc/stat: gone"), &why));
  EXPECT_EQ(why, "cannot read the machine's figures: /proc/stat: gone");
  // Only the limits given count.
  config::WhenIdleSpec load_only;
  load_only.load_below = 0.5;
  EXPECT_TRUE(IdleEnough(load_only, Reading(std::nullopt, 0.2), &why));
}

TEST_F(IdleWaitTest, RunsAtOnceWhenIdle) {
  config::WhenIdleSpec load_only;
  load_only.load_below = 0.5;
  machine_.load_per_cpu = 0.1;
  ASSERT_TRUE(scheduler_.Apply({Idle(load_only)}));
  AdvanceTo(At(11, 30));
  ASSERT_EQ(host_.finished.size(), 1u);
  EXPECT_EQ(host_.finished[0].started, At(11, 30));
  EXPECT_EQ(host_.finished[0].deferred, base::Duration(0));
  EXPECT_EQ(host_.notes, std::vector<std::string>{});  // nothing waited, nothing to say
  EXPECT_EQ(machine_.reads, 1);
  EXPECT_EQ(clock_.pending(), 1u);  // the schedule's timer only
}

TEST_F(IdleWaitTest, WaitsWhileBusyAndRunsWhenIdleWithItsDeferral) {
  Busy();
  ASSERT_TRUE(scheduler_.Apply({Idle(Cpu(20))}));
  AdvanceTo(At(11, 30));
  EXPECT_TRUE(host_.finished.empty());
  ASSERT_EQ(host_.notes.size(), 1u);
  EXPECT_EQ(host_.notes[0],
            "schedule run waits for an idle machine (CPU below 20%; at most 6h, then run): CPU use not measured yet");
  EXPECT_EQ(Find("maint").waiting_since(), At(11, 30));

  AdvanceTo(At(11, 40));
  EXPECT_TRUE(host_.finished.empty());
  EXPECT_EQ(machine_.reads, 11);  // at 11:30, then once a minute
  Quiet();
  AdvanceTo(At(11, 41));
  ASSERT_EQ(host_.finished.size(), 1u);
  EXPECT_EQ(host_.finished[0].started, At(11, 41));
  EXPECT_EQ(host_.finished[0].deferred, minutes(11));
  EXPECT_EQ(host_.finished[0].trigger, Trigger::kSchedule);
  EXPECT_FALSE(Find("maint").waiting_since());
  // No checks once nothing waits: the schedule's timer is the only one.
  EXPECT_EQ(clock_.pending(), 1u);
  AdvanceTo(At(12, 29));
  EXPECT_EQ(machine_.reads, 12);
}

TEST_F(IdleWaitTest, RunsAnywayAtMaxWait) {
  Busy();
  ASSERT_TRUE(scheduler_.Apply({Idle(Cpu(20, minutes(30)))}));
  AdvanceTo(At(11, 30) + minutes(30) - base::Duration(1));
  EXPECT_TRUE(host_.finished.empty());
  clock_.Advance(base::Duration(1));
  ASSERT_EQ(host_.finished.size(), 1u);
  EXPECT_EQ(host_.finished[0].started, At(12, 0));
  EXPECT_EQ(host_.finished[0].deferred, minutes(30));
  EXPECT_THAT(host_.notes.back(), HasSubstr("schedule run starts anyway: the machine was not idle within 30m"
                                            " (CPU 95% (needs below 20%))"));
  EXPECT_TRUE(host_.skipped.empty());
}

TEST_F(IdleWaitTest, SkippedAtMaxWaitWhenThenIsSkip) {
  Busy();
  ASSERT_TRUE(scheduler_.Apply({Idle(Cpu(20, minutes(30), /*skip=*/true))}));
  AdvanceTo(At(12, 0));
  EXPECT_TRUE(host_.finished.empty());
  ASSERT_EQ(host_.skipped.size(), 1u);
  EXPECT_EQ(host_.skipped[0],
            "schedule run skipped: the machine was not idle within 30m (CPU 95% (needs below 20%)) (then = skip)");
  EXPECT_FALSE(Find("maint").waiting_since());
  EXPECT_EQ(clock_.pending(), 1u);  // the schedule's timer only
  // The next slot waits afresh, and runs when the machine is quiet.
  Quiet();
  AdvanceTo(At(12, 31));
  ASSERT_EQ(host_.finished.size(), 1u);
  EXPECT_EQ(host_.finished[0].deferred, minutes(1));
}

TEST_F(IdleWaitTest, ManualRunsDoNotWait) {
  Busy();
  ASSERT_TRUE(scheduler_.Apply({Idle(Cpu(20))}));
  ASSERT_TRUE(Find("maint").Start(Trigger::kManual));
  ASSERT_EQ(host_.finished.size(), 1u);
  EXPECT_EQ(host_.finished[0].trigger, Trigger::kManual);
  EXPECT_EQ(host_.finished[0].deferred, base::Duration(0));
  EXPECT_EQ(machine_.reads, 0);
}

TEST_F(IdleWaitTest, ADueRunWhileOneWaitsIsFoldedIntoIt) {
  Busy();
  ASSERT_TRUE(scheduler_.Apply({Idle(Cpu(20))}));
  AdvanceTo(At(13, 30));  // due at 11:30, 12:30 and 13:30
  EXPECT_EQ(Find("maint").waiting_since(), At(11, 30));
  EXPECT_THAT(host_.notes.back(), HasSubstr("schedule run folded into the schedule run waiting for an idle machine"
                                            " for 2h"));
  Quiet();
  AdvanceTo(At(13, 31));
  ASSERT_EQ(host_.finished.size(), 1u);
  EXPECT_EQ(host_.finished[0].deferred, minutes(121));
}

TEST_F(IdleWaitTest, DisablingDropsTheWait) {
  Busy();
  ASSERT_TRUE(scheduler_.Apply({Idle(Cpu(20))}));
  AdvanceTo(At(11, 35));
  scheduler_.SetEnabled(Find("maint"), false);
  EXPECT_FALSE(Find("maint").waiting_since());
  EXPECT_EQ(host_.notes.back(), "the schedule run waiting for an idle machine is dropped: task disabled");
  EXPECT_EQ(clock_.pending(), 0u);
}

TEST_F(IdleWaitTest, ReloadOfAChangedTaskKeepsTheWaitFromWhenItFellDue) {
  Busy();
  ASSERT_TRUE(scheduler_.Apply({Idle(Cpu(20))}));
  AdvanceTo(At(11, 40));
  config::TaskSpec changed = Idle(Cpu(50));
  ASSERT_TRUE(scheduler_.Apply({changed}));
  EXPECT_EQ(Find("maint").waiting_since(), At(11, 30));
  machine_.cpu_percent = 40;  // idle by the new limit
  AdvanceTo(At(11, 42));
  ASSERT_EQ(host_.finished.size(), 1u);
  EXPECT_EQ(host_.finished[0].deferred, minutes(11));
}

TEST_F(IdleWaitTest, ReloadWithoutWhenIdleRunsTheWaitingRunNow) {
  Busy();
  ASSERT_TRUE(scheduler_.Apply({Idle(Cpu(20))}));
  AdvanceTo(At(11, 40));
  config::TaskSpec plain = Idle(Cpu(20));
  plain.when_idle.reset();
  ASSERT_TRUE(scheduler_.Apply({plain}));
  ASSERT_EQ(host_.finished.size(), 1u);
  EXPECT_EQ(host_.finished[0].started, At(11, 40));
  EXPECT_EQ(host_.finished[0].deferred, minutes(10));
}

TEST_F(IdleWaitTest, RemovingAWaitingTaskDropsItsWaitAndTimer) {
  Busy();
  ASSERT_TRUE(scheduler_.Apply({Idle(Cpu(20)), Idle(Cpu(20), "other")}));
  AdvanceTo(At(11, 35));
  EXPECT_EQ(clock_.pending(), 3u);  // the schedule, and a check for each waiting run
  ASSERT_TRUE(scheduler_.Apply({Idle(Cpu(20), "other")}));
  EXPECT_EQ(scheduler_.Find("maint"), nullptr);
  EXPECT_EQ(clock_.pending(), 2u);
  const int reads = machine_.reads;
  Quiet();
  AdvanceTo(At(11, 36));
  EXPECT_EQ(machine_.reads, reads + 1);  // only "other" still looks
  ASSERT_EQ(host_.finished.size(), 1u);
}

TEST_F(IdleWaitTest, ReadErrorsNeverCountAsIdle) {
  machine_.error = "/proc/stat: No such file or directory";
  ASSERT_TRUE(scheduler_.Apply({Idle(Cpu(20, minutes(5)))}));
  AdvanceTo(At(11, 34));
  EXPECT_TRUE(host_.finished.empty());
  AdvanceTo(At(11, 35));
  ASSERT_EQ(host_.finished.size(), 1u);
  EXPECT_THAT(host_.notes.back(), HasSubstr("cannot read the machine's figures"));
}

}  // namespace
}  // namespace vigil::tasks
