// SPDX-License-Identifier: MIT
// The fixture shared by the tasks tests: a real loop and launcher for the runs' processes,
// a FakeClock for every timing decision, and a TaskHost that records what it is told.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "fakes/fake_clock.h"
#include "process/launcher.h"
#include "tasks/task.h"

namespace vigil::tasks {

class RecordingHost : public TaskHost {
 public:
  explicit RecordingHost(const event::Clock& clock) : clock_(clock) {}
  int64_t NewRunId(Task&, const Run&) override { return ++last_id; }
  void OnRunFinished(Task&, const Run& run) override { finished.push_back(run); }
  void OnTaskNote(Task&, const std::string& message) override { notes.push_back(message); }
  base::Result<std::string> RestartPrograms(const std::vector<std::string>& programs) override {
    restarted.insert(restarted.end(), programs.begin(), programs.end());
    std::string out;
    for (const auto& p : programs) out += "restarted " + p + "\n";
    return out;
  }
  void RotateLogs() override { rotated_at.push_back(clock_.Now()); }

  int64_t last_id = 0;
  std::vector<Run> finished;
  std::vector<std::string> notes;
  std::vector<std::string> restarted;
  std::vector<base::WallTime> rotated_at;  // when each rotate-logs action ran

 private:
  const event::Clock& clock_;
};

// A time on Monday 2026-01-05, UTC.
inline base::WallTime At(int hour, int minute, int second = 0) {
  return std::chrono::sys_days{std::chrono::year{2026} / 1 / 5} + std::chrono::hours(hour) +
         std::chrono::minutes(minute) + std::chrono::seconds(second);
}
// The fake clock's start.
inline const base::WallTime kStart = At(10, 30);

class TaskFixture : public ::testing::Test {
 protected:
  // A command task on "@daily", in UTC so that tests do not depend on the machine's zone.
  static config::TaskSpec Command(std::vector<std::string> argv) {
    config::TaskSpec s;
    s.name = "job";
    s.schedule = "@daily";
    s.timezone = "UTC";
    s.argv = std::move(argv);
    return s;
  }
  // A rotate-logs task: its runs start and end at once, with no process.
  static config::TaskSpec Rotate(std::string name, std::string schedule) {
    config::TaskSpec s;
    s.name = std::move(name);
    s.schedule = std::move(schedule);
    s.timezone = "UTC";
    s.action = config::TaskAction::kRotateLogs;
    return s;
  }
  std::unique_ptr<Task> Make(config::TaskSpec spec) {
    auto schedule = schedule::Schedule::Parse(spec.schedule, spec.timezone);
    EXPECT_TRUE(schedule) << schedule.error().message();
    return std::make_unique<Task>(env_, std::move(spec), std::move(schedule).value());
  }

  // Runs the real loop (children's exits and output) until `done`, or until a real-time
  // deadline passes. A short poll timer wakes the loop so that conditions outside it (a
  // file a child writes) are seen too. The fake clock does not move.
  bool RunUntil(const std::function<bool()>& done, base::Duration deadline = base::Duration(10000)) {
    bool expired = false;
    auto timer = loop_.AddTimer(deadline, [&] { expired = true; });
    while (!done() && !expired) {
      auto poll = loop_.AddTimer(base::Duration(5), [] {});
      loop_.RunOne();
    }
    return done();
  }
  void Advance(base::Duration d) { clock_.Advance(d); }

  event::Loop loop_;
  process::LinuxLauncher launcher_{loop_};
  event::FakeClock clock_{kStart};
  RecordingHost host_{clock_};
  TaskEnv env_{loop_, clock_, launcher_, host_};
};

}  // namespace vigil::tasks
