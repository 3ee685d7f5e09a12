// SPDX-License-Identifier: MIT
// Tests for a [task.NAME] with action = "report": its period key, its default, and the
// keys it refuses, each as one "FILE:LINE: task.NAME.KEY: reason" line.
#include <gtest/gtest.h>

#include <chrono>

#include "config/config_test_util.h"
#include "config/load.h"

namespace vigil::config {
namespace {

constexpr const char* kFile = "/tmp/t/vigil.toml";

std::optional<TaskSpec> Parse(const std::string& text) {
  UserContext user;
  user.uid = 1000;
  user.home = "/home/ann";
  auto spec = ParseConfig(text, kFile, user);
  EXPECT_TRUE(spec.has_value()) << spec.error().message();
  if (!spec || spec->tasks.size() != 1) return std::nullopt;
  return spec->tasks[0];
}

TEST(ReportTaskParseTest, PeriodDefaultsToSevenDays) {
  auto task = Parse("[task.weekly]\nschedule = \"weekly mon 09:00\"\naction = \"report\"\n");
  ASSERT_TRUE(task);
  EXPECT_EQ(task->action, TaskAction::kReport);
  EXPECT_EQ(TaskActionName(task->action), "report");
  EXPECT_EQ(task->report_period, std::chrono::hours(24 * 7));
}

TEST(ReportTaskParseTest, PeriodIsADuration) {
  auto task = Parse("[task.daily]\nschedule = \"daily 08:00\"\naction = \"report\"\nperiod = \"1d\"\n");
  ASSERT_TRUE(task);
  EXPECT_EQ(task->report_period, std::chrono::hours(24));
}

TEST(ReportTaskParseTest, BadPeriodsAndKeysOfOtherTasks) {
  const std::string head = "[task.r]\nschedule = \"@daily\"\naction = \"report\"\n";
  EXPECT_EQ(ParseError(head + "period = \"10m\"\n", kFile), ErrorAt(kFile, 4, "task.r.period: must be at least 1h"));
  EXPECT_EQ(ParseError(head + "period = 7\n", kFile).rfind(ErrorAt(kFile, 4, "task.r.period: "), 0), 0u);
  EXPECT_EQ(
      ParseError(head + "paths = [\"/tmp\"]\n", kFile),
      ErrorAt(kFile, 4, "task.r.paths: only applies to action = \"cleanup\" (this task has action = \"report\")"));
  EXPECT_EQ(ParseError("[task.c]\nschedule = \"@daily\"\ncommand = \"true\"\nperiod = \"7d\"\n", kFile),
            ErrorAt(kFile, 4, "task.c.period: only applies to action = \"report\" (this task runs a command)"));
}

}  // namespace
}  // namespace vigil::config
