// SPDX-License-Identifier: MIT
// Tests for reading valid [task.NAME] tables and [vigil] history_retention: every key,
// defaults, each action, restart expansion and cleanup path resolution.
#include <grp.h>
#include <gtest/gtest.h>

#include "config/config_test_util.h"

#include <chrono>
#include <initializer_list>

#include "config/load.h"

namespace vigil::config {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

constexpr const char* kFile = "/tmp/t/vigil.toml";

// Joins lines with '\n' so a test reads with its line numbers: element i is line i + 1.

DaemonSpec ParseOk(const std::string& text) {
  UserContext user;
  user.uid = 1000;
  user.home = "/home/ann";
  auto spec = ParseConfig(text, kFile, user);
  EXPECT_TRUE(spec.has_value()) << spec.error().message();
  return spec.has_value() ? *spec : DaemonSpec{};
}

// The one task of `text`, or a default TaskSpec (after a failed expectation).
TaskSpec OnlyTask(const std::string& text) {
  const DaemonSpec spec = ParseOk(text);
  EXPECT_EQ(spec.tasks.size(), 1u);
  return spec.tasks.empty() ? TaskSpec{} : spec.tasks[0];
}

TEST(TaskParseTest, CommandTaskWithEveryKey) {
  const TaskSpec t = OnlyTask(Lines({
      "[task.backup]",
      "schedule = \"daily 03:00\"",
      "timezone = \"Europe/Paris\"",
      "command = \"tar czf '/tmp/b 1.tgz' /srv\"",
      "directory = \"work/\"",
      "environment = { LEVEL = \"9\", EMPTY = \"\" }",
      "user = 3999999",
      "group = 3999998",
      "timeout = \"30m\"",
      "overlap = \"queue\"",
      "catch_up = true",
      "random_delay = \"5m\"",
      "retries = 2",
      "retry_backoff = \"1m30s\"",
      "enabled = false",
      "output_max_size = \"1MB\"",
  }));
  EXPECT_EQ(t.name, "backup");
  EXPECT_EQ(t.schedule, "daily 03:00");
  EXPECT_EQ(t.timezone, "Europe/Paris");
  EXPECT_EQ(t.action, TaskAction::kCommand);
  EXPECT_EQ(t.argv, (std::vector<std::string>{"tar", "czf", "/tmp/b 1.tgz", "/srv"}));
  EXPECT_EQ(t.directory, "/tmp/t/work");
  EXPECT_EQ(t.environment, (std::map<std::string, std::string>{{"LEVEL", "9"}, {"EMPTY", ""}}));
  EXPECT_EQ(t.uid, 3999999u);
  EXPECT_EQ(t.gid, 3999998u);
  EXPECT_EQ(t.user, "3999999");
  EXPECT_EQ(t.timeout, minutes(30));
  EXPECT_EQ(t.overlap, OverlapPolicy::kQueue);
  EXPECT_TRUE(t.catch_up);
  EXPECT_EQ(t.random_delay, minutes(5));
  EXPECT_EQ(t.retries, 2);
  EXPECT_EQ(t.retry_backoff, seconds(90));
  EXPECT_FALSE(t.enabled);
  EXPECT_EQ(t.output_max_bytes, 1024u * 1024u);
  EXPECT_TRUE(t.programs.empty());
  EXPECT_EQ(t.cleanup, CleanupSpec{});
}

TEST(TaskParseTest, CommandTaskDefaults) {
  const TaskSpec t = OnlyTask(Lines({"[task.t]", "schedule = \"@hourly\"", "command = \"true\""}));
  EXPECT_EQ(t.timezone, "");
  EXPECT_EQ(t.argv, (std::vector<std::string>{"true"}));
  EXPECT_EQ(t.directory, "");
  EXPECT_TRUE(t.environment.empty());
  EXPECT_FALSE(t.uid);
  EXPECT_FALSE(t.gid);
  EXPECT_FALSE(t.timeout);
  EXPECT_EQ(t.overlap, OverlapPolicy::kSkip);
  EXPECT_FALSE(t.catch_up);
  EXPECT_EQ(t.random_delay, seconds(0));
  EXPECT_EQ(t.retries, 0);
  EXPECT_EQ(t.retry_backoff, seconds(10));
  EXPECT_TRUE(t.enabled);
  EXPECT_EQ(t.output_max_bytes, 64u * 1024u);
}

TEST(TaskParseTest, AlternativeValueForms) {
  group* daemon_group = getgrnam("daemon");
  ASSERT_NE(daemon_group, nullptr);
  const TaskSpec t = OnlyTask(Lines({
      "[task.t]",
      "schedule = \"*/15 * * * *\"",
      "timezone = \"UTC\"",
      "command = [\"/bin/echo\", \"a b\", \"\"]",  // an array is the argv as is
      "user = \"root\"",
      "group = \"daemon\"",
      "timeout = 90",  // integer seconds
      "random_delay = 0",
      "retry_backoff = \"250ms\"",
      "output_max_size = 4096",  // integer bytes
      "retries = 1000",
      "",
      "[task.t.environment]",  // a sub-table instead of an inline table
      "A = \"1\"",
  }));
  EXPECT_EQ(t.timezone, "UTC");
  EXPECT_EQ(t.argv, (std::vector<std::string>{"/bin/echo", "a b", ""}));
  EXPECT_EQ(t.uid, 0u);
  EXPECT_EQ(t.gid, daemon_group->gr_gid);
  EXPECT_EQ(t.timeout, seconds(90));
  EXPECT_EQ(t.random_delay, seconds(0));
  EXPECT_EQ(t.retry_backoff, milliseconds(250));
  EXPECT_EQ(t.output_max_bytes, 4096u);
  EXPECT_EQ(t.retries, 1000);
  EXPECT_EQ(t.environment.at("A"), "1");
}

TEST(TaskParseTest, UserAloneSetsItsPrimaryGroup) {
  const TaskSpec t = OnlyTask(Lines({"[task.t]", "schedule = \"@daily\"", "command = \"true\"", "user = \"root\""}));
  EXPECT_EQ(t.uid, 0u);
  EXPECT_EQ(t.gid, 0u);
  EXPECT_EQ(t.user, "root");
}

TEST(TaskParseTest, EveryOverlapPolicy) {
  const std::pair<const char*, OverlapPolicy> cases[] = {
      {"skip", OverlapPolicy::kSkip}, {"queue", OverlapPolicy::kQueue}, {"replace", OverlapPolicy::kReplace}};
  for (const auto& [text, want] : cases) {
    const TaskSpec t =
        OnlyTask("[task.t]\nschedule = \"@daily\"\ncommand = \"true\"\noverlap = \"" + std::string(text) + "\"\n");
    EXPECT_EQ(t.overlap, want) << text;
  }
}

TEST(TaskParseTest, ScheduleFormsAreAcceptedAsWritten) {
  for (const char* schedule : {"*/15 * * * *", "0 3 * * 1-5", "@reboot", "@daily", "every 6h", "daily 03:00",
                               "weekly sun 02:00", "monthly 1 04:00"}) {
    const TaskSpec t = OnlyTask("[task.t]\nschedule = \"" + std::string(schedule) + "\"\naction = \"rotate-logs\"\n");
    EXPECT_EQ(t.schedule, schedule);
  }
}

TEST(TaskParseTest, TasksKeepFileOrder) {
  const DaemonSpec spec = ParseOk(Lines({
      "[task.zeta]",
      "schedule = \"@daily\"",
      "command = \"z\"",
      "[task.alpha]",
      "schedule = \"@daily\"",
      "command = \"a\"",
      "[task.\"db.dump\"]",
      "schedule = \"@daily\"",
      "command = \"d\"",
  }));
  ASSERT_EQ(spec.tasks.size(), 3u);
  EXPECT_EQ(spec.tasks[0].name, "zeta");
  EXPECT_EQ(spec.tasks[1].name, "alpha");
  EXPECT_EQ(spec.tasks[2].name, "db.dump");
}

TEST(TaskParseTest, NoTasksByDefault) { EXPECT_TRUE(ParseOk("").tasks.empty()); }

TEST(TaskParseTest, RotateLogsNeedsNothingElse) {
  const TaskSpec t = OnlyTask(Lines({"[task.r]", "schedule = \"daily 03:10\"", "action = \"rotate-logs\""}));
  EXPECT_EQ(t.action, TaskAction::kRotateLogs);
  EXPECT_TRUE(t.argv.empty());
}

TEST(TaskParseTest, RestartExpandsProgramsToInstances) {
  const DaemonSpec spec = ParseOk(Lines({
      "[task.r]",  // before the programs it names: programs are read first
      "schedule = \"weekly sun 02:00\"",
      "action = \"restart\"",
      "programs = [\"db\", \"web\", \"worker:1\", \"web:0\", \"db\"]",
      "[program.web]",
      "command = \"/bin/web\"",
      "instances = 2",
      "[program.db]",
      "command = \"/bin/db\"",
      "[program.worker]",
      "command = \"/bin/worker\"",
      "instances = 3",
  }));
  ASSERT_EQ(spec.tasks.size(), 1u);
  EXPECT_EQ(spec.tasks[0].action, TaskAction::kRestart);
  // In the order written, instances in index order, each once.
  EXPECT_EQ(spec.tasks[0].programs, (std::vector<std::string>{"db", "web:0", "web:1", "worker:1"}));
}

TEST(TaskParseTest, CleanupResolvesPathsAgainstTheConfigDirectory) {
  const TaskSpec t = OnlyTask(Lines({
      "[task.c]",
      "schedule = \"daily 03:00\"",
      "action = \"cleanup\"",
      "paths = [\"tmp\", \"./cache/\", \"../shared/x\", \"/var/tmp/app/\"]",
      "pattern = \"*.log.[0-9]\"",
      "older_than = \"7d\"",
      "max_total_size = \"1GB\"",
  }));
  EXPECT_EQ(t.action, TaskAction::kCleanup);
  EXPECT_EQ(t.cleanup.paths, (std::vector<std::string>{"/tmp/t/tmp", "/tmp/t/cache", "/tmp/shared/x", "/var/tmp/app"}));
  EXPECT_EQ(t.cleanup.pattern, "*.log.[0-9]");
  EXPECT_EQ(t.cleanup.older_than, hours(24 * 7));
  EXPECT_EQ(t.cleanup.max_total_bytes, 1024ull * 1024 * 1024);
}

TEST(TaskParseTest, CleanupNeedsOnlyOneLimit) {
  const TaskSpec by_age = OnlyTask(Lines(
      {"[task.c]", "schedule = \"@daily\"", "action = \"cleanup\"", "paths = [\"/srv/tmp\"]", "older_than = 3600"}));
  EXPECT_EQ(by_age.cleanup.pattern, "*");
  EXPECT_EQ(by_age.cleanup.older_than, hours(1));
  EXPECT_FALSE(by_age.cleanup.max_total_bytes);

  const TaskSpec by_size = OnlyTask(Lines(
      {"[task.c]", "schedule = \"@daily\"", "action = \"cleanup\"", "paths = [\"/srv/tmp\"]", "max_total_size = 0"}));
  EXPECT_FALSE(by_size.cleanup.older_than);
  EXPECT_EQ(by_size.cleanup.max_total_bytes, 0u);
}

TEST(TaskParseTest, ActionTasksTakeTheGeneralKeys) {
  const TaskSpec t = OnlyTask(Lines({
      "[program.web]",
      "command = \"w\"",
      "[task.r]",
      "schedule = \"@daily\"",
      "action = \"restart\"",
      "programs = [\"web\"]",
      "overlap = \"replace\"",
      "catch_up = true",
      "random_delay = \"1m\"",
      "retries = 3",
      "retry_backoff = \"30s\"",
      "enabled = false",
      "output_max_size = \"1KB\"",
  }));
  EXPECT_EQ(t.overlap, OverlapPolicy::kReplace);
  EXPECT_TRUE(t.catch_up);
  EXPECT_EQ(t.random_delay, minutes(1));
  EXPECT_EQ(t.retries, 3);
  EXPECT_EQ(t.retry_backoff, seconds(30));
  EXPECT_FALSE(t.enabled);
  EXPECT_EQ(t.output_max_bytes, 1024u);
}

TEST(HistoryRetentionTest, DefaultsToThirtyDays) {
  EXPECT_EQ(ParseOk("").history_retention, hours(24 * 30));
  EXPECT_EQ(ParseOk("[vigil]\nlog_keep = 3\n").history_retention, hours(24 * 30));
}

TEST(HistoryRetentionTest, AcceptsDurationsAndSeconds) {
  EXPECT_EQ(ParseOk("[vigil]\nhistory_retention = \"7d\"\n").history_retention, hours(24 * 7));
  EXPECT_EQ(ParseOk("[vigil]\nhistory_retention = \"1d12h\"\n").history_retention, hours(36));
  EXPECT_EQ(ParseOk("[vigil]\nhistory_retention = 3600\n").history_retention, hours(1));
}

}  // namespace
}  // namespace vigil::config
