// SPDX-License-Identifier: MIT
// The task, run and event routes, through Router::Handle with a FakeController: the
// transport is covered by http_server_test.cc, so these need no socket.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>

#include "api/fake_controller_test_util.h"
#include "api/router.h"

namespace vigil::api {
namespace {

using nlohmann::json;

struct Answer {
  bool answered = false;
  int status = 0;
  std::string content_type;
  json body;
};

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::set<std::string> Keys(const json& object) {
  std::set<std::string> keys;
  for (const auto& [key, value] : object.items()) keys.insert(key);
  return keys;
}

const std::set<std::string> kTaskKeys = {"name",    "schedule",    "timezone",
                                         "action",  "enabled",     "running",
                                         "next_run_ms", "last_run_ms", "last_result", "waiting_since_ms",
                                         "runs_succeeded", "runs_failed", "last_success_ms", "last_duration_ms"};
const std::set<std::string> kRunKeys = {"id",        "task",     "trigger",     "started_ms",
                                        "ended_ms",  "exit_code", "signal",     "timed_out",
                                        "interrupted", "result", "output_tail",
                                        "output_problem", "deferred_ms"};
const std::set<std::string> kEventKeys = {"id",      "time_ms", "type",
                                          "subject", "message", "details_json"};

TaskInfo MakeTask(const std::string& name) {
  TaskInfo t;
  t.name = name;
  t.schedule = "daily 03:00";
  t.action = "command";
  t.next_run_ms = 1'764'039'600'000;
  return t;
}

RunInfo MakeRun(int64_t id, const std::string& task) {
  RunInfo r;
  r.id = id;
  r.task = task;
  r.trigger = "schedule";
  r.started_ms = 1'764'000'000'000 + id;
  r.ended_ms = r.started_ms + 1200;
  r.exit_code = 0;
  r.result = "exit 0";
  r.output_tail = "done\n";
  return r;
}

EventInfo MakeEvent(int64_t id, const std::string& details) {
  EventInfo e;
  e.id = id;
  e.time_ms = 1'764'000'000'000 + id;
  e.type = "state";
  e.subject = "web";
  e.message = "STARTING -> RUNNING";
  e.details_json = details;
  return e;
}

class TaskRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fake_.tasks = {MakeTask("backup"), MakeTask("report")};
    fake_.tasks[1].enabled = false;
    fake_.tasks[1].next_run_ms = -1;
  }

  // Handles one request; the answer fills in when Router responds, now or later.
  std::shared_ptr<Answer> Send(const std::string& method, const std::string& target) {
    auto answer = std::make_shared<Answer>();
    router_->Handle(method, target, "", [answer](Response response) {
      EXPECT_FALSE(answer->answered) << "responded twice";
      answer->answered = true;
      answer->status = response.status;
      answer->content_type = response.content_type;
      answer->body = json::parse(response.body, nullptr, /*allow_exceptions=*/false);
    });
    return answer;
  }
  Answer Fetch(const std::string& method, const std::string& target) {
    std::shared_ptr<Answer> answer = Send(method, target);
    EXPECT_TRUE(answer->answered) << method << " " << target;
    return *answer;
  }

  FakeController fake_;
  std::unique_ptr<Router> router_ = std::make_unique<Router>(fake_, nullptr);
};

void ExpectError(const Answer& answer, int status) {
  EXPECT_EQ(answer.status, status) << answer.body.dump();
  EXPECT_EQ(answer.content_type, "application/json");
  ASSERT_TRUE(answer.body.is_object());
  EXPECT_EQ(Keys(answer.body), std::set<std::string>{"error"}) << answer.body.dump();
  EXPECT_TRUE(answer.body["error"].is_string());
}

TEST_F(TaskRoutesTest, ListsTasksWithEveryField) {
  fake_.tasks[0].timezone = "Europe/Paris";
  fake_.tasks[0].running = true;
  fake_.tasks[0].last_run_ms = 1'764'000'000'000;
  fake_.tasks[0].last_result = "running";
  Answer answer = Fetch("GET", "/v1/tasks");
  EXPECT_EQ(answer.status, 200);
  EXPECT_EQ(answer.content_type, "application/json");
  ASSERT_EQ(Keys(answer.body), std::set<std::string>{"tasks"});
  ASSERT_EQ(answer.body["tasks"].size(), 2u);
  const json& backup = answer.body["tasks"][0];
  EXPECT_EQ(Keys(backup), kTaskKeys);
  EXPECT_EQ(backup["name"], "backup");
  EXPECT_EQ(backup["schedule"], "daily 03:00");
  EXPECT_EQ(backup["timezone"], "Europe/Paris");
  EXPECT_EQ(backup["action"], "command");
  EXPECT_EQ(backup["enabled"], true);
  EXPECT_EQ(backup["running"], true);
  EXPECT_EQ(backup["next_run_ms"], 1'764'039'600'000);
  EXPECT_EQ(backup["last_run_ms"], 1'764'000'000'000);
  EXPECT_EQ(backup["last_result"], "running");
  EXPECT_EQ(answer.body["tasks"][1]["enabled"], false);
  EXPECT_EQ(answer.body["tasks"][1]["next_run_ms"], -1);
}

