// SPDX-License-Identifier: MIT
// Tests for the human output of the task and history commands: local and relative times,
// the tasks and history tables, event lines and the `run --wait` summary.
#include "cli/history_format.h"

#include <gtest/gtest.h>

#include "cli/time_zone_test_util.h"

namespace vigil::cli {
namespace {

// 2026-11-23 03:00:00 UTC and 2026-11-22 21:45:03 UTC, in unix ms.
constexpr int64_t kNov23At3 = 1'795'402'800'000;
constexpr int64_t kNov22At214503 = 1'795'383'903'000;
constexpr int64_t kMinute = 60'000;
constexpr int64_t kHour = 60 * kMinute;
constexpr int64_t kDay = 24 * kHour;
// 4h12m before kNov23At3: 2026-11-22 22:48 UTC.
constexpr int64_t kNow = kNov23At3 - 4 * kHour - 12 * kMinute;

class HistoryFormatTest : public ::testing::Test {
 protected:
  ScopedTimeZone utc_{"UTC0"};
};

TEST_F(HistoryFormatTest, LocalTimesFollowTz) {
  EXPECT_EQ(FormatLocalMinute(kNov23At3), "2026-11-23 03:00");
  EXPECT_EQ(FormatLocalMinute(kNov23At3 + 59'999), "2026-11-23 03:00");
  EXPECT_EQ(FormatLocalSecond(kNov22At214503 + 999), "2026-11-22 21:45:03");
  EXPECT_EQ(FormatLocalSecond(0), "1970-01-01 00:00:00");
  EXPECT_EQ(FormatLocalSecond(-1), "1969-12-31 23:59:59");

  ScopedTimeZone east("XST-2");
  EXPECT_EQ(FormatLocalMinute(kNov23At3), "2026-11-23 05:00");
  EXPECT_EQ(FormatLocalSecond(kNov22At214503), "2026-11-22 23:45:03");
}

TEST_F(HistoryFormatTest, RelativeTimesUseOneOrTwoUnits) {
  EXPECT_EQ(FormatRelative(kNov23At3, kNow), "in 4h12m");
  EXPECT_EQ(FormatRelative(kNov23At3 + 59'999, kNow), "in 4h12m");  // truncated
  EXPECT_EQ(FormatRelative(kNow - 5 * kMinute, kNow), "5m ago");
  EXPECT_EQ(FormatRelative(kNow - 5 * kMinute - 59'000, kNow), "5m ago");
  EXPECT_EQ(FormatRelative(kNow + 45'000, kNow), "in 45s");
  EXPECT_EQ(FormatRelative(kNow - 999, kNow), "now");
  EXPECT_EQ(FormatRelative(kNow, kNow), "now");
  EXPECT_EQ(FormatRelative(kNow - 4 * kHour, kNow), "4h ago");
  EXPECT_EQ(FormatRelative(kNow + 59 * kMinute + 59'000, kNow), "in 59m");
  EXPECT_EQ(FormatRelative(kNow + 2 * kDay + 3 * kHour + 59 * kMinute, kNow), "in 2d3h");
  EXPECT_EQ(FormatRelative(kNow - 2 * kDay - 30 * kMinute, kNow), "2d ago");
  EXPECT_EQ(FormatRelative(kNow - 400 * kDay, kNow), "400d ago");
}

TEST_F(HistoryFormatTest, RunDurations) {
  EXPECT_EQ(FormatRunDuration(-1), "-");
  EXPECT_EQ(FormatRunDuration(0), "0.0s");
  EXPECT_EQ(FormatRunDuration(300), "0.3s");
  EXPECT_EQ(FormatRunDuration(1'234), "1.2s");
  EXPECT_EQ(FormatRunDuration(59'999), "59.9s");
  EXPECT_EQ(FormatRunDuration(192'000), "3m12s");
  EXPECT_EQ(FormatRunDuration(2 * kHour + 5 * kMinute), "2h5m");
}

TEST_F(HistoryFormatTest, TasksTableShowsNextLastAndResult) {
  TaskView backup;
  backup.name = "backup";
  backup.schedule = "daily 03:00";
  backup.next_run_ms = kNov23At3;
  backup.last_run_ms = kNov23At3 - kDay;
  backup.last_result = "exit 0";
  TaskView report;
  report.name = "report";
  report.schedule = "*/5 * * * *";
  report.timezone = "Europe/Paris";
  report.enabled = false;
  report.next_run_ms = kNov23At3;  // ignored while disabled
  TaskView sync;
  sync.name = "sync";
  sync.schedule = "every 5m";
  sync.running = true;
  sync.next_run_ms = kNow + 3 * kMinute;
  sync.last_run_ms = kNow - 2 * kMinute;
  sync.last_result = "running";
  TaskView boot;
  boot.name = "boot";
  boot.schedule = "@reboot";
  boot.last_result = "exit 1";
  boot.last_run_ms = kNow - 3 * kDay;
  EXPECT_EQ(FormatTasksTable({backup, report, sync, boot}, kNow),
            "NAME    SCHEDULE                    NEXT                         LAST           "
            "                RESULT\n"
            "backup  daily 03:00                 2026-11-23 03:00 (in 4h12m)  2026-11-22 03:00 "
            "(19h48m ago)  exit 0\n"
            "report  */5 * * * * (Europe/Paris)  disabled                     -              "
            "                -\n"
            "sync    every 5m                    2026-11-22 22:51 (in 3m)     2026-11-22 22:46 "
            "(2m ago)      running\n"
            "boot    @reboot                     -                            2026-11-19 22:48 "
            "(3d ago)      exit 1\n");
}

TEST_F(HistoryFormatTest, HistoryShowsLastThreeOutputLinesUnderEachRun) {
  RunView ok;
  ok.id = 12;
  ok.task = "backup";
  ok.trigger = "schedule";
  ok.started_ms = kNov23At3 - kDay;
  ok.ended_ms = ok.started_ms + 1'234;
  ok.exit_code = 0;
  ok.result = "exit 0";
  ok.output_tail = "start\ncopying\nskipped 2 files\n\ndone: 1234 files\n";
  RunView running;
  running.id = 11;
  running.task = "sync";
  running.trigger = "manual";
  running.started_ms = kNov22At214503;
  running.result = "running";
  RunView slow;
  slow.id = 10;
  slow.task = "report";
  slow.trigger = "retry";
  slow.started_ms = kNov22At214503 - 3903'000;
  slow.ended_ms = slow.started_ms + 192'000;
  slow.timed_out = true;
  slow.result = "timed out";
  slow.output_tail = "\x1b[31mred\x1b[0m\r\n" + std::string(200, 'x') + "\na" +
                     [] {
                       std::string e;
                       for (int i = 0; i < 100; ++i) e += "\xc3\xa9";  // é
                       return e;
                     }();
  std::string e79;
  for (int i = 0; i < 79; ++i) e79 += "\xc3\xa9";
  EXPECT_EQ(FormatHistory({ok, running, slow}),
            "ID  TASK    TRIGGER   STARTED              DURATION  RESULT\n"
            "12  backup  schedule  2026-11-22 03:00:00  1.2s      exit 0\n"
            "    copying\n"
            "    skipped 2 files\n"
            "    done: 1234 files\n"
            "11  sync    manual    2026-11-22 21:45:03  -         running\n"
            "10  report  retry     2026-11-22 20:40:00  3m12s     timed out\n"
            "     [31mred [0m\n"
            "    " +
                std::string(160, 'x') + "...\n" + "    a" + e79 + "...\n");
}

TEST_F(HistoryFormatTest, ARunThatWaitedForAnIdleMachineSaysHowLong) {
  RunView waited;
  waited.id = 7;
  waited.task = "maint";
  waited.trigger = "schedule";
  waited.started_ms = kNov23At3 - kDay;
  waited.ended_ms = waited.started_ms + 2'000;
  waited.exit_code = 0;
  waited.result = "exit 0";
  waited.deferred_ms = 2 * 3600'000 + 5 * 60'000;
  EXPECT_EQ(FormatHistory({waited}),
            "ID  TASK   TRIGGER                STARTED              DURATION  RESULT\n"
            "7   maint  schedule, waited 2h5m  2026-11-22 03:00:00  2.0s      exit 0\n");
  EXPECT_EQ(FormatRunSummary(waited), "maint: run 7 exit 0 (schedule, waited 2h5m, 2.0s)");

  TaskView task;
  task.name = "maint";
  task.schedule = "every 1h";
  task.last_result = "exit 0";
  task.waiting_since_ms = kNow - 90'000;
  EXPECT_NE(FormatTasksTable({task}, kNow).find("exit 0, waiting for idle (1m30s)"), std::string::npos)
      << FormatTasksTable({task}, kNow);
}

TEST_F(HistoryFormatTest, EventsPrintOldestFirstWithAlignedColumns) {
  EventView state;
  state.id = 2;
  state.time_ms = kNov22At214503;
  state.subject = "web";
  state.type = "state";
  state.message = "STARTING -> RUNNING: pid 123 up for 1s";
  EXPECT_EQ(FormatEvents({state}),
            "2026-11-22 21:45:03  web  state  STARTING -> RUNNING: pid 123 up for 1s\n");

  EventView run;
  run.id = 3;
  run.time_ms = kNov22At214503 + 2'000;
  run.subject = "backup";
  run.type = "task_run";
  run.message = "run 12 started (manual)";
  EventView daemon;
  daemon.id = 1;
  daemon.time_ms = kNov22At214503 - 3'000;
  daemon.subject = "vigild";
  daemon.type = "daemon";
  daemon.message = "line one\nline two";
  EXPECT_EQ(FormatEvents({run, state, daemon}),
            "2026-11-22 21:45:00  vigild  daemon    line one line two\n"
            "2026-11-22 21:45:03  web     state     STARTING -> RUNNING: pid 123 up for 1s\n"
            "2026-11-22 21:45:05  backup  task_run  run 12 started (manual)\n");
  EXPECT_EQ(FormatEvents({}), "");
}

TEST_F(HistoryFormatTest, RunSummaryAndSuccess) {
  RunView run;
  run.id = 12;
  run.task = "backup";
  run.trigger = "manual";
  run.started_ms = kNow;
  run.ended_ms = kNow + 1'200;
  run.exit_code = 0;
  run.result = "exit 0";
  EXPECT_EQ(FormatRunSummary(run), "backup: run 12 exit 0 (manual, 1.2s)");
  EXPECT_TRUE(RunSucceeded(run));

  run.exit_code = 2;
  run.result = "exit 2";
  EXPECT_FALSE(RunSucceeded(run));

  run.exit_code = -1;
  run.signal = 15;
  run.result = "killed by SIGTERM";
  run.ended_ms = kNow + 75'000;
  EXPECT_EQ(FormatRunSummary(run), "backup: run 12 killed by SIGTERM (manual, 1m15s)");
  EXPECT_FALSE(RunSucceeded(run));

  RunView timed_out;
  timed_out.id = 3;
  timed_out.task = "report";
  timed_out.trigger = "manual";
  timed_out.exit_code = 0;  // never trusted over timed_out
  timed_out.timed_out = true;
  timed_out.result = "timed out";
  EXPECT_EQ(FormatRunSummary(timed_out), "report: run 3 timed out (manual)");
  EXPECT_FALSE(RunSucceeded(timed_out));
}

}  // namespace
}  // namespace vigil::cli
