// SPDX-License-Identifier: MIT
// Reads vigild's JSON replies (docs/formats/api.md) into plain CLI structs, without
// exceptions: the one place the CLI touches nlohmann::json's throwing accessors.
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace vigil::cli {

// One program as GET /v1/programs reports it; only the fields the CLI displays.
struct ProgramView {
  std::string name;
  std::string state;
  std::string want;
  int64_t pid = 0;         // 0 when no process is running
  int64_t uptime_ms = -1;  // -1 when no process is running
  int64_t restarts = 0;
  std::string last_exit;  // "exit 1", "signal 9 (SIGKILL)", or ""
  std::string reason;
  std::string status;  // the program's own STATUS= text, or ""
};

// One task as GET /v1/tasks reports it (docs/api.md, TaskInfo).
struct TaskView {
  std::string name;
  std::string schedule;
  std::string timezone;  // "" = vigild's local time
  bool enabled = true;
  bool running = false;
  int64_t next_run_ms = -1;  // unix ms; -1 when none
  int64_t last_run_ms = -1;  // unix ms; -1 if it never ran
  std::string last_result;   // "exit 0", "timed out", ... or ""
  int64_t waiting_since_ms = -1;  // a due run waits for an idle machine since then; -1 if none
};

// One run of a task (docs/api.md, RunInfo).
struct RunView {
  int64_t id = 0;  // 0: queued behind a run that is still going
  std::string task;
  std::string trigger;
  int64_t started_ms = 0;
  int64_t ended_ms = -1;  // -1 while running or when interrupted
  int64_t exit_code = -1;
  int64_t signal = 0;
  bool timed_out = false;
  bool interrupted = false;
  std::string result;
  std::string output_tail;
  std::string output_problem;  // why vigild did not keep its output; "" if it did
  int64_t deferred_ms = 0;     // how long it waited for an idle machine before it started
};

// One event of vigild's history (docs/api.md, EventInfo); details are not shown.
struct EventView {
  int64_t id = 0;
  int64_t time_ms = 0;
  std::string type;
  std::string subject;
  std::string message;
};

// Parses a reply body. InvalidArgument with the parser's complaint if it is not JSON.
base::Result<nlohmann::json> ParseJson(std::string_view body);

// A program object; missing or mistyped fields keep ProgramView's defaults, so a newer
// daemon with extra or renamed fields still produces a readable table.
ProgramView ProgramFromJson(const nlohmann::json& object);

// The "programs" array of `reply`; InvalidArgument if there is none.
base::Result<std::vector<ProgramView>> ProgramsFromJson(const nlohmann::json& reply);

// Like ProgramFromJson: missing or mistyped fields keep the defaults.
TaskView TaskFromJson(const nlohmann::json& object);
RunView RunFromJson(const nlohmann::json& object);
EventView EventFromJson(const nlohmann::json& object);

// The "tasks", "runs" or "events" array of `reply`; InvalidArgument if there is none.
base::Result<std::vector<TaskView>> TasksFromJson(const nlohmann::json& reply);
base::Result<std::vector<RunView>> RunsFromJson(const nlohmann::json& reply);
base::Result<std::vector<EventView>> EventsFromJson(const nlohmann::json& reply);

// The object `reply[key]` read as a run or a task (POST /v1/tasks/NAME/run, /enable);
// InvalidArgument if it is missing.
base::Result<RunView> RunFieldFromJson(const nlohmann::json& reply, const char* key);
base::Result<TaskView> TaskFieldFromJson(const nlohmann::json& reply, const char* key);

// The string `reply[key]`; empty if missing or not a string.
std::string StringFromJson(const nlohmann::json& reply, const char* key);

// The string array `reply[key]`; empty if missing. Non-string items are skipped.
std::vector<std::string> StringListFromJson(const nlohmann::json& reply, const char* key);

// The human message of an error reply: its "error" string, else the trimmed body, else
// "HTTP <status>".
std::string ErrorMessageFromBody(std::string_view body, int http_status);

}  // namespace vigil::cli