TEST_F(TaskRoutesTest, NoTasksIsAnEmptyList) {
  fake_.tasks.clear();
  Answer answer = Fetch("GET", "/v1/tasks");
  EXPECT_EQ(answer.status, 200);
  EXPECT_EQ(answer.body, json::parse(R"({"tasks":[]})"));
}

TEST_F(TaskRoutesTest, GetsOneTaskOr404) {
  Answer answer = Fetch("GET", "/v1/tasks/report");
  EXPECT_EQ(answer.status, 200);
  EXPECT_EQ(Keys(answer.body), kTaskKeys);
  EXPECT_EQ(answer.body["name"], "report");

  Answer unknown = Fetch("GET", "/v1/tasks/nope");
  ExpectError(unknown, 404);
  EXPECT_EQ(unknown.body["error"], "unknown task: nope");
}

TEST_F(TaskRoutesTest, RunDefaultsToNoWaitAndReportsTheRun) {
  Answer answer = Fetch("POST", "/v1/tasks/backup/run");
  EXPECT_EQ(answer.status, 200) << answer.body.dump();
  EXPECT_EQ(Keys(answer.body), (std::set<std::string>{"ok", "run"}));
  EXPECT_EQ(answer.body["ok"], true);
  EXPECT_EQ(Keys(answer.body["run"]), kRunKeys);
  EXPECT_EQ(answer.body["run"]["id"], 1);
  EXPECT_EQ(answer.body["run"]["task"], "backup");
  EXPECT_EQ(answer.body["run"]["trigger"], "manual");
  ASSERT_EQ(fake_.run_calls.size(), 1u);
  EXPECT_EQ(fake_.run_calls[0].name, "backup");
  EXPECT_EQ(fake_.run_calls[0].by, RunBy::kPerson);
  EXPECT_FALSE(fake_.run_calls[0].wait);

  EXPECT_EQ(Fetch("POST", "/v1/tasks/backup/run?wait=0").status, 200);
  EXPECT_FALSE(fake_.run_calls[1].wait);
}

TEST_F(TaskRoutesTest, RunWithWaitAnswersWhenTheRunEnds) {
  fake_.finish_runs = false;
  std::shared_ptr<Answer> answer = Send("POST", "/v1/tasks/backup/run?wait=1");
  ASSERT_EQ(fake_.run_calls.size(), 1u);
  EXPECT_TRUE(fake_.run_calls[0].wait);
  EXPECT_FALSE(answer->answered);

  RunInfo run = MakeRun(7, "backup");
  run.trigger = "manual";
  run.exit_code = 3;
  run.result = "exit 3";
  fake_.run_calls[0].done(run);
  ASSERT_TRUE(answer->answered);
  EXPECT_EQ(answer->status, 200);
  EXPECT_EQ(answer->body["run"]["id"], 7);
  EXPECT_EQ(answer->body["run"]["exit_code"], 3);
  EXPECT_EQ(answer->body["run"]["result"], "exit 3");
  EXPECT_EQ(answer->body["run"]["ended_ms"], run.ended_ms);
  EXPECT_EQ(answer->body["run"]["output_tail"], "done\n");

  EXPECT_FALSE(Send("POST", "/v1/tasks/backup/run?wait=true")->answered);
  ASSERT_EQ(fake_.run_calls.size(), 2u);
  EXPECT_TRUE(fake_.run_calls[1].wait);
}

TEST_F(TaskRoutesTest, RunEndingAfterRouterIsGoneIsIgnored) {
  fake_.finish_runs = false;
  std::shared_ptr<Answer> answer = Send("POST", "/v1/tasks/backup/run?wait=1");
  ASSERT_EQ(fake_.run_calls.size(), 1u);
  router_.reset();
  fake_.run_calls[0].done(MakeRun(1, "backup"));
  EXPECT_FALSE(answer->answered);
}

