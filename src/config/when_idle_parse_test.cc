// SPDX-License-Identifier: MIT
// A task's when_idle: what each key reads as, the defaults, and every mistake reported as
// one "FILE:LINE: task.NAME.when_idle.KEY: reason" line.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "config/config_test_util.h"
#include "config/load.h"

namespace vigil::config {
namespace {

constexpr const char* kFile = "/tmp/t/vigil.toml";

// A command task with `when_idle = VALUE` on line 4.
std::string WithWhenIdle(const std::string& value) {
  return Lines({"[task.t]", "schedule = \"@daily\"", "command = \"true\"", "when_idle = " + value});
}

WhenIdleSpec ParseOk(const std::string& value) {
  auto spec = ParseConfig(WithWhenIdle(value), kFile, NonRoot());
  EXPECT_TRUE(spec.has_value()) << spec.error().message();
  if (!spec || spec->tasks.size() != 1 || !spec->tasks[0].when_idle) return {};
  return *spec->tasks[0].when_idle;
}

std::string ErrorOf(const std::string& value) { return ParseError(WithWhenIdle(value), kFile); }
std::string At(int line, const std::string& rest) { return ErrorAt(kFile, line, rest); }

TEST(WhenIdleParseTest, ReadsEveryKey) {
  WhenIdleSpec w =
      ParseOk(R"({ cpu_below = "20%", load_below = 0.5, max_wait = "6h", then = "skip", check_every = "30s" })");
  EXPECT_EQ(w.cpu_below_percent, 20.0);
  EXPECT_EQ(w.load_below, 0.5);
  EXPECT_EQ(w.max_wait, std::chrono::hours(6));
  EXPECT_TRUE(w.skip_after_max_wait);
  EXPECT_EQ(w.check_every, std::chrono::seconds(30));
}

TEST(WhenIdleParseTest, DefaultsAndNumbersAsPercent) {
  WhenIdleSpec w = ParseOk("{ cpu_below = 12.5 }");
  EXPECT_EQ(w.cpu_below_percent, 12.5);
  EXPECT_FALSE(w.load_below);
  EXPECT_EQ(w.max_wait, std::chrono::hours(6));
  EXPECT_FALSE(w.skip_after_max_wait);
  EXPECT_EQ(w.check_every, std::chrono::minutes(1));
  WhenIdleSpec load = ParseOk(R"({ load_below = 1, then = "run" })");
  EXPECT_FALSE(load.cpu_below_percent);
  EXPECT_EQ(load.load_below, 1.0);
  EXPECT_FALSE(load.skip_after_max_wait);
  // Without when_idle, runs never wait.
  auto spec = ParseConfig(Lines({"[task.t]", "schedule = \"@daily\"", "command = \"true\""}), kFile, NonRoot());
  ASSERT_TRUE(spec.has_value());
  EXPECT_FALSE(spec->tasks[0].when_idle);
}

TEST(WhenIdleParseTest, WorksWithBuiltInActions) {
  auto spec = ParseConfig(
      Lines({"[task.t]", "schedule = \"@daily\"", "action = \"rotate-logs\"", "when_idle = { load_below = 0.2 }"}),
      kFile, NonRoot());
  ASSERT_TRUE(spec.has_value()) << spec.error().message();
  EXPECT_EQ(spec->tasks[0].when_idle->load_below, 0.2);
}

TEST(WhenIdleParseTest, ShapeAndKeys) {
  EXPECT_EQ(
      ErrorOf("\"idle\""),
      At(4, "task.t.when_idle: expected a table like { cpu_below = \"20%\", max_wait = \"6h\" }, got string \"idle\""));
  EXPECT_EQ(ErrorOf("{}"), At(4, "task.t.when_idle: needs cpu_below, load_below or both (what \"idle\" means)"));
  EXPECT_EQ(ErrorOf(R"({ max_wait = "1h" })"),
            At(4, "task.t.when_idle: needs cpu_below, load_below or both (what \"idle\" means)"));
  EXPECT_EQ(ErrorOf(R"({ cpu_below = "20%", cpu = 5 })"),
            At(4,
               "task.t.when_idle.cpu: unknown key (expected one of: cpu_below, load_below, max_wait, then, "
               "check_every)"));
}

TEST(WhenIdleParseTest, CpuBelowIsAPercentage) {
  EXPECT_EQ(ErrorOf(R"({ cpu_below = "twenty" })"),
            At(4, "task.t.when_idle.cpu_below: expected a percentage such as \"20%\", got \"twenty\""));
  EXPECT_EQ(ErrorOf(R"({ cpu_below = "20" })"),
            At(4, "task.t.when_idle.cpu_below: expected a percentage such as \"20%\", got \"20\""));
  EXPECT_EQ(ErrorOf(R"({ cpu_below = "-5%" })"),
            At(4, "task.t.when_idle.cpu_below: expected a percentage such as \"20%\", got \"-5%\""));
  EXPECT_EQ(ErrorOf(R"({ cpu_below = "120%" })"),
            At(4, "task.t.when_idle.cpu_below: must be more than 0% and at most 100%, got 120%"));
  EXPECT_EQ(ErrorOf("{ cpu_below = 0 }"),
            At(4, "task.t.when_idle.cpu_below: must be more than 0% and at most 100%, got 0%"));
  EXPECT_EQ(ErrorOf("{ cpu_below = true }"),
            At(4, "task.t.when_idle.cpu_below: expected a percentage such as \"20%\" or 20, got boolean true"));
}

TEST(WhenIdleParseTest, LoadBelowIsALoadPerCpu) {
  EXPECT_EQ(ErrorOf(R"({ load_below = "50%" })"),
            At(4, "task.t.when_idle.load_below: is a load per CPU such as 0.5, not a percentage, got \"50%\""));
  EXPECT_EQ(ErrorOf(R"({ load_below = "0.5" })"),
            At(4, "task.t.when_idle.load_below: expected a load per CPU such as 0.5, got string \"0.5\""));
  EXPECT_EQ(ErrorOf("{ load_below = 0 }"),
            At(4, "task.t.when_idle.load_below: must be more than 0 and at most 1000, got 0"));
  EXPECT_EQ(ErrorOf("{ load_below = -1.5 }"),
            At(4, "task.t.when_idle.load_below: must be more than 0 and at most 1000, got -1.5"));
  EXPECT_EQ(ErrorOf("{ load_below = nan }"),
            At(4, "task.t.when_idle.load_below: must be more than 0 and at most 1000, got nan"));
}

TEST(WhenIdleParseTest, MaxWaitThenAndCheckEvery) {
  EXPECT_EQ(ErrorOf(R"({ load_below = 1, max_wait = "soon" })").rfind(At(4, "task.t.when_idle.max_wait: "), 0), 0u);
  EXPECT_EQ(ErrorOf(R"({ load_below = 1, max_wait = "0s" })"),
            At(4, "task.t.when_idle.max_wait: must be greater than 0"));
  EXPECT_EQ(ErrorOf(R"({ load_below = 1, then = "wait" })"),
            At(4, "task.t.when_idle.then: expected \"run\" or \"skip\", got \"wait\""));
  EXPECT_EQ(ErrorOf(R"({ load_below = 1, then = false })"),
            At(4, "task.t.when_idle.then: expected \"run\" or \"skip\", got boolean false"));
  EXPECT_EQ(ErrorOf(R"({ load_below = 1, check_every = "100ms" })"),
            At(4, "task.t.when_idle.check_every: must be at least 1s, got 100ms"));
}

TEST(WhenIdleParseTest, ErrorsNameTheLineOfAMultiLineTable) {
  EXPECT_EQ(ParseError(Lines({"[task.t]", "schedule = \"@daily\"", "command = \"true\"", "[task.t.when_idle]",
                              "cpu_below = \"20%\"", "max_wait = 5"}),
                       kFile),
            "<parsed fine>");
  EXPECT_EQ(ParseError(Lines({"[task.t]", "schedule = \"@daily\"", "command = \"true\"", "[task.t.when_idle]",
                              "cpu_below = \"20%\"", "then = \"later\""}),
                       kFile),
            At(6, "task.t.when_idle.then: expected \"run\" or \"skip\", got \"later\""));
}

}  // namespace
}  // namespace vigil::config
