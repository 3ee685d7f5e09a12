// SPDX-License-Identifier: MIT
// Tests for the CLI's human output: uptimes, the status table and one-line summaries.
#include "cli/format.h"

#include <gtest/gtest.h>

namespace vigil::cli {
namespace {

ProgramView Program(std::string name, std::string state, int64_t pid, int64_t uptime_ms) {
  ProgramView p;
  p.name = std::move(name);
  p.state = std::move(state);
  p.pid = pid;
  p.uptime_ms = uptime_ms;
  return p;
}

TEST(FormatUptimeTest, UsesTwoLargestUnits) {
  EXPECT_EQ(FormatUptime(-1), "-");
  EXPECT_EQ(FormatUptime(0), "0s");
  EXPECT_EQ(FormatUptime(999), "0s");
  EXPECT_EQ(FormatUptime(45'000), "45s");
  EXPECT_EQ(FormatUptime(60'000), "1m0s");
  EXPECT_EQ(FormatUptime((3 * 60 + 12) * 1000), "3m12s");
  EXPECT_EQ(FormatUptime((2 * 3600 + 5 * 60 + 59) * 1000), "2h5m");
  EXPECT_EQ(FormatUptime((23 * 3600 + 59 * 60 + 59) * 1000LL), "23h59m");
  EXPECT_EQ(FormatUptime((3 * 86400 + 4 * 3600 + 1) * 1000LL), "3d4h");
  EXPECT_EQ(FormatUptime(400LL * 86400 * 1000), "400d0h");
}

TEST(ReasonTextTest, AddsLastExitOnlyWhenItExplainsSomething) {
  ProgramView p = Program("web", "FATAL", 0, -1);
  p.reason = "exited too quickly";
  p.last_exit = "exit 1";
  EXPECT_EQ(ReasonText(p), "exited too quickly; last exit: exit 1");

  p.reason = "exited too quickly (exit 1) 5 times";
  EXPECT_EQ(ReasonText(p), "exited too quickly (exit 1) 5 times");

  p.reason = "";
  EXPECT_EQ(ReasonText(p), "last exit: exit 1");

  p.state = "RUNNING";
  p.reason = "started";
  EXPECT_EQ(ReasonText(p), "started");
}

TEST(FormatStatusTableTest, AlignsColumnsWithoutTrailingBlanks) {
  ProgramView web = Program("web", "RUNNING", 1234, 192'000);
  web.restarts = 2;
  ProgramView worker = Program("worker:10", "FATAL", 0, -1);
  worker.reason = "exited too quickly";
  worker.last_exit = "exit 1";
  std::string table = FormatStatusTable({web, worker}, /*color=*/false);
  EXPECT_EQ(table,
            "NAME       STATE    PID   UPTIME  RESTARTS  REASON\n"
            "web        RUNNING  1234  3m12s   2\n"
            "worker:10  FATAL    -     -       0         exited too quickly; last exit: exit 1\n");
}

TEST(FormatStatusTableTest, HeaderOnlyForNoPrograms) {
  EXPECT_EQ(FormatStatusTable({}, false), "NAME  STATE  PID  UPTIME  RESTARTS  REASON\n");
}

TEST(FormatStatusTableTest, ColorWrapsStateButKeepsAlignment) {
  ProgramView a = Program("a", "RUNNING", 1, 1000);
  ProgramView b = Program("b", "STOPPED", 0, -1);
  std::string table = FormatStatusTable({a, b}, /*color=*/true);
  EXPECT_EQ(table,
            "NAME  STATE    PID  UPTIME  RESTARTS  REASON\n"
            "a     \033[32mRUNNING\033[0m  1    1s      0\n"
            "b     STOPPED  -    -       0\n");
}

TEST(FormatProgramLineTest, ShowsPidOrReason) {
  EXPECT_EQ(FormatProgramLine(Program("web", "RUNNING", 1234, 0)), "web: RUNNING (pid 1234)");
  ProgramView stopped = Program("web", "STOPPED", 0, -1);
  stopped.reason = "stopped by user";
  stopped.last_exit = "signal 15 (SIGTERM)";
  EXPECT_EQ(FormatProgramLine(stopped), "web: STOPPED");
  ProgramView fatal = Program("web", "FATAL", 0, -1);
  fatal.reason = "spawn failed: No such file or directory";
  EXPECT_EQ(FormatProgramLine(fatal), "web: FATAL (spawn failed: No such file or directory)");
}

TEST(FormatReloadSummaryTest, ListsChangesOrSaysNone) {
  EXPECT_EQ(FormatReloadSummary({{}, {}, {}, {"a", "b"}}), "no changes (2 unchanged)\n");
  EXPECT_EQ(FormatReloadSummary({{"new1", "new2"}, {"old"}, {}, {"a"}}),
            "added: new1, new2\nremoved: old\n1 unchanged\n");
  EXPECT_EQ(FormatReloadSummary({{}, {}, {"web"}, {}}), "changed: web\n0 unchanged\n");
}

TEST(FormatReloadSummaryTest, ListsTaskChangesToo) {
  // A reload that changed only a task is not "no changes".
  EXPECT_EQ(FormatReloadSummary({{}, {}, {}, {"web"}}, {{}, {}, {"backup"}, {"report"}}),
            "tasks changed: backup\n2 unchanged\n");
  EXPECT_EQ(FormatReloadSummary({{}, {}, {}, {"web"}}, {{}, {}, {}, {"report"}}),
            "no changes (2 unchanged)\n");
  EXPECT_EQ(FormatReloadSummary({{"cron"}, {}, {}, {}}, {{"sync"}, {"old"}, {}, {}}),
            "added: cron\ntasks added: sync\ntasks removed: old\n0 unchanged\n");
}

}  // namespace
}  // namespace vigil::cli