TEST_F(TaskRoutesTest, RunErrors) {
  fake_.run_status = base::Status::Conflict("backup: run 4 is still going (overlap = skip)");
  Answer conflict = Fetch("POST", "/v1/tasks/backup/run");
  ExpectError(conflict, 409);
  EXPECT_EQ(conflict.body["error"], "backup: run 4 is still going (overlap = skip)");
  fake_.run_status = base::Status::Ok();

  ExpectError(Fetch("POST", "/v1/tasks/nope/run"), 404);
  ExpectError(Fetch("POST", "/v1/tasks/backup/run?wait=maybe"), 400);
  ExpectError(Fetch("GET", "/v1/tasks/backup/run"), 405);
  EXPECT_TRUE(fake_.run_calls.empty());
}

TEST_F(TaskRoutesTest, EnableAndDisableReportTheTask) {
  Answer enabled = Fetch("POST", "/v1/tasks/report/enable");
  EXPECT_EQ(enabled.status, 200) << enabled.body.dump();
  EXPECT_EQ(Keys(enabled.body), (std::set<std::string>{"ok", "task"}));
  EXPECT_EQ(enabled.body["ok"], true);
  EXPECT_EQ(Keys(enabled.body["task"]), kTaskKeys);
  EXPECT_EQ(enabled.body["task"]["enabled"], true);
  EXPECT_TRUE(fake_.tasks[1].enabled);

  Answer disabled = Fetch("POST", "/v1/tasks/backup/disable");
  EXPECT_EQ(disabled.status, 200);
  EXPECT_EQ(disabled.body["task"]["name"], "backup");
  EXPECT_EQ(disabled.body["task"]["enabled"], false);
  EXPECT_FALSE(fake_.tasks[0].enabled);

  ExpectError(Fetch("POST", "/v1/tasks/nope/enable"), 404);
  ExpectError(Fetch("GET", "/v1/tasks/backup/disable"), 405);
  EXPECT_FALSE(fake_.tasks[0].enabled);
}

TEST_F(TaskRoutesTest, ListsRunsWithLimitAndTaskFilter) {
  fake_.runs = {MakeRun(3, "report"), MakeRun(2, "backup"), MakeRun(1, "backup")};
  fake_.runs[0].ended_ms = -1;
  fake_.runs[0].result = "running";
  Answer all = Fetch("GET", "/v1/runs");
  EXPECT_EQ(all.status, 200);
  EXPECT_EQ(fake_.runs_limit, 20);
  ASSERT_EQ(Keys(all.body), std::set<std::string>{"runs"});
  ASSERT_EQ(all.body["runs"].size(), 3u);
  EXPECT_EQ(Keys(all.body["runs"][0]), kRunKeys);
  EXPECT_EQ(all.body["runs"][0]["id"], 3);
  EXPECT_EQ(all.body["runs"][0]["ended_ms"], -1);
  EXPECT_EQ(all.body["runs"][0]["result"], "running");

  Answer backup = Fetch("GET", "/v1/runs?task=backup&limit=1000");
  EXPECT_EQ(fake_.runs_limit, 1000);
  ASSERT_EQ(backup.body["runs"].size(), 2u);
  EXPECT_EQ(backup.body["runs"][1]["id"], 1);

  // The fake, like vigild without a database, can return more than asked for.
  Answer one = Fetch("GET", "/v1/runs?limit=1");
  EXPECT_EQ(fake_.runs_limit, 1);
  ASSERT_EQ(one.body["runs"].size(), 1u);
  EXPECT_EQ(one.body["runs"][0]["id"], 3);
}

TEST_F(TaskRoutesTest, RunsErrors) {
  ExpectError(Fetch("GET", "/v1/runs?task=nope"), 404);
  ExpectError(Fetch("GET", "/v1/runs?limit=0"), 400);
  ExpectError(Fetch("GET", "/v1/runs?limit=1001"), 400);
  ExpectError(Fetch("GET", "/v1/runs?limit=ten"), 400);
  ExpectError(Fetch("POST", "/v1/runs"), 405);
}

