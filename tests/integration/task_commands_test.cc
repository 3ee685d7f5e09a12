// SPDX-License-Identifier: MIT
// End-to-end: the task and history commands (vigil tasks, run, enable, disable, history,
// events) and their API routes, against the real vigild.
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "harness.h"

namespace vigil::testing {
namespace {

using nlohmann::json;

// A schedule that does not fire while a test runs (midnight on 29 February only), for tasks
// that are only run by hand.
constexpr const char* kNeverDuringTest = "0 0 29 2 *";

class TaskCommandsTest : public VigilTest {
 protected:
  // The `--json` output of a vigil command that must succeed.
  json VigilJson(std::vector<std::string> args) {
    args.push_back("--json");
    CommandResult r = Vigil(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    json j = json::parse(r.out, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << r.out;
    return j;
  }
  // GET /v1/runs for one task ("" = all), newest first.
  json Runs(const std::string& task, int limit = 1000) {
    std::string path = "/v1/runs?limit=" + std::to_string(limit);
    if (!task.empty()) path += "&task=" + task;
    auto [code, body] = Http("GET", path);
    if (code != 200) return json::array();
    json j = json::parse(body, nullptr, false);
    return j.is_object() && j.contains("runs") ? j["runs"] : json::array();
  }
  // Runs of `task` with this trigger ("" = any), ended or not.
  size_t CountRuns(const std::string& task, const std::string& trigger = "") {
    size_t n = 0;
    for (const json& r : Runs(task))
      if (trigger.empty() || r.value("trigger", "") == trigger) ++n;
    return n;
  }
  // The newest run of `task`, or an empty object.
  json LastRun(const std::string& task) {
    json runs = Runs(task, 1);
    return runs.empty() ? json::object() : runs[0];
  }
  json Task(const std::string& name) {
    auto [code, body] = Http("GET", "/v1/tasks/" + name);
    EXPECT_EQ(code, 200) << body;
    return json::parse(body, nullptr, false);
  }
  std::vector<std::string> Lines(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
  }
  // The row of a table whose first column is `key`.
  std::string Row(const std::string& table, const std::string& key) {
    for (const std::string& line : Lines(table))
      if (line.rfind(key + " ", 0) == 0) return line;
    return "";
  }
};

// Two tasks on the same schedule: `clock` runs on as a witness while `tick` is disabled.
constexpr const char* kTickAndClock = R"([task.tick]
schedule = "every 1s"
command = ["true"]

[task.clock]
schedule = "every 1s"
command = ["true"]
)";

TEST_F(TaskCommandsTest, TasksListsScheduleNextRunAndLastResult) {
  WriteConfig(fmt::format(R"([task.report]
schedule = "every 7h"
command = ["sh", "-c", "echo report"]

[task.nightly]
schedule = "daily 03:00"
timezone = "UTC"
command = ["sh", "-c", "exit 2"]

[task.off]
schedule = "every 7h"
enabled = false
command = ["true"]

[task.warmup]
schedule = "{}"
command = ["true"]
)",
                          kNeverDuringTest));
  StartDaemon();

