// SPDX-License-Identifier: MIT
// Tests for tasks, run, enable, disable, history and events against a FakeClient: the
// requests sent, the output, and the exit codes.
#include <gtest/gtest.h>

#include <sstream>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/fake_client_test_util.h"
#include "cli/time_zone_test_util.h"

namespace vigil::cli {
namespace {

// 2026-11-23 03:00:00 UTC, and 4h12m before it.
constexpr int64_t kNov23At3 = 1'795'402'800'000;
constexpr int64_t kNow = kNov23At3 - (4 * 60 + 12) * 60'000;

constexpr char kTasks[] =
    R"({"tasks":[)"
    R"({"name":"backup","schedule":"daily 03:00","timezone":"","action":"command","enabled":true,)"
    R"("running":false,"next_run_ms":1795402800000,"last_run_ms":1795316400000,)"
    R"("last_result":"exit 0"},)"
    R"({"name":"report","schedule":"@reboot","timezone":"","action":"command","enabled":false,)"
    R"("running":false,"next_run_ms":-1,"last_run_ms":-1,"last_result":""}]})";

// A run reply of POST /v1/tasks/backup/run, for a run that ended with `result`.
std::string RunReply(int64_t id, int exit_code, const std::string& result) {
  return R"({"ok":true,"run":{"id":)" + std::to_string(id) +
         R"(,"task":"backup","trigger":"manual","started_ms":1795387680000,)"
         R"("ended_ms":1795387681200,"exit_code":)" +
         std::to_string(exit_code) +
         R"(,"signal":0,"timed_out":false,"interrupted":false,"result":")" + result +
         R"(","output_tail":"tail line\n"}})";
}

class TaskCommandsTest : public ::testing::Test {
 protected:
  int Run(Invocation inv) {
    Context ctx{client_, "/run/test/vigil.sock", out_, err_, false};
    ctx.now_ms = [] { return kNow; };
    return RunCommand(inv, ctx);
  }
  static Invocation Make(std::string command, std::string name = "") {
    Invocation inv;
    inv.command = std::move(command);
    inv.name = std::move(name);
    return inv;
  }

  ScopedTimeZone utc_{"UTC0"};
  FakeClient client_;
  std::ostringstream out_, err_;
};

TEST_F(TaskCommandsTest, TasksPrintsTable) {
  client_.Reply(200, kTasks);
  EXPECT_EQ(Run(Make("tasks")), kExitOk);
  ASSERT_EQ(client_.requests.size(), 1u);
  EXPECT_EQ(client_.requests[0].method, HttpMethod::kGet);
  EXPECT_EQ(client_.requests[0].target, "/v1/tasks");
  EXPECT_EQ(out_.str(),
            "NAME    SCHEDULE     NEXT                         LAST                           "
            "RESULT\n"
            "backup  daily 03:00  2026-11-23 03:00 (in 4h12m)  2026-11-22 03:00 (19h48m ago)  "
            "exit 0\n"
            "report  @reboot      disabled                     -                              -\n");
  EXPECT_EQ(err_.str(), "");
}

TEST_F(TaskCommandsTest, TasksJsonOrNone) {
  client_.Reply(200, kTasks);
  Invocation inv = Make("tasks");
  inv.json = true;
  EXPECT_EQ(Run(inv), kExitOk);
  EXPECT_EQ(out_.str(), std::string(kTasks) + "\n");

  out_.str("");
  client_.Reply(200, R"({"tasks":[]})");
  EXPECT_EQ(Run(Make("tasks")), kExitOk);
  EXPECT_EQ(out_.str(), "no tasks configured\n");
}

TEST_F(TaskCommandsTest, TasksUnreachableExitsThree) {
  client_.Fail(base::Status::Unavailable("Connection refused"));
  EXPECT_EQ(Run(Make("tasks")), kExitUnreachable);
  EXPECT_EQ(err_.str(),
            "vigil: cannot reach vigild at /run/test/vigil.sock: Connection refused "
            "(is vigild running?)\n");
}

TEST_F(TaskCommandsTest, RunWithoutWaitReportsTheNewRun) {
  client_.Reply(200, R"({"ok":true,"run":{"id":12,"task":"backup","trigger":"manual",)"
                     R"("ended_ms":-1,"result":"running"}})");
  EXPECT_EQ(Run(Make("run", "backup")), kExitOk);
  ASSERT_EQ(client_.requests.size(), 1u);
  EXPECT_EQ(client_.requests[0].method, HttpMethod::kPost);
  EXPECT_EQ(client_.requests[0].target, "/v1/tasks/backup/run?wait=0");
  EXPECT_EQ(client_.requests[0].body, "");
  EXPECT_TRUE(client_.requests[0].timeout.has_value());
  EXPECT_EQ(out_.str(), "backup: started run 12\n");
}

