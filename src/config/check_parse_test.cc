// SPDX-License-Identifier: MIT
// Tests for reading valid [health] and [check.NAME] tables: every metric, both forms of a
// level and of `for`, the defaults, [health] every, and file order.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "config/config_test_util.h"
#include "config/load.h"

namespace vigil::config {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

constexpr const char* kFile = "/tmp/c/vigil.toml";

DaemonSpec ParseOk(const std::string& text) {
  auto spec = ParseConfig(text, kFile, NonRoot());
  EXPECT_TRUE(spec.has_value()) << spec.error().message();
  return spec.has_value() ? *spec : DaemonSpec{};
}

// The one check of `text`, or a default CheckSpec (after a failed expectation).
CheckSpec OnlyCheck(const std::string& text) {
  const DaemonSpec spec = ParseOk(text);
  EXPECT_EQ(spec.checks.size(), 1u);
  return spec.checks.empty() ? CheckSpec{} : spec.checks[0];
}

TEST(CheckParseTest, CheckWithEveryKey) {
  const CheckSpec c = OnlyCheck(Lines({
      "[check.cpu]",
      "metric = \"cpu\"",
      "warn = \"80%\"",
      "crit = \"90%\"",
      "clear = \"70%\"",
      "for = \"3 of 5\"",
      "recovery = 2",
      "every = \"30s\"",
  }));
  EXPECT_EQ(c.name, "cpu");
  EXPECT_EQ(c.metric, CheckMetric::kCpu);
  EXPECT_TRUE(c.path.empty());
  EXPECT_EQ(c.warn, 80.0);
  EXPECT_EQ(c.crit, 90.0);
  EXPECT_EQ(c.clear, 70.0);
  EXPECT_EQ(c.for_count, 3);
  EXPECT_EQ(c.for_within, 5);
  EXPECT_EQ(c.for_duration, base::Duration{0});
  EXPECT_EQ(c.recovery, 2);
  EXPECT_EQ(c.every, seconds(30));
}

TEST(CheckParseTest, Defaults) {
  const CheckSpec c = OnlyCheck(Lines({"[check.mem]", "metric = \"memory\"", "crit = 95"}));
  EXPECT_EQ(c.metric, CheckMetric::kMemory);
  EXPECT_FALSE(c.warn.has_value());
  EXPECT_EQ(c.crit, 95.0);
  EXPECT_FALSE(c.clear.has_value());
  EXPECT_EQ(c.for_count, 1);
  EXPECT_EQ(c.for_within, 1);
  EXPECT_EQ(c.for_duration, base::Duration{0});
  EXPECT_EQ(c.recovery, 1);
  EXPECT_EQ(c.every, minutes(1));
  EXPECT_TRUE(ParseOk(Lines({"[program.web]", "command = \"/bin/web\""})).checks.empty());
}

TEST(CheckParseTest, EveryMetric) {
  const DaemonSpec spec = ParseOk(Lines({
      "[check.a]", "metric = \"cpu\"",    "warn = 1",  //
      "[check.b]", "metric = \"memory\"", "warn = 1",  //
      "[check.c]", "metric = \"swap\"",   "warn = 1",  //
      "[check.d]", "metric = \"load\"",   "warn = 1",  //
      "[check.e]", "metric = \"disk\"",   "path = \"/var/lib/\"",
      "warn = 1",  //
      "[check.f]", "metric = \"inodes\"", "path = \"/\"",
      "warn = 1",  //
  }));
  ASSERT_EQ(spec.checks.size(), 6u);
  EXPECT_EQ(spec.checks[0].metric, CheckMetric::kCpu);
  EXPECT_EQ(spec.checks[1].metric, CheckMetric::kMemory);
  EXPECT_EQ(spec.checks[2].metric, CheckMetric::kSwap);
  EXPECT_EQ(spec.checks[3].metric, CheckMetric::kLoad);
  EXPECT_EQ(spec.checks[4].metric, CheckMetric::kDisk);
  EXPECT_EQ(spec.checks[4].path, "/var/lib");  // normalized like every path, no trailing '/'
  EXPECT_EQ(spec.checks[5].metric, CheckMetric::kInodes);
  EXPECT_EQ(spec.checks[5].path, "/");
}

TEST(CheckParseTest, PercentagesAsStringsIntegersOrFloats) {
  const CheckSpec c = OnlyCheck(Lines(
      {"[check.root-disk]", "metric = \"disk\"", "path = \"/\"", "clear = 0", "warn = \"90.5%\"", "crit = 100.0"}));
  EXPECT_EQ(c.clear, 0.0);
  EXPECT_EQ(c.warn, 90.5);
  EXPECT_EQ(c.crit, 100.0);
  EXPECT_EQ(OnlyCheck(Lines({"[check.s]", "metric = \"swap\"", "warn = \"0%\"", "crit = \"100%\""})).crit, 100.0);
}

TEST(CheckParseTest, LoadIsAPlainNumberPerCpu) {
  const CheckSpec c =
      OnlyCheck(Lines({"[check.load]", "metric = \"load\"", "warn = \"1.5\"", "crit = 4", "clear = 0.75"}));
  EXPECT_EQ(c.warn, 1.5);
  EXPECT_EQ(c.crit, 4.0);
  EXPECT_EQ(c.clear, 0.75);
  // Above 100: a load per CPU has no upper end.
  EXPECT_EQ(OnlyCheck(Lines({"[check.load]", "metric = \"load\"", "crit = 250"})).crit, 250.0);
}

TEST(CheckParseTest, ForAsCountOrDuration) {
  CheckSpec c = OnlyCheck(Lines({"[check.c]", "metric = \"cpu\"", "warn = 80", "for = \"100 of 100\""}));
  EXPECT_EQ(c.for_count, 100);
  EXPECT_EQ(c.for_within, 100);
  EXPECT_EQ(c.for_duration, base::Duration{0});

  c = OnlyCheck(Lines({"[check.c]", "metric = \"cpu\"", "warn = 80", "for = \"1 of 1\""}));
  EXPECT_EQ(c.for_count, 1);
  EXPECT_EQ(c.for_within, 1);

  c = OnlyCheck(Lines({"[check.c]", "metric = \"cpu\"", "warn = 80", "for = \"5m\""}));
  EXPECT_EQ(c.for_duration, minutes(5));
  EXPECT_EQ(c.for_count, 1);
  EXPECT_EQ(c.for_within, 1);
}

TEST(CheckParseTest, HealthEverySetsTheDefaultAndACheckOverridesIt) {
  const DaemonSpec spec = ParseOk(Lines({
      "[check.own]",
      "metric = \"cpu\"",
      "warn = 80",
      "every = 10",  // an integer is seconds, as for every duration
      "[health]",
      "every = \"5m\"",
      "[check.inherits]",
      "metric = \"memory\"",
      "warn = 80",
  }));
  ASSERT_EQ(spec.checks.size(), 2u);
  EXPECT_EQ(spec.checks[0].every, seconds(10));
  EXPECT_EQ(spec.checks[1].every, minutes(5));
  EXPECT_EQ(OnlyCheck(Lines({"[health]", "every = \"1s\"", "[check.c]", "metric = \"cpu\"", "warn = 1"})).every,
            seconds(1));
  EXPECT_TRUE(ParseOk(Lines({"[health]", "every = \"2m\""})).checks.empty());
  EXPECT_TRUE(ParseOk(Lines({"[health]"})).checks.empty());
}

TEST(CheckParseTest, HealthHistoryIsOffByDefaultAndNamesWhatIsSampled) {
  EXPECT_FALSE(ParseOk("").history.any());
  EXPECT_EQ(ParseOk("").history.every, minutes(1));
  const HistorySpec all = ParseOk(Lines({"[health]", "history = true", "every = \"30s\""})).history;
  EXPECT_TRUE(all.system && all.disks && all.programs);
  EXPECT_EQ(all.every, seconds(30));
  const HistorySpec some = ParseOk(Lines({"[health]", "history = [\"programs\", \"system\"]"})).history;
  EXPECT_TRUE(some.system && some.programs);
  EXPECT_FALSE(some.disks);
  EXPECT_FALSE(ParseOk(Lines({"[health]", "history = false"})).history.any());
  EXPECT_FALSE(ParseOk(Lines({"[health]", "history = []"})).history.any());
}

TEST(CheckParseTest, FileOrderNotKeyOrder) {
  const DaemonSpec spec = ParseOk(Lines({
      "[check.zeta]", "metric = \"cpu\"", "warn = 1",    //
      "[check.alpha]", "metric = \"cpu\"", "warn = 1",   //
      "[check.middle]", "metric = \"cpu\"", "warn = 1",  //
  }));
  ASSERT_EQ(spec.checks.size(), 3u);
  EXPECT_EQ(spec.checks[0].name, "zeta");
  EXPECT_EQ(spec.checks[1].name, "alpha");
  EXPECT_EQ(spec.checks[2].name, "middle");
}

TEST(CheckParseTest, ChecksLiveBesideProgramsAndTasks) {
  const DaemonSpec spec = ParseOk(Lines({
      "[program.web]",
      "command = \"/bin/web\"",
      "[check.web-disk]",
      "metric = \"disk\"",
      "path = \"/srv\"",
      "crit = \"95%\"",
      "[task.t]",
      "schedule = \"@daily\"",
      "command = \"true\"",
  }));
  EXPECT_EQ(spec.programs.size(), 1u);
  EXPECT_EQ(spec.tasks.size(), 1u);
  ASSERT_EQ(spec.checks.size(), 1u);
  EXPECT_EQ(spec.checks[0].path, "/srv");
}

}  // namespace
}  // namespace vigil::config
