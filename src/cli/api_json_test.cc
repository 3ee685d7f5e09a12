// SPDX-License-Identifier: MIT
// Tests for reading vigild's JSON replies and building request targets.
#include "cli/api_json.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli/api_paths.h"

namespace vigil::cli {
namespace {

TEST(ApiJsonTest, ReadsProgramFields) {
  auto reply = ParseJson(R"({"programs":[{"name":"web:0","state":"RUNNING","want":"up",
      "pid":42,"uptime_ms":1500,"state_since_ms":1,"restarts":3,"last_exit":"exit 1",
      "reason":"started","stdout_log":"/l/o","stderr_log":"/l/e"}]})");
  ASSERT_TRUE(reply.has_value());
  auto programs = ProgramsFromJson(*reply);
  ASSERT_TRUE(programs.has_value());
  ASSERT_EQ(programs->size(), 1u);
  const ProgramView& p = (*programs)[0];
  EXPECT_EQ(p.name, "web:0");
  EXPECT_EQ(p.state, "RUNNING");
  EXPECT_EQ(p.want, "up");
  EXPECT_EQ(p.pid, 42);
  EXPECT_EQ(p.uptime_ms, 1500);
  EXPECT_EQ(p.restarts, 3);
  EXPECT_EQ(p.last_exit, "exit 1");
  EXPECT_EQ(p.reason, "started");
}

TEST(ApiJsonTest, MistypedFieldsKeepDefaultsInsteadOfThrowing) {
  auto reply = ParseJson(R"({"programs":[{"name":7,"pid":"x","uptime_ms":null}, 5]})");
  ASSERT_TRUE(reply.has_value());
  auto programs = ProgramsFromJson(*reply);
  ASSERT_TRUE(programs.has_value());
  ASSERT_EQ(programs->size(), 2u);
  EXPECT_EQ((*programs)[0].name, "");
  EXPECT_EQ((*programs)[0].pid, 0);
  EXPECT_EQ((*programs)[0].uptime_ms, -1);
}

TEST(ApiJsonTest, RejectsMissingProgramsAndInvalidJson) {
  EXPECT_FALSE(ParseJson("{nope").has_value());
  auto reply = ParseJson(R"({"ok":true})");
  ASSERT_TRUE(reply.has_value());
  EXPECT_FALSE(ProgramsFromJson(*reply).has_value());
  EXPECT_FALSE(ProgramsFromJson(nlohmann::json::array()).has_value());
}

TEST(ApiJsonTest, StringListSkipsNonStrings) {
  auto reply = ParseJson(R"({"lines":["a",1,"b"],"other":"x"})");
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(StringListFromJson(*reply, "lines"), (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(StringListFromJson(*reply, "other").empty());
  EXPECT_TRUE(StringListFromJson(*reply, "missing").empty());
}

TEST(ApiJsonTest, ReadsTasksRunsAndEvents) {
  auto tasks = ParseJson(R"({"tasks":[{"name":"backup","schedule":"daily 03:00",
      "timezone":"UTC","action":"command","enabled":false,"running":true,
      "next_run_ms":-1,"last_run_ms":1700,"last_result":"exit 1"},{"enabled":"yes"}]})");
  ASSERT_TRUE(tasks.has_value());
  auto task_list = TasksFromJson(*tasks);
  ASSERT_TRUE(task_list.has_value());
  ASSERT_EQ(task_list->size(), 2u);
  const TaskView& t = (*task_list)[0];
  EXPECT_EQ(t.name, "backup");
  EXPECT_EQ(t.schedule, "daily 03:00");
  EXPECT_EQ(t.timezone, "UTC");
  EXPECT_FALSE(t.enabled);
  EXPECT_TRUE(t.running);
  EXPECT_EQ(t.next_run_ms, -1);
  EXPECT_EQ(t.last_run_ms, 1700);
  EXPECT_EQ(t.last_result, "exit 1");
  EXPECT_TRUE((*task_list)[1].enabled);  // mistyped: the default

  auto runs = ParseJson(R"({"runs":[{"id":4,"task":"backup","trigger":"retry",
      "started_ms":10,"ended_ms":20,"exit_code":0,"signal":9,"timed_out":true,
      "interrupted":true,"result":"timed out","output_tail":"x\n"}]})");
  ASSERT_TRUE(runs.has_value());
  auto run_list = RunsFromJson(*runs);
  ASSERT_TRUE(run_list.has_value());
  ASSERT_EQ(run_list->size(), 1u);
  const RunView& r = (*run_list)[0];
  EXPECT_EQ(r.id, 4);
  EXPECT_EQ(r.task, "backup");
  EXPECT_EQ(r.trigger, "retry");
  EXPECT_EQ(r.started_ms, 10);
  EXPECT_EQ(r.ended_ms, 20);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.signal, 9);
  EXPECT_TRUE(r.timed_out);
  EXPECT_TRUE(r.interrupted);
  EXPECT_EQ(r.result, "timed out");
  EXPECT_EQ(r.output_tail, "x\n");

  auto events = ParseJson(R"({"events":[{"id":3,"time_ms":99,"type":"state",
      "subject":"web","message":"up","details_json":{"pid":1}}],"next_before":null})");
  ASSERT_TRUE(events.has_value());
  auto event_list = EventsFromJson(*events);
  ASSERT_TRUE(event_list.has_value());
  ASSERT_EQ(event_list->size(), 1u);
  EXPECT_EQ((*event_list)[0].id, 3);
  EXPECT_EQ((*event_list)[0].time_ms, 99);
  EXPECT_EQ((*event_list)[0].type, "state");
  EXPECT_EQ((*event_list)[0].subject, "web");
  EXPECT_EQ((*event_list)[0].message, "up");

  EXPECT_FALSE(TasksFromJson(*runs).has_value());
  EXPECT_FALSE(EventsFromJson(nlohmann::json::array()).has_value());
}