TEST_F(TaskRoutesTest, RunOutputOr404) {
  fake_.runs = {MakeRun(12, "backup")};
  fake_.runs[0].output_tail = "line 1\nline 2\n";
  Answer answer = Fetch("GET", "/v1/runs/12/output");
  EXPECT_EQ(answer.status, 200);
  EXPECT_EQ(answer.body, (json{{"output", "line 1\nline 2\n"}}));

  Answer unknown = Fetch("GET", "/v1/runs/13/output");
  ExpectError(unknown, 404);
  EXPECT_EQ(unknown.body["error"], "unknown run: 13");
  ExpectError(Fetch("GET", "/v1/runs/twelve/output"), 400);
  ExpectError(Fetch("GET", "/v1/runs/-1/output"), 400);
  ExpectError(Fetch("POST", "/v1/runs/12/output"), 405);
}

TEST_F(TaskRoutesTest, UnknownTaskAndRunRoutesAre404) {
  ExpectError(Fetch("POST", "/v1/tasks/backup/explode"), 404);
  ExpectError(Fetch("GET", "/v1/tasks/backup/run/now"), 404);
  ExpectError(Fetch("GET", "/v1/runs/12"), 404);
  ExpectError(Fetch("GET", "/v1/runs/12/output/more"), 404);
  ExpectError(Fetch("GET", "/v1/events/1"), 404);
}

TEST_F(TaskRoutesTest, ListsEventsWithDetailsAsObjects) {
  fake_.events = {MakeEvent(9, R"({"from":"STARTING","to":"RUNNING","pid":123})"),
                  MakeEvent(8, ""), MakeEvent(7, "not json"), MakeEvent(6, "[1,2]")};
  Answer answer = Fetch("GET", "/v1/events");
  EXPECT_EQ(answer.status, 200) << answer.body.dump();
  ASSERT_EQ(Keys(answer.body), (std::set<std::string>{"events", "next_before"}));
  ASSERT_EQ(answer.body["events"].size(), 4u);
  const json& first = answer.body["events"][0];
  EXPECT_EQ(Keys(first), kEventKeys);
  EXPECT_EQ(first["id"], 9);
  EXPECT_EQ(first["time_ms"], 1'764'000'000'009);
  EXPECT_EQ(first["type"], "state");
  EXPECT_EQ(first["subject"], "web");
  EXPECT_EQ(first["message"], "STARTING -> RUNNING");
  EXPECT_EQ(first["details_json"], json::parse(R"({"from":"STARTING","to":"RUNNING","pid":123})"));
  for (size_t i = 1; i < 4; ++i) {
    EXPECT_EQ(answer.body["events"][i]["details_json"], json::object()) << i;
  }
  // Fewer than the limit: nothing older.
  EXPECT_TRUE(answer.body["next_before"].is_null());

  ASSERT_EQ(fake_.event_queries.size(), 1u);
  const EventQuery& query = fake_.event_queries[0];
  EXPECT_EQ(query.since_ms, 0);
  EXPECT_EQ(query.subject, "");
  EXPECT_FALSE(query.type.has_value());
  EXPECT_EQ(query.before_id, 0);
  EXPECT_EQ(query.limit, 100);
}

TEST_F(TaskRoutesTest, FullPageOfEventsPointsToTheNextOne) {
  fake_.events = {MakeEvent(9, "{}"), MakeEvent(8, "{}"), MakeEvent(7, "{}")};
  Answer answer = Fetch("GET", "/v1/events?limit=2&before=10&subject=web&type=state");
  EXPECT_EQ(answer.status, 200);
  ASSERT_EQ(answer.body["events"].size(), 2u);
  EXPECT_EQ(answer.body["next_before"], 8);
  const EventQuery& query = fake_.event_queries.at(0);
  EXPECT_EQ(query.limit, 2);
  EXPECT_EQ(query.before_id, 10);
  EXPECT_EQ(query.subject, "web");
  EXPECT_EQ(query.type, base::EventType::kState);

  fake_.events.clear();
  Answer empty = Fetch("GET", "/v1/events?before=7");
  EXPECT_EQ(empty.body["events"], json::array());
  EXPECT_TRUE(empty.body["next_before"].is_null());
}

// "restart" was listed as an event type but never recorded; a type vigild does not know is
// refused with the list of those it does.
TEST_F(TaskRoutesTest, UnknownEventTypeIsRefusedWithTheKnownOnes) {
  Answer answer = Fetch("GET", "/v1/events?type=restart");
  EXPECT_EQ(answer.status, 400);
  EXPECT_EQ(answer.body["error"], "unknown event type \"restart\" (one of: state, note, signal, spawn_error, log, "
                                  "reload, config_error, task, task_run, daemon, check, action)");
  EXPECT_TRUE(fake_.event_queries.empty());
}

