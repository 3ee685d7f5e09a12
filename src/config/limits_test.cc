// SPDX-License-Identifier: MIT
// Tests for the limits that keep parsed values usable by what consumes them: durations the
// clocks can add, strings the OS can take (no NUL), names that fit a file name, integer
// range messages that tell the truth.
#include <gtest/gtest.h>

#include "config/config_test_util.h"

#include <initializer_list>
#include <string>
#include <vector>

#include "config/load.h"

namespace vigil::config {
namespace {

constexpr const char* kFile = "/tmp/l/vigil.toml";

// The error message for `text`, or "<parsed fine>".
std::string ErrorOf(const std::string& text) { return ParseError(text, kFile); }

std::string At(int line, const std::string& rest) { return ErrorAt(kFile, line, rest); }

// A program "web" with a command; `line3` is on line 3.
std::string Program(const std::string& line3) { return Lines({"[program.web]", "command = \"/bin/web\"", line3}); }

// A command task "t" on lines 1-3; `line4` is on line 4.
std::string CommandTask(const std::string& line4) {
  return Lines({"[task.t]", "schedule = \"@daily\"", "command = \"true\"", line4});
}

// A cleanup task "c" on lines 1-4; `line5` is on line 5.
std::string CleanupTask(const std::string& line5) {
  return Lines({"[task.c]", "schedule = \"@daily\"", "action = \"cleanup\"", "older_than = \"1d\"", line5});
}

constexpr const char* kTooLarge = "is too large (at most 36500d, 100 years)";

// Regression test for issue 8, item 11
TEST(DurationLimitTest, EveryDurationKeyRejectsMoreThan36500Days) {
  struct Case {
    std::string text;
    int line;
    std::string key;
  };
  const Case cases[] = {
      {Program("stop_timeout = \"1000000d\""), 3, "program.web.stop_timeout"},
      {Program("start_seconds = \"1000000d\""), 3, "program.web.start_seconds"},
      {Program("fatal_retry_after = \"36501d\""), 3, "program.web.fatal_retry_after"},
      {Program("backoff = { initial = \"1s\", max = \"36500d1s\" }"), 3, "program.web.backoff.max"},
      {Program("backoff = { initial = \"100000d\" }"), 3, "program.web.backoff.initial"},
      {CommandTask("timeout = \"36501d\""), 4, "task.t.timeout"},
      {CommandTask("random_delay = \"36501d\""), 4, "task.t.random_delay"},
      {CommandTask("retry_backoff = \"36501d\""), 4, "task.t.retry_backoff"},
      {Lines({"[task.c]", "schedule = \"@daily\"", "action = \"cleanup\"", "paths = [\"/tmp/x\"]",
              "older_than = \"36501d\""}),
       5, "task.c.older_than"},
      {Lines({"[vigil]", "history_retention = \"36501d\""}), 2, "vigil.history_retention"},
  };
  for (const Case& c : cases) {
    const std::string error = ErrorOf(c.text);
    EXPECT_EQ(error.rfind(At(c.line, c.key + ": duration \""), 0), 0u) << error;
    EXPECT_NE(error.find(kTooLarge), std::string::npos) << error;
  }
  EXPECT_EQ(ErrorOf(Program("stop_timeout = \"1000000d\"")),
            At(3,
               "program.web.stop_timeout: duration \"1000000d\" is too large (at most 36500d, "
               "100 years)"));
}

// Regression test for issue 8, item 11
TEST(DurationLimitTest, IntegerSecondsAreBoundedToo) {
  EXPECT_EQ(ErrorOf(Program("start_seconds = 86400000000")),
            At(3,
               "program.web.start_seconds: duration of 86400000000 seconds is too large (at "
               "most 3153600000 seconds, 100 years)"));
  EXPECT_EQ(ErrorOf(Program("stop_timeout = 9223372036854775807")),
            At(3,
               "program.web.stop_timeout: duration of 9223372036854775807 seconds is too "
               "large (at most 3153600000 seconds, 100 years)"));
}

// Regression test for issue 8, item 11
TEST(DurationLimitTest, TheMaximumItselfIsAccepted) {
  auto spec = ParseConfig(Lines({"[vigil]", "history_retention = \"36500d\"", "[program.web]", "command = \"/bin/web\"",
                                 "stop_timeout = 3153600000", "start_seconds = \"36500d\""}),
                          kFile, NonRoot());
  ASSERT_TRUE(spec.has_value()) << spec.error().message();
  EXPECT_EQ(spec->history_retention, std::chrono::hours(24 * 36500));
  EXPECT_EQ(spec->programs[0].stop_timeout, std::chrono::hours(24 * 36500));
}

// Regression test for issue 8, item 11
TEST(DurationLimitTest, ScheduleIntervalIsBounded) {
  const std::string error = ErrorOf(Lines({"[task.t]", "schedule = \"every 99999999999d\"", "command = \"true\""}));
  EXPECT_EQ(error.rfind(At(2, "task.t.schedule: bad interval \"99999999999d\""), 0), 0u) << error;
  EXPECT_NE(error.find("36500d"), std::string::npos) << error;
}

// Regression test for issue 8, item 12
TEST(NulCharacterTest, RejectedInEveryStringThatReachesTheOs) {
  struct Case {
    std::string text;
    int line;
    std::string key;
  };
  const std::string nul = "\\u0000";
  const Case cases[] = {
      {Program("user = \"root" + nul + "evil\""), 3, "program.web.user"},
      {Program("group = \"root" + nul + "evil\""), 3, "program.web.group"},
      {Program("directory = \"/tmp" + nul + "nothere\""), 3, "program.web.directory"},
      {Program("environment = { A = \"x" + nul + "y\" }"), 3, "program.web.environment.A"},
      {Lines({"[program.web]", "command = \"/bin/web -x" + nul + "y\""}), 2, "program.web.command"},
      {Lines({"[program.web]", "command = [\"/bin/web\", \"a" + nul + "b\"]"}), 2, "program.web.command[1]"},
      {Lines({"[program.web]", "command = [\"/bin/web" + nul + "\"]"}), 2, "program.web.command[0]"},
      {Program("depends_on = [\"db" + nul + "\"]"), 3, "program.web.depends_on[0]"},
      {Program("stop_signal = \"TERM" + nul + "\""), 3, "program.web.stop_signal"},
      {Program("autorestart = \"always" + nul + "\""), 3, "program.web.autorestart"},
      {Program("umask = \"022" + nul + "\""), 3, "program.web.umask"},
      {Program("start_seconds = \"1s" + nul + "\""), 3, "program.web.start_seconds"},
      {Program("stdout = { max_size = \"1MB" + nul + "\" }"), 3, "program.web.stdout.max_size"},
      {Lines({"[vigil]", "state_dir = \"/var/lib" + nul + "x\""}), 2, "vigil.state_dir"},
      {Lines({"[vigil]", "log_dir = \"/var/log" + nul + "x\""}), 2, "vigil.log_dir"},
      {Lines({"[vigil]", "socket = \"/run/v.sock" + nul + "x\""}), 2, "vigil.socket"},
      {CommandTask("user = \"root" + nul + "evil\""), 4, "task.t.user"},
      {CommandTask("directory = \"/tmp" + nul + "x\""), 4, "task.t.directory"},
      {CommandTask("environment = { A = \"x" + nul + "y\" }"), 4, "task.t.environment.A"},
      {CommandTask("timezone = \"UTC" + nul + "\""), 4, "task.t.timezone"},
      {CommandTask("overlap = \"skip" + nul + "\""), 4, "task.t.overlap"},
      {Lines({"[task.t]", "schedule = \"@daily" + nul + "x\"", "command = \"true\""}), 2, "task.t.schedule"},
      {Lines({"[task.t]", "schedule = \"@daily\"", "command = [\"a" + nul + "\"]"}), 3, "task.t.command[0]"},
      {Lines({"[task.t]", "schedule = \"@daily\"", "action = \"rotate-logs" + nul + "\""}), 3, "task.t.action"},
      {CleanupTask("paths = [\"/tmp/a" + nul + "b\"]"), 5, "task.c.paths[0]"},
      {CleanupTask("pattern = \"*.tmp" + nul + "x\""), 5, "task.c.pattern"},
      {Lines({"[program.web]", "command = \"/bin/web\"", "", "[task.r]", "schedule = \"@daily\"",
              "action = \"restart\"", "programs = [\"web" + nul + "\"]"}),
       7, "task.r.programs[0]"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ErrorOf(c.text), At(c.line, c.key + ": must not contain a NUL character (\\u0000)")) << c.text;
  }
}

// Regression test for issue 8, item 12
TEST(NulCharacterTest, RejectedInEnvironmentNames) {
  const std::string error = ErrorOf(Program("environment = { \"A\\u0000B\" = \"x\" }"));
  EXPECT_EQ(error.rfind(At(3, "program.web.environment.\"A?B\": "), 0), 0u) << error;
  EXPECT_NE(error.find("NUL"), std::string::npos) << error;
  EXPECT_NE(ErrorOf(CommandTask("environment = { \"A\\u0000\" = \"x\" }")).find("NUL"), std::string::npos);
}

// Regression test for issue 8, item 13
TEST(NameLengthTest, ProgramAndTaskNamesFitAFileName) {
  const std::string longest(128, 'p');
  auto spec =
      ParseConfig(Lines({"[program." + longest + "]", "command = \"/bin/web\"", "instances = 1000",
                         "[task." + std::string(128, 't') + "]", "schedule = \"@daily\"", "command = \"true\""}),
                  kFile, NonRoot());
  ASSERT_TRUE(spec.has_value()) << spec.error().message();
  EXPECT_EQ(spec->programs.back().name, longest + ":999");

  const std::string too_long(129, 'p');
  EXPECT_EQ(ErrorOf(Lines(
                {"[program.web]", "command = \"/bin/web\"", "[program." + too_long + "]", "command = \"/bin/web\""})),
            At(3, "program." + too_long + ": names may be at most 128 bytes (file names are made from them), got 129"));
  const std::string task(300, 't');
  EXPECT_EQ(ErrorOf(Lines({"[task." + task + "]", "schedule = \"@daily\"", "command = \"true\""})),
            At(1, "task." + task + ": names may be at most 128 bytes (file names are made from them), got 300"));
}

// Regression test for issue 8 (fuzzing, item 14's memory bound): instances multiply what a
// few lines say. 816 bytes of config (ten tables of 1000 instances, each depending on the
// ones before) took `vigil check` 100 s and 1.4 GB, and would have given vigild 45 million
// dependencies to keep.
TEST(ExpansionLimitTest, AtMost10000ProgramsInstancesCounted) {
  std::string text;
  for (int i = 0; i < 11; ++i) text += "[program.t" + std::to_string(i) + "]\ncommand = \"x\"\ninstances = 1000\n";
  EXPECT_EQ(ErrorOf(text), At(31, "program.t10: brings the programs, instances counted, to 11000; a config may have "
                                  "at most 10000"));
  text.resize(text.rfind("[program.t10]"));
  EXPECT_TRUE(ParseConfig(text, kFile, NonRoot()).has_value());
}

// Regression test for issue 8 (fuzzing, item 14's memory bound)
TEST(ExpansionLimitTest, AtMost100000DependenciesInstancesExpanded) {
  const std::string text = Lines({"[program.a]", "command = \"x\"", "instances = 1000", "[program.b]", "command = \"x\"",
                                  "instances = 101", "depends_on = [\"a\"]"});
  EXPECT_EQ(ErrorOf(text), At(7, "program.b.depends_on: brings the dependencies, instances expanded, to 101000; a "
                                 "config may have at most 100000"));
  auto fits = ParseConfig(Lines({"[program.a]", "command = \"x\"", "instances = 1000", "[program.b]", "command = \"x\"",
                                 "instances = 99", "depends_on = [\"a\", \"a:0\"]"}),
                          kFile, NonRoot());
  ASSERT_TRUE(fits.has_value()) << fits.error().message();
  // 99 x 1001 as written; a:0 is then a duplicate.
  EXPECT_EQ(fits->programs.back().depends_on.size(), 1000u);
}

// Regression test for issue 8 (fuzzing, item 14's memory bound)
TEST(ExpansionLimitTest, AtMost100000RestartTargetsInstancesExpanded) {
  std::string text = "[program.w]\ncommand = \"x\"\ninstances = 1000\n";
  for (int i = 0; i <= 100; ++i) {
    text += "[task.r" + std::to_string(i) + "]\nschedule = \"@daily\"\naction = \"restart\"\nprograms = [\"w\"]\n";
  }
  EXPECT_EQ(ErrorOf(text), At(4 + 100 * 4 + 3, "task.r100.programs: brings the restart targets, instances expanded, "
                                               "to 101000; a config may have at most 100000"));
  text.resize(text.rfind("[task.r100]"));
  EXPECT_TRUE(ParseConfig(text, kFile, NonRoot()).has_value());
  // Duplicates count as written, and are listed once.
  auto spec = ParseConfig(Lines({"[program.w]", "command = \"x\"", "instances = 3", "[task.r]", "schedule = \"@daily\"",
                                 "action = \"restart\"", "programs = [\"w:1\", \"w\", \"w:1\"]"}),
                          kFile, NonRoot());
  ASSERT_TRUE(spec.has_value()) << spec.error().message();
  EXPECT_EQ(spec->tasks[0].programs, (std::vector<std::string>{"w:1", "w:0", "w:2"}));
}

// Regression test for issue 8, item 17
TEST(RangeMessageTest, SaysTheRangeWhenTheValueIsTooLarge) {
  EXPECT_EQ(ErrorOf(Program("start_retries = 9223372036854775807")),
            At(3,
               "program.web.start_retries: must be between 0 and 2147483647, got "
               "9223372036854775807"));
  EXPECT_EQ(ErrorOf(Program("start_retries = 2147483648")),
            At(3, "program.web.start_retries: must be between 0 and 2147483647, got 2147483648"));
  EXPECT_EQ(ErrorOf(Program("start_retries = -1")),
            At(3, "program.web.start_retries: must be between 0 and 2147483647, got -1"));
  EXPECT_EQ(ErrorOf(Program("user = 4294967295")),
            At(3, "program.web.user: must be between 0 and 4294967294, got 4294967295"));
  EXPECT_EQ(ErrorOf(Program("group = -1")), At(3, "program.web.group: must be between 0 and 4294967294, got -1"));
}

}  // namespace
}  // namespace vigil::config
