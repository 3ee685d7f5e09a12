// SPDX-License-Identifier: MIT
// Tests that every mistake in a [check.NAME] or [health] table is reported as one
// "FILE:LINE: check.NAME.KEY: reason" line, at the right line and key.
#include <gtest/gtest.h>

#include <initializer_list>
#include <string>

#include "config/config_test_util.h"
#include "config/load.h"

namespace vigil::config {
namespace {

constexpr const char* kFile = "/tmp/c/vigil.toml";

// The error message for `text`, or "<parsed fine>".
std::string ErrorOf(const std::string& text) { return ParseError(text, kFile); }

std::string At(int line, const std::string& rest) { return ErrorAt(kFile, line, rest); }

// "[check.cpu]" on line 1, then `body` from line 2 on.
std::string Check(std::initializer_list<std::string> body) {
  std::string out = "[check.cpu]\n";
  for (const std::string& line : body) out += line + "\n";
  return out;
}

// A cpu check with warn = 80 on lines 1-3; `line4` is on line 4.
std::string CpuCheck(const std::string& line4) { return Check({"metric = \"cpu\"", "warn = 80", line4}); }

TEST(CheckErrorTest, MetricIsRequiredAndKnown) {
  EXPECT_EQ(ErrorOf(Check({"warn = 80"})), At(1, "check.cpu: needs one of metric, http, tcp, command, file or process"));
  EXPECT_EQ(ErrorOf(Check({"metric = \"cpuu\"", "warn = 80"})),
            At(2,
               "check.cpu.metric: expected \"cpu\", \"memory\", \"swap\", \"load\", \"disk\", \"inodes\", \"fds\", "
               "\"processes\" or \"uptime\", got "
               "\"cpuu\""));
  EXPECT_EQ(ErrorOf(Check({"metric = 1", "warn = 80"})),
            At(2,
               "check.cpu.metric: expected \"cpu\", \"memory\", \"swap\", \"load\", \"disk\", \"inodes\", \"fds\", "
               "\"processes\" or \"uptime\", got "
               "integer 1"));
}

TEST(CheckErrorTest, PathFitsTheMetric) {
  EXPECT_EQ(ErrorOf(Check({"metric = \"disk\"", "warn = 90"})),
            At(1, "check.cpu: metric = \"disk\" needs path (any path on the filesystem to watch, such as \"/\")"));
  EXPECT_EQ(ErrorOf(Check({"metric = \"inodes\"", "warn = 90"})),
            At(1, "check.cpu: metric = \"inodes\" needs path (any path on the filesystem to watch, such as \"/\")"));
  EXPECT_EQ(ErrorOf(CpuCheck("path = \"/\"")),
            At(4, "check.cpu.path: only applies to metric = \"disk\" or \"inodes\" (this check has metric = \"cpu\")"));
  EXPECT_EQ(ErrorOf(Check({"metric = \"disk\"", "path = \"data\"", "warn = 90"})),
            At(3, "check.cpu.path: must be an absolute path such as \"/\" or \"/var\", got \"data\""));
  EXPECT_EQ(ErrorOf(Check({"metric = \"disk\"", "path = \"\"", "warn = 90"})),
            At(3, "check.cpu.path: must be an absolute path such as \"/\" or \"/var\", got \"\""));
  EXPECT_EQ(ErrorOf(Check({"metric = \"disk\"", "path = \"/srv\\u0000x\"", "warn = 90"})),
            At(3, "check.cpu.path: must not contain a NUL character (\\u0000)"));
  EXPECT_EQ(ErrorOf(Check({"metric = \"disk\"", "path = [\"/\"]", "warn = 90"})),
            At(3, "check.cpu.path: expected an absolute path string, got an array"));
}

TEST(CheckErrorTest, PercentagesAreBetween0And100) {
  EXPECT_EQ(ErrorOf(Check({"metric = \"cpu\"", "warn = \"eighty\""})),
            At(3, "check.cpu.warn: expected a percentage such as \"80%\", got \"eighty\""));
  EXPECT_EQ(ErrorOf(Check({"metric = \"cpu\"", "warn = \"80\""})),
            At(3, "check.cpu.warn: expected a percentage such as \"80%\", got \"80\""));
  EXPECT_EQ(ErrorOf(Check({"metric = \"cpu\"", "warn = \"-5%\""})),
            At(3, "check.cpu.warn: expected a percentage such as \"80%\", got \"-5%\""));
  EXPECT_EQ(ErrorOf(Check({"metric = \"cpu\"", "warn = \"1e2%\""})),
            At(3, "check.cpu.warn: expected a percentage such as \"80%\", got \"1e2%\""));
  EXPECT_EQ(ErrorOf(Check({"metric = \"cpu\"", "warn = \"101%\""})),
            At(3, "check.cpu.warn: must be between 0% and 100%, got 101%"));
  EXPECT_EQ(ErrorOf(Check({"metric = \"memory\"", "crit = 100.5"})),
            At(3, "check.cpu.crit: must be between 0% and 100%, got 100.5%"));
  EXPECT_EQ(ErrorOf(Check({"metric = \"swap\"", "crit = -1"})),
            At(3, "check.cpu.crit: must be between 0% and 100%, got -1%"));
  EXPECT_EQ(ErrorOf(Check({"metric = \"cpu\"", "warn = nan"})),
            At(3, "check.cpu.warn: must be a finite number, got nan"));
  EXPECT_EQ(ErrorOf(Check({"metric = \"cpu\"", "warn = true"})),
            At(3, "check.cpu.warn: expected a percentage such as \"80%\" or 80, got boolean true"));
}

TEST(CheckErrorTest, LoadIsANumberNotAPercentage) {
  EXPECT_EQ(ErrorOf(Check({"metric = \"load\"", "warn = \"150%\""})),
            At(3, "check.cpu.warn: metric = \"load\" is a load per CPU such as 1.5, not a percentage, got \"150%\""));
  EXPECT_EQ(ErrorOf(Check({"metric = \"load\"", "warn = \"high\""})),
            At(3, "check.cpu.warn: expected a load per CPU such as 1.5, got \"high\""));
  EXPECT_EQ(ErrorOf(Check({"metric = \"load\"", "crit = -0.5"})),
            At(3, "check.cpu.crit: must be at least 0, got -0.5"));
  EXPECT_EQ(ErrorOf(Check({"metric = \"load\"", "crit = inf"})),
            At(3, "check.cpu.crit: must be a finite number, got inf"));
  EXPECT_EQ(ErrorOf(Check({"metric = \"load\"", "crit = [1]"})),
            At(3, "check.cpu.crit: expected a load per CPU such as 1.5, got an array"));
}

TEST(CheckErrorTest, LevelsAreOrdered) {
  EXPECT_EQ(ErrorOf(Check({"metric = \"cpu\""})), At(1, "check.cpu: needs warn, crit or both"));
  EXPECT_EQ(ErrorOf(Check({"metric = \"cpu\"", "clear = 10"})), At(1, "check.cpu: needs warn, crit or both"));
  EXPECT_EQ(ErrorOf(Check({"metric = \"cpu\"", "warn = \"80%\"", "crit = \"70%\""})),
            At(4, "check.cpu.crit: must not be below warn (80%), got 70%"));
  EXPECT_EQ(ErrorOf(Check({"metric = \"load\"", "crit = 1", "warn = 1.5"})),
            At(3, "check.cpu.crit: must not be below warn (1.5), got 1"));
  EXPECT_EQ(ErrorOf(Check({"metric = \"cpu\"", "warn = 80", "crit = 90", "clear = 85"})),
            At(5, "check.cpu.clear: must not be above warn (80%), got 85%"));
  EXPECT_EQ(ErrorOf(Check({"metric = \"cpu\"", "clear = \"95%\"", "crit = 90"})),
            At(3, "check.cpu.clear: must not be above crit (90%), got 95%"));
  EXPECT_EQ(ErrorOf(Check({"metric = \"cpu\"", "warn = \"80%\"", "clear = \"eighty\""})),
            At(4, "check.cpu.clear: expected a percentage such as \"80%\", got \"eighty\""));
}

TEST(CheckErrorTest, ForIsNofMOrADuration) {
  constexpr const char* kRange = "check.cpu.for: expected \"N of M\" with 1 <= N <= M <= 100, got ";
  EXPECT_EQ(ErrorOf(CpuCheck("for = \"0 of 5\"")), At(4, std::string(kRange) + "\"0 of 5\""));
  EXPECT_EQ(ErrorOf(CpuCheck("for = \"6 of 5\"")), At(4, std::string(kRange) + "\"6 of 5\""));
  EXPECT_EQ(ErrorOf(CpuCheck("for = \"3 of 101\"")), At(4, std::string(kRange) + "\"3 of 101\""));
  EXPECT_EQ(ErrorOf(CpuCheck("for = \"3 of 99999999999\"")),
            At(4,
               "check.cpu.for: expected \"N of M\" such as \"3 of 5\", or a duration such as \"5m\", got \"3 of "
               "99999999999\""));
  for (const char* bad : {"3 of", "3of5", "3 of five", "three of 5", "3  of 5", "5 min"}) {
    EXPECT_EQ(ErrorOf(CpuCheck(std::string("for = \"") + bad + "\"")),
              At(4, "check.cpu.for: expected \"N of M\" such as \"3 of 5\", or a duration such as \"5m\", got \"" +
                        std::string(bad) + "\""));
  }
  EXPECT_EQ(ErrorOf(CpuCheck("for = \"5x\"")),
            At(4, "check.cpu.for: expected a duration like \"10s\", \"250ms\", \"5m\", got \"5x\""));
  EXPECT_EQ(ErrorOf(CpuCheck("for = \"36501d\"")),
            At(4, "check.cpu.for: duration \"36501d\" is too large (at most 36500d, 100 years)"));
  EXPECT_EQ(ErrorOf(CpuCheck("for = \"0s\"")),
            At(4, "check.cpu.for: must be greater than 0 (leave it out to judge each sample on its own)"));
  EXPECT_EQ(ErrorOf(CpuCheck("for = 3")),
            At(4,
               "check.cpu.for: expected \"N of M\" such as \"3 of 5\", or a duration such as \"5m\", got integer "
               "3"));
}

TEST(CheckErrorTest, RecoveryAndEvery) {
  EXPECT_EQ(ErrorOf(CpuCheck("recovery = 0")), At(4, "check.cpu.recovery: must be between 1 and 100, got 0"));
  EXPECT_EQ(ErrorOf(CpuCheck("recovery = 101")), At(4, "check.cpu.recovery: must be between 1 and 100, got 101"));
  EXPECT_EQ(ErrorOf(CpuCheck("recovery = \"2\"")), At(4, "check.cpu.recovery: expected an integer, got string \"2\""));
  EXPECT_EQ(ErrorOf(CpuCheck("every = \"0s\"")), At(4, "check.cpu.every: must be at least 1s, got 0ms"));
  EXPECT_EQ(ErrorOf(CpuCheck("every = \"999ms\"")), At(4, "check.cpu.every: must be at least 1s, got 999ms"));
  EXPECT_EQ(ErrorOf(CpuCheck("every = \"30 sec\"")),
            At(4, "check.cpu.every: expected a duration like \"10s\", \"250ms\", \"5m\", got \"30 sec\""));
  EXPECT_EQ(ErrorOf(CpuCheck("every = \"36501d\"")),
            At(4, "check.cpu.every: duration \"36501d\" is too large (at most 36500d, 100 years)"));
}

TEST(CheckErrorTest, UnknownKeysAndTables) {
  EXPECT_EQ(ErrorOf(CpuCheck("threshold = 5")),
            At(4,
               "check.cpu.threshold: unknown key (expected one of: metric, http, tcp, command, file, process, program, "
               "path, warn, crit, clear, expect, body, tls_verify, ca_file, max_age, warn_age, max_size, warn_size, "
               "min_count, max_count, "
               "max_runtime, stalled, timeout, every, for, recovery, grace, on_warn, on_crit, on_recovery, cooldown, "
               "limit)"));
  // An unknown key is reported before the values, even a bad one above it.
  EXPECT_EQ(ErrorOf(Check({"metric = \"cpu\"", "warn = \"eighty\"", "warm = 80"})),
            At(4,
               "check.cpu.warm: unknown key (expected one of: metric, http, tcp, command, file, process, program, "
               "path, warn, crit, clear, expect, body, tls_verify, ca_file, max_age, warn_age, max_size, warn_size, "
               "min_count, max_count, "
               "max_runtime, stalled, timeout, every, for, recovery, grace, on_warn, on_crit, on_recovery, cooldown, "
               "limit)"));
  EXPECT_EQ(ErrorOf("check = 1\n"), At(1, "check: expected tables like [check.NAME], got integer 1"));
  EXPECT_EQ(ErrorOf("[check]\ncpu = \"x\"\n"), At(2, "check.cpu: expected a table ([check.NAME]), got string \"x\""));
  EXPECT_EQ(ErrorOf("[checks.cpu]\nmetric = \"cpu\"\n"),
            At(1, "checks: unknown table (expected [vigil], [program.NAME], [task.NAME], [health], [check.NAME], [alert.NAME] or [http])"));
}

TEST(CheckErrorTest, NamesFollowTheProgramRules) {
  EXPECT_EQ(ErrorOf("[check.\"a b\"]\nmetric = \"cpu\"\nwarn = 1\n"),
            At(1, "check.\"a b\": check names may contain only letters, digits, '_', '.' and '-'"));
  EXPECT_EQ(ErrorOf("[check." + std::string(129, 'x') + "]\nmetric = \"cpu\"\nwarn = 1\n"),
            At(1, "check." + std::string(129, 'x') +
                      ": names may be at most 128 bytes (file names are made from them), got 129"));
}

TEST(CheckErrorTest, AtMost10000Checks) {
  std::string text;
  for (int i = 0; i <= 10000; ++i) text += "[check.c" + std::to_string(i) + "]\nmetric = \"cpu\"\nwarn = 1\n";
  EXPECT_EQ(ErrorOf(text), At(30001, "check.c10000: a config may have at most 10000 checks"));
  text.resize(text.rfind("[check.c10000]"));
  auto spec = ParseConfig(text, kFile, NonRoot());
  ASSERT_TRUE(spec.has_value()) << spec.error().message();
  EXPECT_EQ(spec->checks.size(), 10000u);
}

TEST(HealthErrorTest, EveryAndHistoryAreTheOnlyKeys) {
  EXPECT_EQ(ErrorOf("[health]\ninterval = \"1m\"\n"),
            At(2, "health.interval: unknown key (expected one of: every, history)"));
  EXPECT_EQ(ErrorOf("[health]\nevery = \"0s\"\n"), At(2, "health.every: must be at least 1s, got 0ms"));
  EXPECT_EQ(ErrorOf("[health]\nevery = true\n"),
            At(2,
               "health.every: expected a duration like \"10s\" or \"250ms\", or an integer number of seconds, got "
               "boolean true"));
  EXPECT_EQ(ErrorOf("health = 1\n"), At(1, "health: expected a table ([health]), got integer 1"));
  EXPECT_EQ(ErrorOf("[health]\nhistory = \"yes\"\n"),
            At(2, "health.history: expected true, false, or an array of \"system\", \"disks\", \"programs\", got "
                  "string \"yes\""));
  EXPECT_EQ(ErrorOf("[health]\nhistory = [\"system\", \"network\"]\n"),
            At(2, "health.history[1]: expected \"system\", \"disks\" or \"programs\", got \"network\""));
  EXPECT_EQ(ErrorOf("[health]\nhistory = [\"disks\", 3]\n"),
            At(2, "health.history[1]: expected \"system\", \"disks\" or \"programs\", got integer 3"));
  EXPECT_EQ(ErrorOf("[health]\nhistory = [\"disks\", \"disks\"]\n"),
            At(2, "health.history[1]: \"disks\" is listed twice"));
  // [health] is read before the checks, wherever it is in the file.
  EXPECT_EQ(ErrorOf(Lines({"[check.c]", "metric = \"nope\"", "[health]", "every = \"0s\""})),
            At(4, "health.every: must be at least 1s, got 0ms"));
}

}  // namespace
}  // namespace vigil::config