// Regression test for issue 8, item 17: the runs limit said "0 to 1000" where docs/api.md
// says 1 to 1000.
TEST_F(TaskRoutesTest, RunsLimitSaysItsRealRange) {
  for (const char* bad : {"0", "1001", "x", "-1"}) {
    Answer answer = Fetch("GET", std::string("/v1/runs?limit=") + bad);
    EXPECT_EQ(answer.status, 400) << bad;
    EXPECT_EQ(answer.body["error"],
              std::string("query parameter \"limit\" must be a number from 1 to 1000, got \"") + bad + "\"");
  }
}

TEST_F(TaskRoutesTest, SinceTakesDurationsBackFromNowOrUnixMs) {
  struct Case {
    const char* since;
    int64_t back_ms;
  };
  for (const Case& c : {Case{"1h", 3'600'000}, Case{"30m", 1'800'000},
                        Case{"2d", 2 * 86'400'000LL}, Case{"1h30m", 5'400'000}}) {
    fake_.event_queries.clear();
    int64_t before = NowMs();
    Answer answer = Fetch("GET", std::string("/v1/events?since=") + c.since);
    int64_t after = NowMs();
    EXPECT_EQ(answer.status, 200) << c.since;
    ASSERT_EQ(fake_.event_queries.size(), 1u);
    EXPECT_GE(fake_.event_queries[0].since_ms, before - c.back_ms) << c.since;
    EXPECT_LE(fake_.event_queries[0].since_ms, after - c.back_ms) << c.since;
  }

  fake_.event_queries.clear();
  EXPECT_EQ(Fetch("GET", "/v1/events?since=1764020703123").status, 200);
  EXPECT_EQ(fake_.event_queries.at(0).since_ms, 1'764'020'703'123);

  // Further back than 1970 is no bound at all; further than the longest duration (100
  // years) is not a duration.
  fake_.event_queries.clear();
  EXPECT_EQ(Fetch("GET", "/v1/events?since=36500d").status, 200);
  EXPECT_EQ(fake_.event_queries.at(0).since_ms, 0);
  EXPECT_EQ(Fetch("GET", "/v1/events?since=100000d").status, 400);
}

TEST_F(TaskRoutesTest, BadEventParametersAre400) {
  Answer since = Fetch("GET", "/v1/events?since=yesterday");
  ExpectError(since, 400);
  EXPECT_NE(since.body["error"].get<std::string>().find("yesterday"), std::string::npos);
  ExpectError(Fetch("GET", "/v1/events?since="), 400);
  ExpectError(Fetch("GET", "/v1/events?since=-1h"), 400);
  ExpectError(Fetch("GET", "/v1/events?before=abc"), 400);
  ExpectError(Fetch("GET", "/v1/events?limit=0"), 400);
  ExpectError(Fetch("GET", "/v1/events?limit=1001"), 400);
  ExpectError(Fetch("DELETE", "/v1/events"), 405);
  EXPECT_TRUE(fake_.event_queries.empty());
}

TEST_F(TaskRoutesTest, EventsWithoutHistoryAre503) {
  fake_.events_status = base::Status::Unavailable("no history database: disk full");
  Answer answer = Fetch("GET", "/v1/events");
  ExpectError(answer, 503);
  EXPECT_EQ(answer.body["error"], "no history database: disk full");
}

}  // namespace
}  // namespace vigil::api

namespace vigil::api {
namespace {

// A controller that throws where a handler has already handed its answer on.
class ThrowingStartController : public FakeController {
 public:
  void Start(const std::vector<std::string>&, const WaitOptions&, ProgramsDoneFn) override {
    throw std::runtime_error("start blew up");
  }
};

// The router's last-resort catch answered with a `respond` the handler had already moved
// away, so std::bad_function_call escaped Handle() (found by the request fuzzer's author).
TEST(RouterTest, AnExceptionAfterTheAnswerWasHandedOnIsStillAnsweredOnce) {
  ThrowingStartController controller;
  controller.programs = {ProgramInfo{}};
  controller.programs[0].name = "web";
  Router router(controller, nullptr);
  int answers = 0;
  int status = 0;
  std::string body;
  EXPECT_NO_THROW(router.Handle("POST", "/v1/start", R"({"programs":["web"]})", [&](Response r) {
    ++answers;
    status = r.status;
    body = r.body;
  }));
  EXPECT_EQ(answers, 1);
  EXPECT_EQ(status, 500);
  EXPECT_NE(body.find("internal error: start blew up"), std::string::npos) << body;
}

}  // namespace
}  // namespace vigil::api