TEST_F(TaskCommandsTest, RunQueuedBehindTheCurrentOne) {
  client_.Reply(200, R"({"ok":true,"run":{"id":0,"task":"backup","result":"queued"}})");
  EXPECT_EQ(Run(Make("run", "backup")), kExitOk);
  EXPECT_EQ(out_.str(), "backup: run queued behind the current one\n");
}

TEST_F(TaskCommandsTest, RunEncodesTheTaskName) {
  client_.Reply(200, R"({"ok":true,"run":{"id":1}})");
  EXPECT_EQ(Run(Make("run", "a b/c")), kExitOk);
  EXPECT_EQ(client_.requests[0].target, "/v1/tasks/a%20b%2Fc/run?wait=0");
}

TEST_F(TaskCommandsTest, RunWaitPrintsOutputThenSummary) {
  client_.Reply(200, RunReply(12, 0, "exit 0"));
  client_.Reply(200, R"({"output":"line 1\nline 2\n"})");
  Invocation inv = Make("run", "backup");
  inv.wait = true;
  EXPECT_EQ(Run(inv), kExitOk);
  ASSERT_EQ(client_.requests.size(), 2u);
  EXPECT_EQ(client_.requests[0].target, "/v1/tasks/backup/run?wait=1");
  EXPECT_FALSE(client_.requests[0].timeout.has_value());
  EXPECT_EQ(client_.requests[1].method, HttpMethod::kGet);
  EXPECT_EQ(client_.requests[1].target, "/v1/runs/12/output");
  EXPECT_EQ(out_.str(), "line 1\nline 2\nbackup: run 12 exit 0 (manual, 1.2s)\n");
  EXPECT_EQ(err_.str(), "");
}

TEST_F(TaskCommandsTest, RunWaitExitsOneWhenTheRunFailed) {
  client_.Reply(200, RunReply(13, 3, "exit 3"));
  client_.Reply(200, R"({"output":"no space left"})");
  Invocation inv = Make("run", "backup");
  inv.wait = true;
  EXPECT_EQ(Run(inv), kExitFailed);
  EXPECT_EQ(out_.str(), "no space left\nbackup: run 13 exit 3 (manual, 1.2s)\n");
}

// Regression test for issue 8, item 16: the output could not be had, the error was printed,
// and still the command exited 0.
TEST_F(TaskCommandsTest, RunWaitShowsTheTailAndFailsWhenTheOutputIsGone) {
  client_.Reply(200, RunReply(14, 0, "exit 0"));
  client_.Reply(500, R"({"error":"the output of run 14 was not kept: cannot create directory /x: Not a directory"})");
  Invocation inv = Make("run", "backup");
  inv.wait = true;
  EXPECT_EQ(Run(inv), kExitFailed);
  EXPECT_EQ(err_.str(), "vigil: the output of run 14 was not kept: cannot create directory /x: Not a directory\n");
  EXPECT_EQ(out_.str(), "tail line\nbackup: run 14 exit 0 (manual, 1.2s)\n");
}

TEST_F(TaskCommandsTest, RunWaitJsonPrintsTheRunAndKeepsItsStatus) {
  client_.Reply(200, RunReply(15, 1, "exit 1"));
  Invocation inv = Make("run", "backup");
  inv.wait = true;
  inv.json = true;
  EXPECT_EQ(Run(inv), kExitFailed);
  EXPECT_EQ(client_.requests.size(), 1u);
  EXPECT_EQ(out_.str(), RunReply(15, 1, "exit 1") + "\n");
}

TEST_F(TaskCommandsTest, RunRefusedByOverlapPolicy) {
  client_.Reply(409, R"x({"error":"backup: run 4 is still going (overlap = skip)"})x");
  EXPECT_EQ(Run(Make("run", "backup")), kExitFailed);
  EXPECT_EQ(err_.str(), "vigil: backup: run 4 is still going (overlap = skip)\n");
  EXPECT_EQ(out_.str(), "");
}

TEST_F(TaskCommandsTest, RunReplyWithoutRunIsUnexpected) {
  client_.Reply(200, R"({"ok":true})");
  EXPECT_EQ(Run(Make("run", "backup")), kExitFailed);
  EXPECT_EQ(err_.str(), "vigil: unexpected reply from vigild: reply has no \"run\" object\n");
}

TEST_F(TaskCommandsTest, EnableShowsNextRunAndDisableSaysSo) {
  client_.Reply(200, R"({"ok":true,"task":{"name":"backup","enabled":true,)"
                     R"("next_run_ms":1795402800000}})");
  EXPECT_EQ(Run(Make("enable", "backup")), kExitOk);
  EXPECT_EQ(client_.requests[0].method, HttpMethod::kPost);
  EXPECT_EQ(client_.requests[0].target, "/v1/tasks/backup/enable");
  EXPECT_EQ(out_.str(), "backup: enabled (next run 2026-11-23 03:00)\n");

  out_.str("");
  client_.Reply(200, R"({"ok":true,"task":{"name":"boot","enabled":true,"next_run_ms":-1}})");
  EXPECT_EQ(Run(Make("enable", "boot")), kExitOk);
  EXPECT_EQ(out_.str(), "boot: enabled (no scheduled run)\n");

  out_.str("");
  client_.Reply(200, R"({"ok":true,"task":{"name":"backup","enabled":false,"next_run_ms":-1}})");
  EXPECT_EQ(Run(Make("disable", "backup")), kExitOk);
  EXPECT_EQ(client_.requests[2].target, "/v1/tasks/backup/disable");
  EXPECT_EQ(out_.str(), "backup: disabled\n");
}