TEST(ApiJsonTest, ReadsTheRunOrTaskOfAnActionReply) {
  auto reply = ParseJson(R"({"ok":true,"run":{"id":12},"task":{"name":"t"},"x":1})");
  ASSERT_TRUE(reply.has_value());
  auto run = RunFieldFromJson(*reply, "run");
  ASSERT_TRUE(run.has_value());
  EXPECT_EQ(run->id, 12);
  EXPECT_EQ(run->ended_ms, -1);
  auto task = TaskFieldFromJson(*reply, "task");
  ASSERT_TRUE(task.has_value());
  EXPECT_EQ(task->name, "t");
  EXPECT_FALSE(RunFieldFromJson(*reply, "x").has_value());
  EXPECT_FALSE(TaskFieldFromJson(*reply, "missing").has_value());
  EXPECT_EQ(StringFromJson(*reply, "x"), "");
}

TEST(ApiJsonTest, ErrorMessagePrefersErrorField) {
  EXPECT_EQ(ErrorMessageFromBody(R"({"error":"unknown program x"})", 404), "unknown program x");
  EXPECT_EQ(ErrorMessageFromBody("  Bad Gateway\n", 502), "Bad Gateway");
  EXPECT_EQ(ErrorMessageFromBody("", 500), "HTTP 500");
  EXPECT_EQ(ErrorMessageFromBody(R"({"other":1})", 500), R"({"other":1})");
}

TEST(ApiPathsTest, PercentEncodesReservedCharacters) {
  EXPECT_EQ(PercentEncode("web"), "web");
  EXPECT_EQ(PercentEncode("web:0"), "web%3A0");
  EXPECT_EQ(PercentEncode("a b/c?d&e%"), "a%20b%2Fc%3Fd%26e%25");
  EXPECT_EQ(PercentEncode("A-z_0.9~"), "A-z_0.9~");
  EXPECT_EQ(PercentEncode("\xC3\xA9"), "%C3%A9");
}

TEST(ApiPathsTest, LogsTargetCarriesStreamLinesAndFollow) {
  EXPECT_EQ(LogsTarget("web:1", false, 20, false),
            "/v1/programs/web%3A1/logs?stream=stdout&lines=20");
  EXPECT_EQ(LogsTarget("web", true, 0, true),
            "/v1/programs/web/logs?stream=stderr&lines=0&follow=1");
}

TEST(ApiPathsTest, TaskRunAndEventTargets) {
  EXPECT_EQ(TaskTarget("backup", ""), "/v1/tasks/backup");
  EXPECT_EQ(TaskTarget("a/b", "/run?wait=1"), "/v1/tasks/a%2Fb/run?wait=1");
  EXPECT_EQ(RunsTarget("", 20), "/v1/runs?limit=20");
  EXPECT_EQ(RunsTarget("a&b", 5), "/v1/runs?limit=5&task=a%26b");
  EXPECT_EQ(RunOutputTarget(42), "/v1/runs/42/output");
  EXPECT_EQ(EventsTarget("", "", "", 100), "/v1/events?limit=100");
  EXPECT_EQ(EventsTarget("1h30m", "web:0", "task_run", 5),
            "/v1/events?limit=5&since=1h30m&subject=web%3A0&type=task_run");
}

}  // namespace
}  // namespace vigil::cli