  CommandResult r = Vigil({"tasks"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 5u) << r.out;
  EXPECT_EQ(lines[0].substr(0, 4), "NAME");
  for (const char* column : {"SCHEDULE", "NEXT", "LAST", "RESULT"}) {
    EXPECT_NE(lines[0].find(column), std::string::npos) << r.out;
  }
  std::string report = Row(r.out, "report");
  EXPECT_NE(report.find("every 7h"), std::string::npos) << r.out;
  EXPECT_NE(report.find("(in "), std::string::npos) << r.out;
  EXPECT_NE(Row(r.out, "nightly").find("daily 03:00 (UTC)"), std::string::npos) << r.out;
  EXPECT_NE(Row(r.out, "off").find("disabled"), std::string::npos) << r.out;
  // Never ran: LAST and RESULT are "-".
  EXPECT_EQ(report.substr(report.size() - 1), "-") << r.out;

  ASSERT_EQ(Vigil({"run", "report", "--wait"}).exit_code, 0);
  ASSERT_EQ(Vigil({"run", "nightly", "--wait"}).exit_code, 1);
  r = Vigil({"tasks"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // LAST: just now, "(now)" or "(1s ago)".
  EXPECT_TRUE(Row(r.out, "report").find(" ago)") != std::string::npos ||
              Row(r.out, "report").find(" (now)") != std::string::npos)
      << r.out;
  EXPECT_EQ(Row(r.out, "report").substr(Row(r.out, "report").size() - 6), "exit 0") << r.out;
  EXPECT_EQ(Row(r.out, "nightly").substr(Row(r.out, "nightly").size() - 6), "exit 2") << r.out;

  json j = VigilJson({"tasks"});
  ASSERT_TRUE(j.contains("tasks")) << j.dump();
  ASSERT_EQ(j["tasks"].size(), 4u);
  int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  for (const json& t : j["tasks"]) {
    std::string name = t["name"];
    if (name == "report") {
      EXPECT_EQ(t["schedule"], "every 7h");
      EXPECT_EQ(t["action"], "command");
      EXPECT_TRUE(t["enabled"].get<bool>());
      EXPECT_GT(t["next_run_ms"].get<int64_t>(), now_ms);
      EXPECT_LE(t["last_run_ms"].get<int64_t>(), now_ms);
      EXPECT_EQ(t["last_result"], "exit 0");
    } else if (name == "nightly") {
      EXPECT_EQ(t["timezone"], "UTC");
      EXPECT_EQ(t["last_result"], "exit 2");
    } else if (name == "off") {
      EXPECT_FALSE(t["enabled"].get<bool>());
      EXPECT_EQ(t["next_run_ms"], -1);
      EXPECT_EQ(t["last_run_ms"], -1);
      EXPECT_EQ(t["last_result"], "");
    }
  }
}

TEST_F(TaskCommandsTest, TasksSaysSoWhenNoneAreConfigured) {
  WriteConfig("");
  StartDaemon();
  CommandResult r = Vigil({"tasks"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "no tasks configured\n");
  r = Vigil({"history"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "no runs yet\n");
}

TEST_F(TaskCommandsTest, RunWaitPrintsOutputAndExitStatus) {
  WriteConfig(fmt::format(R"([task.greet]
schedule = "{0}"
command = ["sh", "-c", "echo hello; echo to-stderr >&2; echo $VIGIL_TRIGGER"]

[task.broken]
schedule = "{0}"
command = ["sh", "-c", "echo going wrong; exit 3"]
)",
                          kNeverDuringTest));
  StartDaemon();

  CommandResult r = Vigil({"run", "greet", "--wait"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 4u) << r.out;
  EXPECT_EQ(lines[0], "hello");
  EXPECT_EQ(lines[1], "to-stderr");
  EXPECT_EQ(lines[2], "manual");
  EXPECT_EQ(lines[3].rfind("greet: run ", 0), 0u) << r.out;
  EXPECT_NE(lines[3].find(" exit 0 (manual, "), std::string::npos) << r.out;

  r = Vigil({"run", "broken", "--wait"});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("going wrong\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(" exit 3 (manual, "), std::string::npos) << r.out;

  // --json: the API's reply; the exit code still follows the run.
  r = Vigil({"run", "broken", "--wait", "--json"});
  EXPECT_EQ(r.exit_code, 1);
  json j = json::parse(r.out, nullptr, false);
  ASSERT_TRUE(j.is_object()) << r.out;
  EXPECT_EQ(j["run"]["exit_code"], 3);
  EXPECT_EQ(j["run"]["result"], "exit 3");
  EXPECT_EQ(j["run"]["trigger"], "manual");
  EXPECT_GE(j["run"]["ended_ms"].get<int64_t>(), j["run"]["started_ms"].get<int64_t>());
}

TEST_F(TaskCommandsTest, RunWithoutWaitReturnsAtOnceAndShowsInHistory) {
  auto go = dir_ / "go";
  WriteConfig(fmt::format(R"([task.slow]
schedule = "{}"
command = ["sh", "-c", "echo waiting; while [ ! -e {} ]; do sleep 0.02; done; echo finished"]
)",
                          kNeverDuringTest, go.string()));
  StartDaemon();

  CommandResult r = Vigil({"run", "slow"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(r.out.rfind("slow: started run ", 0), 0u) << r.out;
  std::string id = r.out.substr(std::string("slow: started run ").size());
  id.erase(id.find_last_not_of('\n') + 1);

  // The run is still going (it waits for a file nobody wrote yet), and history shows it
  // (once the store's writer thread has recorded it: writes are queued).
  ASSERT_TRUE(WaitFor([&] {
    r = Vigil({"history", "slow"});
    return !Row(r.out, id).empty();
  })) << r.out
      << r.err;
  std::string row = Row(r.out, id);
  EXPECT_NE(row.find("manual"), std::string::npos) << r.out;
  EXPECT_NE(row.find("running"), std::string::npos) << r.out;
  EXPECT_TRUE(Task("slow")["running"].get<bool>());

  // overlap = skip (the default): a second run is refused while the first one goes.
  r = Vigil({"run", "slow"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, fmt::format("vigil: slow: run {} is still going (overlap = skip)\n", id));
  EXPECT_EQ(Http("POST", "/v1/tasks/slow/run").first, 409);

  std::ofstream(go).put('\n');
  ASSERT_TRUE(WaitFor([&] { return LastRun("slow").value("result", "") == "exit 0"; }));
  r = Vigil({"history", "slow"});
  EXPECT_NE(Row(r.out, id).find("exit 0"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("    waiting\n    finished\n"), std::string::npos) << r.out;
}

TEST_F(TaskCommandsTest, HistoryShowsTriggerDurationAndExitCode) {
  WriteConfig(fmt::format(R"([task.tick]
schedule = "every 1s"
command = ["sh", "-c", "echo tick $VIGIL_RUN_ID"]

[task.byhand]
schedule = "{}"
command = ["sh", "-c", "echo line1; echo line2; echo line3; echo line4; exit 4"]
)",
                          kNeverDuringTest));
  StartDaemon();
  ASSERT_TRUE(WaitFor([&] { return CountRuns("tick", "schedule") >= 3; }));
  ASSERT_EQ(Vigil({"run", "byhand", "--wait"}).exit_code, 1);

  CommandResult r = Vigil({"history", "tick", "--limit", "2"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> lines = Lines(r.out);
  ASSERT_GE(lines.size(), 3u) << r.out;
  EXPECT_EQ(lines[0].substr(0, 2), "ID");
  for (const char* column : {"TASK", "TRIGGER", "STARTED", "DURATION", "RESULT"}) {
    EXPECT_NE(lines[0].find(column), std::string::npos) << r.out;
  }
  size_t rows = 0;
  for (const std::string& line : lines) {
    if (line.empty() || line[0] == ' ' || line[0] == 'I') continue;
    ++rows;
    EXPECT_NE(line.find(" tick "), std::string::npos) << r.out;
    EXPECT_NE(line.find(" schedule "), std::string::npos) << r.out;
  }
  EXPECT_EQ(rows, 2u) << r.out;
  EXPECT_NE(r.out.find("    tick "), std::string::npos) << r.out;  // the run's output

  // Every task, newest first: the manual run of byhand and the last three lines of its output.
  ASSERT_TRUE(WaitFor([&] { return LastRun("byhand").value("result", "") == "exit 4"; }));
  r = Vigil({"history", "--limit", "1000"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string row;
  for (const std::string& line : Lines(r.out))
    if (line.find(" byhand ") != std::string::npos) row = line;
  EXPECT_NE(row.find(" manual "), std::string::npos) << r.out;
  EXPECT_NE(row.find("s  "), std::string::npos) << r.out;  // a duration like 0.0s
  EXPECT_NE(row.find("exit 4"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("    line2\n    line3\n    line4\n"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("    line1\n"), std::string::npos) << r.out;

  json j = VigilJson({"history", "tick", "--limit", "2"});
  ASSERT_EQ(j["runs"].size(), 2u) << j.dump();
  const json& newest = j["runs"][0];
  EXPECT_GT(newest["id"].get<int64_t>(), j["runs"][1]["id"].get<int64_t>());
  EXPECT_EQ(newest["task"], "tick");
  EXPECT_EQ(newest["trigger"], "schedule");
  json ended = j["runs"][1];  // the older one has surely ended
  EXPECT_EQ(ended["exit_code"], 0);
  EXPECT_EQ(ended["signal"], 0);
  EXPECT_FALSE(ended["timed_out"].get<bool>());
  EXPECT_FALSE(ended["interrupted"].get<bool>());
  EXPECT_GE(ended["ended_ms"].get<int64_t>(), ended["started_ms"].get<int64_t>());
  EXPECT_EQ(ended["output_tail"], fmt::format("tick {}\n", ended["id"].get<int64_t>()));

  j = VigilJson({"history", "byhand"});
  ASSERT_EQ(j["runs"].size(), 1u);
  EXPECT_EQ(j["runs"][0]["trigger"], "manual");
  EXPECT_EQ(j["runs"][0]["exit_code"], 4);
  EXPECT_EQ(j["runs"][0]["result"], "exit 4");

  r = Vigil({"history", "nope"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "vigil: unknown task: nope\n");
  EXPECT_EQ(Vigil({"history", "--limit", "0"}).exit_code, 2);
}

TEST_F(TaskCommandsTest, TimedOutRunShowsAsTimedOut) {
  WriteConfig(fmt::format(R"([task.hang]
schedule = "{}"
timeout = "200ms"
command = ["sh", "-c", "echo started; exec sleep 1000"]
)",
                          kNeverDuringTest));
  StartDaemon();

  CommandResult r = Vigil({"run", "hang", "--wait"});
  EXPECT_EQ(r.exit_code, 1);
  std::vector<std::string> lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 2u) << r.out;
  EXPECT_EQ(lines[0], "started");
  EXPECT_NE(lines[1].find(" timed out (manual, 0."), std::string::npos) << r.out;

  ASSERT_TRUE(WaitFor([&] { return LastRun("hang").value("result", "") == "timed out"; }));
  json run = LastRun("hang");
  EXPECT_TRUE(run["timed_out"].get<bool>()) << run.dump();
  EXPECT_EQ(run["result"], "timed out");
  EXPECT_EQ(run["signal"], 9);
  r = Vigil({"history", "hang"});
  EXPECT_NE(Row(r.out, std::to_string(run["id"].get<int64_t>())).find("timed out"), std::string::npos) << r.out;
  r = Vigil({"tasks"});
  EXPECT_NE(Row(r.out, "hang").find("timed out"), std::string::npos) << r.out;
}

TEST_F(TaskCommandsTest, DisableStopsScheduledRunsAndEnableResumesThem) {
  // `clock` is a witness: once it has run twice more after the disable, `tick` (same
  // schedule) would have run too if it still were scheduled.
  WriteConfig(kTickAndClock);
  StartDaemon();
  ASSERT_TRUE(WaitFor([&] { return CountRuns("tick", "schedule") >= 1; }));

  CommandResult r = Vigil({"disable", "tick"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "tick: disabled\n");
  // A run that started just before the disable is recorded by the time a later run of
  // `clock` is (the history is written in order); count from then on.
  size_t clocks = CountRuns("clock", "schedule");
  ASSERT_TRUE(WaitFor([&] { return CountRuns("clock", "schedule") > clocks; }));
  size_t ticks = CountRuns("tick");
  clocks = CountRuns("clock", "schedule");
  ASSERT_TRUE(WaitFor([&] { return CountRuns("clock", "schedule") >= clocks + 2; }));
  EXPECT_EQ(CountRuns("tick"), ticks);

  json task = Task("tick");
  EXPECT_FALSE(task["enabled"].get<bool>());
  EXPECT_EQ(task["next_run_ms"], -1);
  EXPECT_NE(Row(Vigil({"tasks"}).out, "tick").find("disabled"), std::string::npos);

  // A manual run works while the task is disabled (docs/cli.md).
  auto [code, body] = Http("POST", "/v1/tasks/tick/run?wait=1");
  EXPECT_EQ(code, 200) << body;
  json reply = json::parse(body, nullptr, false);
  EXPECT_EQ(reply["run"]["trigger"], "manual") << body;
  EXPECT_EQ(reply["run"]["result"], "exit 0") << body;
  EXPECT_EQ(Vigil({"run", "tick", "--wait"}).exit_code, 0);
  EXPECT_TRUE(WaitFor([&] { return CountRuns("tick") == ticks + 2; }));
  EXPECT_EQ(CountRuns("tick", "schedule"), ticks);

  r = Vigil({"enable", "tick"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("tick: enabled (next run ", 0), 0u) << r.out;
  EXPECT_TRUE(WaitFor([&] { return CountRuns("tick", "schedule") > ticks; }));
  EXPECT_TRUE(Task("tick")["enabled"].get<bool>());

  // --json prints the reply, with the task as it is after the change.
  json j = VigilJson({"disable", "tick"});
  EXPECT_EQ(j["ok"], true);
  EXPECT_EQ(j["task"]["enabled"], false);

  r = Vigil({"enable", "nope"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "vigil: unknown task: nope\n");
}

TEST_F(TaskCommandsTest, DisableIsRememberedAcrossARestart) {
  WriteConfig(kTickAndClock);
  StartDaemon();
  ASSERT_EQ(Vigil({"disable", "tick"}).exit_code, 0);
  ASSERT_EQ(StopDaemon() >> 8, 0);

  StartDaemon();
  EXPECT_FALSE(Task("tick")["enabled"].get<bool>());
  size_t ticks = CountRuns("tick");
  size_t clocks = CountRuns("clock", "schedule");
  ASSERT_TRUE(WaitFor([&] { return CountRuns("clock", "schedule") >= clocks + 2; }));
  EXPECT_EQ(CountRuns("tick"), ticks);
}

TEST_F(TaskCommandsTest, ReloadListsWhatChangedInTasks) {
  WriteConfig(fmt::format(R"([task.job]
schedule = "{0}"
command = ["true"]

[task.old]
schedule = "{0}"
command = ["true"]

[task.same]
schedule = "{0}"
command = ["true"]
)",
                          kNeverDuringTest));
  StartDaemon();
  WriteConfig(fmt::format(R"([task.job]
schedule = "{0}"
timeout = "1m"
command = ["true"]

[task.fresh]
schedule = "{0}"
command = ["true"]

[task.same]
schedule = "{0}"
command = ["true"]
)",
                          kNeverDuringTest));
  CommandResult r = Vigil({"reload"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "tasks added: fresh\ntasks removed: old\ntasks changed: job\n1 unchanged\n");
  r = Vigil({"reload"});
  EXPECT_EQ(r.out, "no changes (3 unchanged)\n");
  json j = VigilJson({"reload"});
  EXPECT_EQ(j["tasks"]["unchanged"], json({"job", "fresh", "same"})) << j.dump();
  r = Vigil({"tasks"});
  EXPECT_NE(Row(r.out, "fresh"), "");
  EXPECT_EQ(Row(r.out, "old"), "");
}

TEST_F(TaskCommandsTest, EventsShowAProgramsStateChangesAndFilterByType) {
  WriteConfig(fmt::format(R"([program.svc]
command = ["{0}", "idle"]
start_seconds = "100ms"

[program.other]
command = ["{0}", "idle"]
start_seconds = "100ms"

[task.job]
schedule = "{1}"
command = ["true"]
)",
                          Child(), kNeverDuringTest));
  StartDaemon();
  ASSERT_TRUE(WaitForState("svc", "RUNNING"));
  ASSERT_EQ(Vigil({"stop", "svc"}).exit_code, 0);
  ASSERT_EQ(Vigil({"run", "job", "--wait"}).exit_code, 0);

  CommandResult r;
  // The history is written in order: once the run's end is there, so is svc's stop.
  ASSERT_TRUE(WaitFor([&] {
    return Vigil({"events", "--type", "task_run"}).out.find("ended: exit 0") != std::string::npos;
  }));
  ASSERT_TRUE(WaitFor([&] {
    r = Vigil({"events", "--program", "svc"});
    return r.out.find("STOPPING -> STOPPED") != std::string::npos;
  })) << r.out
      << r.err;
  EXPECT_EQ(r.exit_code, 0);
  std::vector<std::string> lines = Lines(r.out);
  // Oldest first: starting, running, stopping, stopped.
  ASSERT_GE(lines.size(), 4u) << r.out;
  EXPECT_NE(lines.front().find("STOPPED -> STARTING"), std::string::npos) << r.out;
  EXPECT_NE(lines.back().find("STOPPING -> STOPPED"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("STARTING -> RUNNING"), std::string::npos) << r.out;
  for (const std::string& line : lines) {
    EXPECT_NE(line.find("  svc  "), std::string::npos) << r.out;
  }
  EXPECT_EQ(r.out.find("other"), std::string::npos) << r.out;

  r = Vigil({"events", "--program", "svc", "--type", "state", "--limit", "1"});
  EXPECT_EQ(Lines(r.out).size(), 1u) << r.out;
  EXPECT_NE(r.out.find("  state  STOPPING -> STOPPED"), std::string::npos) << r.out;

  r = Vigil({"events", "--type", "task_run", "--since", "1h"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 2u) << r.out;
  EXPECT_NE(lines[0].find("  job  task_run  run 1 started (manual)"), std::string::npos) << r.out;
  EXPECT_NE(lines[1].find("run 1 (manual) ended: exit 0"), std::string::npos) << r.out;
  EXPECT_EQ(Vigil({"events", "--task", "job"}).out, r.out);

  EXPECT_EQ(Vigil({"events", "--program", "svc", "--type", "reload"}).out, "no events\n");

  json j = VigilJson({"events", "--program", "svc", "--type", "state"});
  ASSERT_GE(j["events"].size(), 4u) << j.dump();
  // Newest first.
  EXPECT_EQ(j["events"][0]["message"].get<std::string>().rfind("STOPPING -> STOPPED", 0), 0u);
  EXPECT_EQ(j["events"][0]["details_json"]["to"], "STOPPED");
  EXPECT_TRUE(j["next_before"].is_null());
  for (const json& e : j["events"]) {
    EXPECT_EQ(e["subject"], "svc");
    EXPECT_EQ(e["type"], "state");
  }

  // Paging: a full page names the id to continue from.
  json page = VigilJson({"events", "--program", "svc", "--limit", "2"});
  ASSERT_EQ(page["events"].size(), 2u);
  int64_t before = page["next_before"].get<int64_t>();
  EXPECT_EQ(before, page["events"][1]["id"].get<int64_t>());
  auto [code, body] = Http("GET", fmt::format("/v1/events?subject=svc&limit=2&before={}", before));
  EXPECT_EQ(code, 200);
  json older = json::parse(body, nullptr, false);
  ASSERT_FALSE(older["events"].empty()) << body;
  EXPECT_LT(older["events"][0]["id"].get<int64_t>(), before);

  // Usage errors are exit code 2.
  EXPECT_EQ(Vigil({"events", "--since", "yesterday"}).exit_code, 2);
  EXPECT_EQ(Vigil({"events", "--program", "svc", "--task", "job"}).exit_code, 2);
}

TEST_F(TaskCommandsTest, ApiAnswersErrorsAsJson) {
  WriteConfig(fmt::format(R"([task.job]
schedule = "{}"
command = ["sh", "-c", "echo out; echo err >&2"]
)",
                          kNeverDuringTest));
  StartDaemon();

  auto expect_error = [&](const std::string& method, const std::string& path, int status,
                          const std::string& message = "") {
    auto [code, body] = Http(method, path);
    EXPECT_EQ(code, status) << method << " " << path << ": " << body;
    json j = json::parse(body, nullptr, false);
    ASSERT_TRUE(j.is_object() && j.contains("error")) << path << ": " << body;
    if (!message.empty()) {
      EXPECT_EQ(j["error"], message) << path;
    }
  };
  expect_error("GET", "/v1/tasks/nope", 404, "unknown task: nope");
  expect_error("POST", "/v1/tasks/nope/run", 404, "unknown task: nope");
  expect_error("POST", "/v1/tasks/nope/run?wait=1", 404, "unknown task: nope");
  expect_error("POST", "/v1/tasks/nope/enable", 404, "unknown task: nope");
  expect_error("POST", "/v1/tasks/nope/disable", 404, "unknown task: nope");
  expect_error("GET", "/v1/runs?task=nope", 404, "unknown task: nope");
  expect_error("GET", "/v1/runs?limit=0", 400);
  expect_error("GET", "/v1/runs?limit=abc", 400);
  expect_error("GET", "/v1/runs?limit=1001", 400);
  expect_error("GET", "/v1/runs?limit=-1", 400);
  expect_error("GET", "/v1/events?limit=0", 400);
  expect_error("GET", "/v1/events?limit=1001", 400);
  expect_error("GET", "/v1/events?since=soon", 400);
  expect_error("GET", "/v1/events?before=x", 400);
  expect_error("POST", "/v1/tasks/job/run?wait=maybe", 400);
  expect_error("GET", "/v1/runs/abc/output", 400);
  expect_error("GET", "/v1/runs/999999/output", 404, "unknown run: 999999");
  expect_error("GET", "/v1/tasks/job/run", 405);
  expect_error("POST", "/v1/tasks", 405);

  CommandResult r = Vigil({"run", "nope"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "vigil: unknown task: nope\n");
  EXPECT_EQ(r.out, "");

  auto [code, body] = Http("POST", "/v1/tasks/job/run?wait=1");
  ASSERT_EQ(code, 200) << body;
  int64_t id = json::parse(body)["run"]["id"];
  auto [out_code, out_body] = Http("GET", fmt::format("/v1/runs/{}/output", id));
  EXPECT_EQ(out_code, 200) << out_body;
  EXPECT_EQ(json::parse(out_body, nullptr, false)["output"], "out\nerr\n") << out_body;

  auto [task_code, task_body] = Http("GET", "/v1/tasks/job");
  EXPECT_EQ(task_code, 200);
  json task = json::parse(task_body, nullptr, false);
  EXPECT_EQ(task["name"], "job");
  EXPECT_EQ(task["last_result"], "exit 0");
  EXPECT_FALSE(task["running"].get<bool>());
}

}  // namespace
}  // namespace vigil::testing
