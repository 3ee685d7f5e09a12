// SPDX-License-Identifier: MIT
// The built-in "report" action: a run asks its host for the health report of its period
// and ends at once with the host's answer as its output.
#include <gtest/gtest.h>

#include "tasks/task_test_fixture.h"

namespace vigil::tasks {
namespace {

class ReportingHost : public RecordingHost {
 public:
  using RecordingHost::RecordingHost;
  base::Result<std::string> WriteReport(base::Duration period) override {
    periods.push_back(period);
    if (!answer) return answer.error();
    return *answer;
  }
  std::vector<base::Duration> periods;
  base::Result<std::string> answer = std::string("saved /var/lib/vigil/reports/x.txt\n");
};

class ReportActionTest : public TaskFixture {
 protected:
  static config::TaskSpec Report(base::Duration period) {
    config::TaskSpec s = Rotate("weekly", "weekly mon 09:00");
    s.action = config::TaskAction::kReport;
    s.report_period = period;
    return s;
  }
  std::unique_ptr<Task> MakeWith(TaskEnv& env, config::TaskSpec spec) {
    auto schedule = schedule::Schedule::Parse(spec.schedule, spec.timezone);
    EXPECT_TRUE(schedule) << schedule.error().message();
    return std::make_unique<Task>(env, std::move(spec), std::move(schedule).value());
  }
  ReportingHost reporting_{clock_};
  TaskEnv reporting_env_{loop_, clock_, launcher_, reporting_};
};

TEST_F(ReportActionTest, AsksTheHostForItsPeriodAndRecordsTheAnswer) {
  auto task = MakeWith(reporting_env_, Report(std::chrono::hours(24)));
  ASSERT_TRUE(task->Start(Trigger::kManual));
  EXPECT_EQ(reporting_.periods, std::vector<base::Duration>{std::chrono::hours(24)});
  ASSERT_EQ(reporting_.finished.size(), 1u);
  EXPECT_EQ(reporting_.finished[0].exit_code, 0);
  EXPECT_EQ(reporting_.finished[0].output, "saved /var/lib/vigil/reports/x.txt\n");
}

TEST_F(ReportActionTest, AFailureIsAFailedRunWithTheReason) {
  reporting_.answer = base::Status::Unavailable("no history database");
  auto task = MakeWith(reporting_env_, Report(std::chrono::hours(24 * 7)));
  ASSERT_TRUE(task->Start(Trigger::kManual));
  ASSERT_EQ(reporting_.finished.size(), 1u);
  EXPECT_EQ(reporting_.finished[0].exit_code, 1);
  EXPECT_EQ(reporting_.finished[0].output, "no history database\n");
}

TEST_F(ReportActionTest, AHostWithoutReportsSaysSo) {
  auto task = Make(Report(std::chrono::hours(24 * 7)));
  ASSERT_TRUE(task->Start(Trigger::kManual));
  ASSERT_EQ(host_.finished.size(), 1u);
  EXPECT_EQ(host_.finished[0].exit_code, 1);
  EXPECT_EQ(host_.finished[0].output, "health reports are not available here\n");
}

}  // namespace
}  // namespace vigil::tasks
