// SPDX-License-Identifier: MIT
// [task.NAME] parsing: every key, the command/action rules, and FILE:LINE: key errors.
#include <gtest/gtest.h>

#include "config/load.h"

namespace vigil::config {
namespace {

constexpr const char* kFile = "/tmp/t/vigil.toml";

base::Result<DaemonSpec> Parse(const std::string& text) {
  UserContext user;
  user.uid = 1000;
  user.home = "/home/ann";
  return ParseConfig(text, kFile, user);
}

std::string ErrorOf(const std::string& text) {
  auto spec = Parse(text);
  if (spec) return "<parsed fine>";
  return spec.error().message();
}

const char* kWeb = "[program.web]\ncommand = \"/bin/web\"\ninstances = 2\n\n";  // lines 1-4

TEST(TaskParseTest, CommandTaskWithEveryKey) {
  auto spec = Parse(std::string(kWeb) + R"([task.backup]
schedule = "daily 03:00"
timezone = "Europe/Paris"
command = "tar czf /tmp/b.tgz /srv"
directory = "work"
environment = { LEVEL = "9" }
timeout = "30m"
overlap = "queue"
catch_up = true
random_delay = "5m"
retries = 2
retry_backoff = "1m"
enabled = false
output_max_size = "1MB"
)");
  ASSERT_TRUE(spec) << spec.error().message();
  ASSERT_EQ(spec->tasks.size(), 1u);
  const TaskSpec& t = spec->tasks[0];
  EXPECT_EQ(t.name, "backup");
  EXPECT_EQ(t.schedule, "daily 03:00");
  EXPECT_EQ(t.timezone, "Europe/Paris");
  EXPECT_EQ(t.action, TaskAction::kCommand);
  EXPECT_EQ(t.argv, (std::vector<std::string>{"tar", "czf", "/tmp/b.tgz", "/srv"}));
  EXPECT_EQ(t.directory, "/tmp/t/work");
  EXPECT_EQ(t.environment.at("LEVEL"), "9");
  EXPECT_EQ(t.timeout, std::chrono::minutes(30));
  EXPECT_EQ(t.overlap, OverlapPolicy::kQueue);
  EXPECT_TRUE(t.catch_up);
  EXPECT_EQ(t.random_delay, std::chrono::minutes(5));
  EXPECT_EQ(t.retries, 2);
  EXPECT_EQ(t.retry_backoff, std::chrono::minutes(1));
  EXPECT_FALSE(t.enabled);
  EXPECT_EQ(t.output_max_bytes, 1024u * 1024u);
}

TEST(TaskParseTest, DefaultsAndHistoryRetention) {
  auto spec = Parse("[vigil]\nhistory_retention = \"7d\"\n[task.t]\nschedule = \"@hourly\"\ncommand = \"true\"\n");
  ASSERT_TRUE(spec) << spec.error().message();
  EXPECT_EQ(spec->history_retention, std::chrono::hours(24 * 7));
  const TaskSpec& t = spec->tasks[0];
  EXPECT_EQ(t.overlap, OverlapPolicy::kSkip);
  EXPECT_FALSE(t.catch_up);
  EXPECT_EQ(t.retries, 0);
  EXPECT_TRUE(t.enabled);
  EXPECT_FALSE(t.timeout);
  EXPECT_EQ(Parse("")->history_retention, std::chrono::hours(24 * 30));
}

TEST(TaskParseTest, RestartActionExpandsInstances) {
  auto spec = Parse(std::string(kWeb) + "[task.r]\nschedule = \"weekly sun 02:00\"\naction = \"restart\"\nprograms = [\"web\"]\n");
  ASSERT_TRUE(spec) << spec.error().message();
  EXPECT_EQ(spec->tasks[0].action, TaskAction::kRestart);
  EXPECT_EQ(spec->tasks[0].programs, (std::vector<std::string>{"web:0", "web:1"}));
}

TEST(TaskParseTest, CleanupActionResolvesPaths) {
  auto spec = Parse("[task.c]\nschedule = \"daily 03:00\"\naction = \"cleanup\"\npaths = [\"tmp\", \"/var/tmp/app\"]\n"
                    "pattern = \"*.log\"\nolder_than = \"7d\"\nmax_total_size = \"1GB\"\n");
  ASSERT_TRUE(spec) << spec.error().message();
  const auto& c = spec->tasks[0].cleanup;
  EXPECT_EQ(c.paths, (std::vector<std::string>{"/tmp/t/tmp", "/var/tmp/app"}));
  EXPECT_EQ(c.pattern, "*.log");
  EXPECT_EQ(c.older_than, std::chrono::hours(24 * 7));
  EXPECT_EQ(c.max_total_bytes, 1024ull * 1024 * 1024);
}

TEST(TaskParseTest, ErrorsNameFileLineAndKey) {
  struct {
    std::string text;
    std::string want;
  } cases[] = {
      {"[task.t]\nschedule = \"61 * * * *\"\ncommand = \"true\"\n",
       ":2: task.t.schedule: minute \"61\" is out of range 0-59 in \"61 * * * *\""},
      {"[task.t]\nschedule = \"@daily\"\ntimezone = \"Mars/Olympus\"\ncommand = \"true\"\n",
       ":3: task.t.timezone: unknown time zone \"Mars/Olympus\""},
      {"[task.t]\ncommand = \"true\"\n", ":1: task.t: missing required key \"schedule\""},
      {"[task.t]\nschedule = \"@daily\"\n", ":1: task.t: needs command (a program to run) or action"},
      {"[task.t]\nschedule = \"@daily\"\ncommand = \"true\"\naction = \"restart\"\n",
       ":4: task.t.action: a task has either command or action, not both"},
      {"[task.t]\nschedule = \"@daily\"\naction = \"reboot\"\n",
       ":3: task.t.action: expected \"restart\", \"cleanup\" or \"rotate-logs\", got \"reboot\""},
      {"[task.t]\nschedule = \"@daily\"\ncommand = \"true\"\noverlap = \"never\"\n",
       ":4: task.t.overlap: expected \"skip\", \"queue\" or \"replace\", got \"never\""},
      {"[task.t]\nschedule = \"@daily\"\ncommand = \"true\"\npaths = [\"/tmp\"]\n",
       ":4: task.t.paths: only applies to action = \"cleanup\""},
      {"[task.t]\nschedule = \"@daily\"\naction = \"cleanup\"\npaths = [\"/tmp\"]\n",
       ":1: task.t: action = \"cleanup\" needs older_than or max_total_size"},
      {"[task.t]\nschedule = \"@daily\"\naction = \"restart\"\nprograms = [\"nope\"]\n",
       ":4: task.t.programs: unknown program \"nope\""},
      {"[task.t]\nschedule = \"@daily\"\naction = \"rotate-logs\"\ndirectory = \"/tmp\"\n",
       ":4: task.t.directory: only applies to command tasks"},
      {"[task.t]\nschedule = \"@daily\"\ncommand = \"true\"\nretries = -1\n", ":4: task.t.retries:"},
      {"[task.t]\nschedule = \"@daily\"\ncommand = \"true\"\ntimeout = \"soon\"\n", ":4: task.t.timeout:"},
      {"[task.t]\nschedule = \"@daily\"\ncommand = \"true\"\nschedul = 1\n", ":4: task.t.schedul: unknown key"},
      {std::string(kWeb) + "[task.web]\nschedule = \"@daily\"\ncommand = \"true\"\n",
       ":5: task.web: a program is already called \"web\""},
  };
  for (const auto& c : cases) {
    std::string error = ErrorOf(c.text);
    EXPECT_EQ(error.rfind(std::string(kFile) + c.want, 0), 0u) << "got: " << error << "\nwant prefix: " << c.want;
  }
}

}  // namespace
}  // namespace vigil::config
