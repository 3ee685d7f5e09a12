// SPDX-License-Identifier: MIT
// Exception-free readers for vigild's JSON replies.
#include "cli/api_json.h"

#include <nlohmann/json.hpp>

namespace vigil::cli {
namespace {

using nlohmann::json;

// Each getter checks the type first: json::value() and get<>() throw on a mismatch.
std::string GetString(const json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return {};
  return it->get_ref<const std::string&>();
}

int64_t GetInt(const json& object, const char* key, int64_t fallback) {
  auto it = object.find(key);
  if (it == object.end()) return fallback;
  if (it->is_number_integer()) return it->get<int64_t>();
  if (it->is_number_unsigned()) return static_cast<int64_t>(it->get<uint64_t>());
  if (it->is_number_float()) return static_cast<int64_t>(it->get<double>());
  return fallback;
}

bool GetBool(const json& object, const char* key, bool fallback) {
  auto it = object.find(key);
  return it != object.end() && it->is_boolean() ? it->get<bool>() : fallback;
}

// The array `reply[key]`, each item read by `read`.
template <typename View>
base::Result<std::vector<View>> ListFromJson(const json& reply, const char* key,
                                             View (*read)(const json&)) {
  if (!reply.is_object()) return base::Status::InvalidArgument("reply is not a JSON object");
  auto it = reply.find(key);
  if (it == reply.end() || !it->is_array()) {
    return base::Status::InvalidArgument(std::string("reply has no \"") + key + "\" array");
  }
  std::vector<View> items;
  items.reserve(it->size());
  for (const json& item : *it) items.push_back(read(item));
  return items;
}

template <typename View>
base::Result<View> FieldFromJson(const json& reply, const char* key, View (*read)(const json&)) {
  if (!reply.is_object()) return base::Status::InvalidArgument("reply is not a JSON object");
  auto it = reply.find(key);
  if (it == reply.end() || !it->is_object()) {
    return base::Status::InvalidArgument(std::string("reply has no \"") + key + "\" object");
  }
  return read(*it);
}

std::string_view Trim(std::string_view s) {
  const char* kSpace = " \t\r\n";
  size_t begin = s.find_first_not_of(kSpace);
  if (begin == std::string_view::npos) return {};
  size_t end = s.find_last_not_of(kSpace);
  return s.substr(begin, end - begin + 1);
}

}  // namespace

base::Result<json> ParseJson(std::string_view body) {
  json parsed = json::parse(body, /*cb=*/nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    return base::Status::InvalidArgument("reply is not valid JSON");
  }
  return parsed;
}

ProgramView ProgramFromJson(const json& object) {
  ProgramView p;
  if (!object.is_object()) return p;
  p.name = GetString(object, "name");
  p.state = GetString(object, "state");
  p.want = GetString(object, "want");
  p.pid = GetInt(object, "pid", 0);
  p.uptime_ms = GetInt(object, "uptime_ms", -1);
  p.restarts = GetInt(object, "restarts", 0);
  p.last_exit = GetString(object, "last_exit");
  p.reason = GetString(object, "reason");
  p.status = GetString(object, "status");
  return p;
}

base::Result<std::vector<ProgramView>> ProgramsFromJson(const json& reply) {
  if (!reply.is_object()) return base::Status::InvalidArgument("reply is not a JSON object");
  auto it = reply.find("programs");
  if (it == reply.end() || !it->is_array()) {
    return base::Status::InvalidArgument("reply has no \"programs\" array");
  }
  std::vector<ProgramView> programs;
  programs.reserve(it->size());
  for (const json& item : *it) programs.push_back(ProgramFromJson(item));
  return programs;
}

TaskView TaskFromJson(const json& object) {
  TaskView t;
  if (!object.is_object()) return t;
  t.name = GetString(object, "name");
  t.schedule = GetString(object, "schedule");
  t.timezone = GetString(object, "timezone");
  t.enabled = GetBool(object, "enabled", true);
  t.running = GetBool(object, "running", false);
  t.next_run_ms = GetInt(object, "next_run_ms", -1);
  t.last_run_ms = GetInt(object, "last_run_ms", -1);
  t.last_result = GetString(object, "last_result");
  t.waiting_since_ms = GetInt(object, "waiting_since_ms", -1);
  return t;
}

RunView RunFromJson(const json& object) {
  RunView r;
  if (!object.is_object()) return r;
  r.id = GetInt(object, "id", 0);
  r.task = GetString(object, "task");
  r.trigger = GetString(object, "trigger");
  r.started_ms = GetInt(object, "started_ms", 0);
  r.ended_ms = GetInt(object, "ended_ms", -1);
  r.exit_code = GetInt(object, "exit_code", -1);
  r.signal = GetInt(object, "signal", 0);
  r.timed_out = GetBool(object, "timed_out", false);
  r.interrupted = GetBool(object, "interrupted", false);
  r.result = GetString(object, "result");
  r.output_tail = GetString(object, "output_tail");
  r.output_problem = GetString(object, "output_problem");
  r.deferred_ms = GetInt(object, "deferred_ms", 0);
  return r;
}

EventView EventFromJson(const json& object) {
  EventView e;
  if (!object.is_object()) return e;
  e.id = GetInt(object, "id", 0);
  e.time_ms = GetInt(object, "time_ms", 0);
  e.type = GetString(object, "type");
  e.subject = GetString(object, "subject");
  e.message = GetString(object, "message");
  return e;
}

base::Result<std::vector<TaskView>> TasksFromJson(const json& reply) {
  return ListFromJson(reply, "tasks", &TaskFromJson);
}

base::Result<std::vector<RunView>> RunsFromJson(const json& reply) {
  return ListFromJson(reply, "runs", &RunFromJson);
}

base::Result<std::vector<EventView>> EventsFromJson(const json& reply) {
  return ListFromJson(reply, "events", &EventFromJson);
}

base::Result<RunView> RunFieldFromJson(const json& reply, const char* key) {
  return FieldFromJson(reply, key, &RunFromJson);
}

base::Result<TaskView> TaskFieldFromJson(const json& reply, const char* key) {
  return FieldFromJson(reply, key, &TaskFromJson);
}

std::string StringFromJson(const json& reply, const char* key) {
  if (!reply.is_object()) return {};
  return GetString(reply, key);
}

std::vector<std::string> StringListFromJson(const json& reply, const char* key) {
  std::vector<std::string> out;
  if (!reply.is_object()) return out;
  auto it = reply.find(key);
  if (it == reply.end() || !it->is_array()) return out;
  for (const json& item : *it) {
    if (item.is_string()) out.push_back(item.get_ref<const std::string&>());
  }
  return out;
}

std::string ErrorMessageFromBody(std::string_view body, int http_status) {
  json parsed = json::parse(body, nullptr, false);
  if (!parsed.is_discarded() && parsed.is_object()) {
    std::string message = GetString(parsed, "error");
    if (!message.empty()) return message;
  }
  std::string_view trimmed = Trim(body);
  if (!trimmed.empty()) return std::string(trimmed);
  return "HTTP " + std::to_string(http_status);
}

}  // namespace vigil::cli
