// SPDX-License-Identifier: MIT
// Tests that every mistake in a [task.NAME] table or history_retention is reported as one
// "FILE:LINE: task.NAME.KEY: reason" line, at the right line and key.
#include <gtest/gtest.h>

#include "config/config_test_util.h"

#include <initializer_list>

#include "config/load.h"

namespace vigil::config {
namespace {

constexpr const char* kFile = "/tmp/t/vigil.toml";


// The error message for `text`, or "<parsed fine>".
std::string ErrorOf(const std::string& text) { return ParseError(text, kFile); }

// "[task.t]" on line 1, then `body` from line 2 on.
std::string Task(std::initializer_list<const char*> body) {
  std::string out = "[task.t]\n";
  for (const char* line : body) out += std::string(line) + "\n";
  return out;
}

// A command task: header, schedule, command; `body` starts at line 4.
std::string CommandTask(std::initializer_list<const char*> body) {
  std::string out = "[task.t]\nschedule = \"@daily\"\ncommand = \"true\"\n";
  for (const char* line : body) out += std::string(line) + "\n";
  return out;
}

std::string At(int line, const std::string& rest) { return ErrorAt(kFile, line, rest); }

TEST(TaskErrorTest, ScheduleIsRequiredAndChecked) {
  EXPECT_EQ(ErrorOf(Task({"command = \"true\""})), At(1, "task.t: missing required key \"schedule\""));
  EXPECT_EQ(ErrorOf(Task({"command = \"true\"", "schedule = \"61 * * * *\""})),
            At(3, "task.t.schedule: minute \"61\" is out of range 0-59 in \"61 * * * *\""));
  EXPECT_EQ(ErrorOf(Task({"schedule = \"weekly sunday, 02:00\"", "command = \"true\""})),
            At(2, "task.t.schedule: unknown day \"sunday,\" in \"weekly sunday, 02:00\""));
  EXPECT_EQ(ErrorOf(Task({"schedule = \"\"", "command = \"true\""})), At(2, "task.t.schedule: empty schedule"));
  EXPECT_EQ(ErrorOf(Task({"schedule = 5", "command = \"true\""})),
            At(2, "task.t.schedule: expected a string, got integer 5"));
}

TEST(TaskErrorTest, TimeZoneIsReportedAtItsOwnKey) {
  EXPECT_EQ(ErrorOf(Task({"timezone = \"Mars/Olympus\"", "schedule = \"@daily\"", "command = \"true\""})),
            At(2, "task.t.timezone: unknown time zone \"Mars/Olympus\""));
  // A bad zone comes first even when the schedule is wrong too: the schedule is read in it.
  EXPECT_EQ(ErrorOf(Task({"schedule = \"61 * * * *\"", "timezone = \"Mars/Olympus\"", "command = \"true\""})),
            At(3, "task.t.timezone: unknown time zone \"Mars/Olympus\""));
  EXPECT_EQ(ErrorOf(Task({"schedule = \"daily 25:00\"", "timezone = \"UTC\"", "command = \"true\""}))
                .rfind(At(2, "task.t.schedule: "), 0),
            0u);
  EXPECT_EQ(ErrorOf(Task({"schedule = \"@daily\"", "timezone = \"\"", "command = \"true\""})),
            At(3, "task.t.timezone: must not be empty (leave the key out to get the default)"));
  EXPECT_EQ(ErrorOf(Task({"schedule = \"@daily\"", "timezone = 1", "command = \"true\""})),
            At(3, "task.t.timezone: expected a string, got integer 1"));
}

TEST(TaskErrorTest, ExactlyOneOfCommandOrAction) {
  EXPECT_EQ(ErrorOf(Task({"schedule = \"@daily\""})),
            At(1, "task.t: needs command (a program to run) or action (\"restart\", \"cleanup\", \"rotate-logs\" or \"report\")"));
  EXPECT_EQ(ErrorOf(Task({"schedule = \"@daily\"", "command = \"true\"", "action = \"rotate-logs\""})),
            At(4, "task.t.action: a task has either command or action, not both"));
  EXPECT_EQ(ErrorOf(Task({"action = \"rotate-logs\"", "schedule = \"@daily\"", "command = \"true\""})),
            At(4, "task.t.command: a task has either command or action, not both"));
}

TEST(TaskErrorTest, BadActionAndOverlapValues) {
  EXPECT_EQ(ErrorOf(Task({"schedule = \"@daily\"", "action = \"reboot\""})),
            At(3, "task.t.action: expected \"restart\", \"cleanup\", \"rotate-logs\" or \"report\", got \"reboot\""));
  EXPECT_EQ(ErrorOf(Task({"schedule = \"@daily\"", "action = \"\""})),
            At(3, "task.t.action: expected \"restart\", \"cleanup\", \"rotate-logs\" or \"report\", got \"\""));
  EXPECT_EQ(ErrorOf(Task({"schedule = \"@daily\"", "action = [\"restart\"]"})),
            At(3, "task.t.action: expected \"restart\", \"cleanup\", \"rotate-logs\" or \"report\", got an array"));
  EXPECT_EQ(ErrorOf(CommandTask({"overlap = \"never\""})),
            At(4, "task.t.overlap: expected \"skip\", \"queue\" or \"replace\", got \"never\""));
  EXPECT_EQ(ErrorOf(CommandTask({"overlap = true"})),
            At(4, "task.t.overlap: expected \"skip\", \"queue\" or \"replace\", got boolean true"));
}

TEST(TaskErrorTest, CommandKeysAreCheckedAsForPrograms) {
  EXPECT_EQ(ErrorOf(Task({"schedule = \"@daily\"", "command = []"})), At(3, "task.t.command: empty command"));
  EXPECT_EQ(ErrorOf(Task({"schedule = \"@daily\"", "command = 5"})),
            At(3, "task.t.command: expected a string or an array of strings, got integer 5"));
  EXPECT_EQ(ErrorOf(Task({"schedule = \"@daily\"", "command = [\"a\", 1]"})),
            At(3, "task.t.command[1]: expected a string, got integer 1"));
  EXPECT_EQ(ErrorOf(Task({"schedule = \"@daily\"", "command = [\"\", \"x\"]"})),
            At(3, "task.t.command[0]: the program to run must not be empty"));
  EXPECT_EQ(ErrorOf(Task({"schedule = \"@daily\"", "command = \"echo 'hi\""})).rfind(At(3, "task.t.command: "), 0), 0u);
  EXPECT_EQ(ErrorOf(CommandTask({"directory = \"\""})),
            At(4, "task.t.directory: must not be empty (leave the key out to get the default)"));
  EXPECT_EQ(ErrorOf(CommandTask({"environment = { PORT = 8080 }"})),
            At(4, "task.t.environment.PORT: expected a string, got integer 8080"));
  EXPECT_EQ(ErrorOf(CommandTask({"environment = \"A=1\""})),
            At(4, "task.t.environment: expected a table of strings like { PORT = \"8080\" }, got string \"A=1\""));
  EXPECT_EQ(ErrorOf(CommandTask({"user = \"no-such-user-vigil\""})),
            At(4, "task.t.user: unknown user \"no-such-user-vigil\""));
  EXPECT_EQ(ErrorOf(CommandTask({"group = \"no-such-group-vigil\""})),
            At(4, "task.t.group: unknown group \"no-such-group-vigil\""));
  EXPECT_EQ(ErrorOf(CommandTask({"user = 3999999"})),
            At(4, "task.t.user: uid 3999999 has no passwd entry to take a primary group from; set group too"));
  EXPECT_EQ(ErrorOf(CommandTask({"user = true"})),
            At(4, "task.t.user: expected a name or a numeric id, got boolean true"));
}

TEST(TaskErrorTest, KeysOfAnotherKindOfTaskAreRejected) {
  EXPECT_EQ(ErrorOf(CommandTask({"paths = [\"/tmp\"]"})),
            At(4, "task.t.paths: only applies to action = \"cleanup\" (this task runs a command)"));
  EXPECT_EQ(ErrorOf(CommandTask({"pattern = \"*.tmp\""})),
            At(4, "task.t.pattern: only applies to action = \"cleanup\" (this task runs a command)"));
  EXPECT_EQ(ErrorOf(CommandTask({"programs = [\"web\"]"})),
            At(4, "task.t.programs: only applies to action = \"restart\" (this task runs a command)"));
  EXPECT_EQ(ErrorOf(Task({"schedule = \"@daily\"", "action = \"rotate-logs\"", "directory = \"/tmp\""})),
            At(4, "task.t.directory: only applies to tasks with command (this task has action = \"rotate-logs\")"));
  EXPECT_EQ(ErrorOf(Task({"schedule = \"@daily\"", "action = \"rotate-logs\"", "environment = { A = \"1\" }"})),
            At(4, "task.t.environment: only applies to tasks with command (this task has action = \"rotate-logs\")"));
  EXPECT_EQ(ErrorOf(Task({"schedule = \"@daily\"", "action = \"rotate-logs\"", "user = \"root\""})),
            At(4, "task.t.user: only applies to tasks with command (this task has action = \"rotate-logs\")"));
  EXPECT_EQ(ErrorOf(Task({"schedule = \"@daily\"", "action = \"rotate-logs\"", "group = 0"})),
            At(4, "task.t.group: only applies to tasks with command (this task has action = \"rotate-logs\")"));
  // Built-in actions run inside vigild, so there is no process group for a timeout to kill.
  EXPECT_EQ(ErrorOf(Task({"schedule = \"@daily\"", "timeout = \"1m\"", "action = \"rotate-logs\""})),
            At(3, "task.t.timeout: only applies to tasks with command (this task has action = \"rotate-logs\")"));
  EXPECT_EQ(
      ErrorOf(Task({"schedule = \"@daily\"", "action = \"restart\"", "programs = [\"web\"]", "older_than = \"1d\""})),
      At(5, "task.t.older_than: only applies to action = \"cleanup\" (this task has action = \"restart\")"));
  EXPECT_EQ(ErrorOf(Task({"schedule = \"@daily\"", "action = \"cleanup\"", "paths = [\"/tmp/x\"]",
                          "max_total_size = \"1GB\"", "programs = [\"web\"]"})),
            At(6, "task.t.programs: only applies to action = \"restart\" (this task has action = \"cleanup\")"));
  EXPECT_EQ(ErrorOf(Task({"schedule = \"@daily\"", "action = \"rotate-logs\"", "max_total_size = \"1GB\""})),
            At(4,
               "task.t.max_total_size: only applies to action = \"cleanup\" (this task has action = "
               "\"rotate-logs\")"));
}

TEST(TaskErrorTest, RestartNeedsKnownPrograms) {
  const std::string web = "[program.web]\ncommand = \"w\"\ninstances = 2\n[program.db]\ncommand = \"d\"\n";
  EXPECT_EQ(ErrorOf(Task({"schedule = \"@daily\"", "action = \"restart\""})),
            At(1, "task.t: action = \"restart\" needs programs (the programs to restart)"));
  EXPECT_EQ(ErrorOf(web + Task({"schedule = \"@daily\"", "action = \"restart\"", "programs = [\"web\", \"nope\"]"})),
            At(9, "task.t.programs[1]: unknown program \"nope\""));
  // Like depends_on: an instance suffix only names an instance of a multi-instance program.
  EXPECT_EQ(ErrorOf(web + Task({"schedule = \"@daily\"", "action = \"restart\"", "programs = [\"db:0\"]"})),
            At(9, "task.t.programs[0]: unknown program \"db:0\""));
  EXPECT_EQ(ErrorOf(web + Task({"schedule = \"@daily\"", "action = \"restart\"", "programs = [\"web:2\"]"})),
            At(9, "task.t.programs[0]: unknown program \"web:2\""));
  EXPECT_EQ(ErrorOf(Task({"schedule = \"@daily\"", "action = \"restart\"", "programs = []"})),
            At(4, "task.t.programs: must not be empty"));
  EXPECT_EQ(ErrorOf(Task({"schedule = \"@daily\"", "action = \"restart\"", "programs = \"web\""})),
            At(4, "task.t.programs: expected an array of program names, got string \"web\""));
  EXPECT_EQ(ErrorOf(Task({"schedule = \"@daily\"", "action = \"restart\"", "programs = [\"web\", 2]"})),
            At(4, "task.t.programs[1]: expected a string, got integer 2"));
  EXPECT_EQ(ErrorOf(Task({"schedule = \"@daily\"", "action = \"restart\"", "programs = [\"\"]"})),
            At(4, "task.t.programs[0]: must not be empty"));
  // Multi-line arrays report the element's own line.
  EXPECT_EQ(ErrorOf(web + Task({"schedule = \"@daily\"", "action = \"restart\"", "programs = [", "  \"web\",",
                                "  \"wbe\",", "]"})),
            At(11, "task.t.programs[1]: unknown program \"wbe\""));
}

TEST(TaskErrorTest, CleanupNeedsPathsAndALimit) {
  EXPECT_EQ(ErrorOf(Task({"schedule = \"@daily\"", "action = \"cleanup\"", "older_than = \"1d\""})),
            At(1, "task.t: action = \"cleanup\" needs paths (the directories to clean)"));
  EXPECT_EQ(ErrorOf(Task({"schedule = \"@daily\"", "action = \"cleanup\"", "paths = [\"/tmp/x\"]"})),
            At(1, "task.t: action = \"cleanup\" needs older_than, max_total_size or both"));
  EXPECT_EQ(ErrorOf(Task({"schedule = \"@daily\"", "action = \"cleanup\"", "paths = []"})),
            At(4, "task.t.paths: must not be empty"));
  EXPECT_EQ(ErrorOf(Task({"schedule = \"@daily\"", "action = \"cleanup\"", "paths = \"/tmp/x\""})),
            At(4, "task.t.paths: expected an array of directory paths, got string \"/tmp/x\""));
  EXPECT_EQ(ErrorOf(Task({"schedule = \"@daily\"", "action = \"cleanup\"", "paths = [\"/tmp/x\", \"\"]"})),
            At(4, "task.t.paths[1]: must not be empty"));
  EXPECT_EQ(ErrorOf(Task({"schedule = \"@daily\"", "action = \"cleanup\"", "paths = [\"/\"]"})),
            At(4, "task.t.paths[0]: refusing to clean \"/\"; name a narrower directory"));
  // kFile is /tmp/t/vigil.toml, so this climbs to the root too.
  EXPECT_EQ(ErrorOf(Task({"schedule = \"@daily\"", "action = \"cleanup\"", "paths = [\"x\", \"../../..\"]"})),
            At(4, "task.t.paths[1]: refusing to clean \"/\"; name a narrower directory"));
  EXPECT_EQ(ErrorOf(Task({"schedule = \"@daily\"", "action = \"cleanup\"", "pattern = \"logs/*.gz\""})),
            At(4, "task.t.pattern: matches file names only, so it cannot contain '/' (put directories in paths)"));
  EXPECT_EQ(ErrorOf(Task({"schedule = \"@daily\"", "action = \"cleanup\"", "pattern = \"\""})),
            At(4, "task.t.pattern: must not be empty (leave the key out to get the default)"));
  EXPECT_EQ(ErrorOf(Task({"schedule = \"@daily\"", "action = \"cleanup\"", "older_than = \"1 week\""}))
                .rfind(At(4, "task.t.older_than: "), 0),
            0u);
  EXPECT_EQ(ErrorOf(Task({"schedule = \"@daily\"", "action = \"cleanup\"", "max_total_size = -1"})),
            At(4, "task.t.max_total_size: sizes cannot be negative, got -1"));
  EXPECT_EQ(ErrorOf(Task({"schedule = \"@daily\"", "action = \"cleanup\"", "max_total_size = \"1.5GB\""}))
                .rfind(At(4, "task.t.max_total_size: expected a size like"), 0),
            0u);
}

TEST(TaskErrorTest, GeneralKeysHaveTypesAndRanges) {
  EXPECT_EQ(ErrorOf(CommandTask({"timeout = \"0s\""})),
            At(4, "task.t.timeout: must be greater than 0 (leave it out for no timeout)"));
  EXPECT_EQ(ErrorOf(CommandTask({"timeout = \"soon\""})).rfind(At(4, "task.t.timeout: "), 0), 0u);
  EXPECT_EQ(ErrorOf(CommandTask({"timeout = -1"})), At(4, "task.t.timeout: durations cannot be negative, got -1"));
  EXPECT_EQ(ErrorOf(CommandTask({"catch_up = \"yes\""})),
            At(4, "task.t.catch_up: expected true or false, got string \"yes\""));
  EXPECT_EQ(ErrorOf(CommandTask({"random_delay = \"-5s\""})),
            At(4, "task.t.random_delay: durations cannot be negative, got \"-5s\""));
  EXPECT_EQ(ErrorOf(CommandTask({"retries = -1"})), At(4, "task.t.retries: must be between 0 and 1000, got -1"));
  EXPECT_EQ(ErrorOf(CommandTask({"retries = 1001"})), At(4, "task.t.retries: must be between 0 and 1000, got 1001"));
  EXPECT_EQ(ErrorOf(CommandTask({"retries = \"2\""})), At(4, "task.t.retries: expected an integer, got string \"2\""));
  EXPECT_EQ(ErrorOf(CommandTask({"retry_backoff = 1.5"})),
            At(4,
               "task.t.retry_backoff: expected a duration like \"10s\" or \"250ms\", or an integer number of "
               "seconds, got a float"));
  EXPECT_EQ(ErrorOf(CommandTask({"enabled = 1"})), At(4, "task.t.enabled: expected true or false, got integer 1"));
  EXPECT_EQ(ErrorOf(CommandTask({"output_max_size = \"10 MB\""})),
            At(4,
               "task.t.output_max_size: expected a size like \"512KB\", \"10MB\", \"1GB\" or a number of bytes, "
               "got \"10 MB\""));
}

TEST(TaskErrorTest, UnknownKeyListsTheAcceptedOnes) {
  EXPECT_EQ(ErrorOf(CommandTask({"schedul = 1"})),
            At(4,
               "task.t.schedul: unknown key (expected one of: schedule, timezone, command, directory, "
               "environment, user, group, action, programs, paths, pattern, older_than, max_total_size, "
               "timeout, overlap, catch_up, random_delay, retries, retry_backoff, enabled, output_max_size, "
               "when_idle, period)"));
  // Program-only keys are unknown here, not silently ignored.
  EXPECT_EQ(ErrorOf(CommandTask({"autorestart = \"always\""})).rfind(At(4, "task.t.autorestart: unknown key"), 0), 0u);
}

TEST(TaskErrorTest, TaskNames) {
  EXPECT_EQ(ErrorOf(Lines({"[task.\"nightly backup\"]", "schedule = \"@daily\"", "command = \"true\""})),
            At(1, "task.\"nightly backup\": task names may contain only letters, digits, '_', '.' and '-'"));
  EXPECT_EQ(ErrorOf(Lines({"[task.all]", "schedule = \"@daily\"", "command = \"true\""})),
            At(1, "task.all: the name \"all\" is reserved (it means every program)"));
  EXPECT_EQ(
      ErrorOf(Lines({"[program.web]", "command = \"w\"", "[task.web]", "schedule = \"@daily\"", "command = \"true\""})),
      At(3, "task.web: a program is already called \"web\"; tasks and programs need distinct names"));
  // Also when the program comes later in the file, and for a multi-instance program.
  EXPECT_EQ(ErrorOf(Lines({"[task.web]", "schedule = \"@daily\"", "command = \"true\"", "[program.web]",
                           "command = \"w\"", "instances = 2"})),
            At(1, "task.web: a program is already called \"web\"; tasks and programs need distinct names"));
  EXPECT_EQ(ErrorOf(Lines({"[task.\"db.dump\"]", "command = \"true\""})),
            At(1, "task.\"db.dump\": missing required key \"schedule\""));
}

TEST(TaskErrorTest, TaskTablesMustBeTables) {
  EXPECT_EQ(ErrorOf("task = 1\n"), At(1, "task: expected tables like [task.NAME], got integer 1"));
  EXPECT_EQ(ErrorOf("[task]\nt = \"x\"\n"), At(2, "task.t: expected a table ([task.NAME]), got string \"x\""));
}

TEST(TaskErrorTest, KeyErrorsComeInFileOrderBeforeTableChecks) {
  // retries (line 3) is wrong and schedule is missing: the key is reported first.
  EXPECT_EQ(ErrorOf(Task({"command = \"true\"", "retries = -1"})),
            At(3, "task.t.retries: must be between 0 and 1000, got -1"));
  EXPECT_EQ(ErrorOf(Task({"schedule = \"@daily\"", "enabled = 0", "command = 1"})),
            At(3, "task.t.enabled: expected true or false, got integer 0"));
  // The first task with a problem is reported, in file order.
  EXPECT_EQ(ErrorOf(Lines({"[task.b]", "schedule = \"@daily\"", "[task.a]", "schedule = \"@daily\""})),
            At(1, "task.b: needs command (a program to run) or action (\"restart\", \"cleanup\", \"rotate-logs\" or \"report\")"));
  // Programs, including their dependencies, are checked before any task.
  EXPECT_EQ(ErrorOf(Lines({"[task.a]", "schedule = \"x\"", "[program.p]", "command = \"p\"", "depends_on = [\"q\"]"})),
            At(5, "program.p.depends_on[0]: unknown program \"q\""));
}

TEST(HistoryRetentionErrorTest, MustBeAPositiveDuration) {
  EXPECT_EQ(ErrorOf("[vigil]\nhistory_retention = \"0\"\n"), At(2, "vigil.history_retention: must be greater than 0"));
  EXPECT_EQ(ErrorOf("[vigil]\nhistory_retention = \"30 days\"\n").rfind(At(2, "vigil.history_retention: "), 0), 0u);
  EXPECT_EQ(ErrorOf("[vigil]\nhistory_retention = -1\n"),
            At(2, "vigil.history_retention: durations cannot be negative, got -1"));
  EXPECT_EQ(ErrorOf("[vigil]\nhistory_retention = true\n"),
            At(2,
               "vigil.history_retention: expected a duration like \"10s\" or \"250ms\", or an integer number of "
               "seconds, got boolean true"));
}

}  // namespace
}  // namespace vigil::config