TEST_F(TaskCommandsTest, EnableUnknownTaskFails) {
  client_.Reply(404, R"({"error":"unknown task: nope"})");
  EXPECT_EQ(Run(Make("enable", "nope")), kExitFailed);
  EXPECT_EQ(err_.str(), "vigil: unknown task: nope\n");
}

TEST_F(TaskCommandsTest, HistoryAsksForTheLimitAndPrintsRunsWithOutput) {
  client_.Reply(200, R"({"runs":[{"id":12,"task":"backup","trigger":"schedule",)"
                     R"("started_ms":1795316400000,"ended_ms":1795316401234,"exit_code":0,)"
                     R"("result":"exit 0","output_tail":"copying\ndone\n"}]})");
  EXPECT_EQ(Run(Make("history")), kExitOk);
  EXPECT_EQ(client_.requests[0].target, "/v1/runs?limit=20");
  EXPECT_EQ(out_.str(),
            "ID  TASK    TRIGGER   STARTED              DURATION  RESULT\n"
            "12  backup  schedule  2026-11-22 03:00:00  1.2s      exit 0\n"
            "    copying\n"
            "    done\n");

  out_.str("");
  client_.Reply(200, R"({"runs":[]})");
  Invocation inv = Make("history", "backup");
  inv.limit = 5;
  EXPECT_EQ(Run(inv), kExitOk);
  EXPECT_EQ(client_.requests[1].target, "/v1/runs?limit=5&task=backup");
  EXPECT_EQ(out_.str(), "no runs yet\n");
}

TEST_F(TaskCommandsTest, HistoryJsonAndUnknownTask) {
  constexpr char kRuns[] = R"({"runs":[{"id":1}]})";
  client_.Reply(200, kRuns);
  Invocation inv = Make("history");
  inv.json = true;
  EXPECT_EQ(Run(inv), kExitOk);
  EXPECT_EQ(out_.str(), std::string(kRuns) + "\n");

  client_.Reply(404, R"({"error":"unknown task: nope"})");
  EXPECT_EQ(Run(Make("history", "nope")), kExitFailed);
  EXPECT_EQ(err_.str(), "vigil: unknown task: nope\n");
}

TEST_F(TaskCommandsTest, EventsFilterAndPrintOldestFirst) {
  client_.Reply(200,
                R"({"events":[)"
                R"({"id":9,"time_ms":1795383905000,"type":"state","subject":"web",)"
                R"("message":"RUNNING -> STOPPING: stopped by user","details_json":{}},)"
                R"({"id":8,"time_ms":1795383903000,"type":"state","subject":"web",)"
                R"("message":"STARTING -> RUNNING: pid 123 up for 1s","details_json":{}}],)"
                R"("next_before":null})");
  Invocation inv = Make("events");
  inv.since = "1h";
  inv.subject = "web";
  inv.type = "state";
  EXPECT_EQ(Run(inv), kExitOk);
  EXPECT_EQ(client_.requests[0].method, HttpMethod::kGet);
  EXPECT_EQ(client_.requests[0].target, "/v1/events?limit=100&since=1h&subject=web&type=state");
  EXPECT_EQ(out_.str(),
            "2026-11-22 21:45:03  web  state  STARTING -> RUNNING: pid 123 up for 1s\n"
            "2026-11-22 21:45:05  web  state  RUNNING -> STOPPING: stopped by user\n");

  out_.str("");
  client_.Reply(200, R"({"events":[],"next_before":null})");
  inv = Make("events");
  inv.limit = 7;
  EXPECT_EQ(Run(inv), kExitOk);
  EXPECT_EQ(client_.requests[1].target, "/v1/events?limit=7");
  EXPECT_EQ(out_.str(), "no events\n");
}

TEST_F(TaskCommandsTest, EventsWithoutHistoryDatabaseFails) {
  client_.Reply(503, R"({"error":"history database is locked"})");
  EXPECT_EQ(Run(Make("events")), kExitFailed);
  EXPECT_EQ(err_.str(), "vigil: history database is locked\n");
}

TEST_F(TaskCommandsTest, EventsJsonIsTheReplyUnchanged) {
  constexpr char kEvents[] = R"({"events":[{"id":1}],"next_before":null})";
  client_.Reply(200, kEvents);
  Invocation inv = Make("events");
  inv.json = true;
  EXPECT_EQ(Run(inv), kExitOk);
  EXPECT_EQ(out_.str(), std::string(kEvents) + "\n");
}

}  // namespace
}  // namespace vigil::cli
