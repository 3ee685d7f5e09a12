// SPDX-License-Identifier: MIT
// JSON encoding of API responses and decoding of request bodies with nlohmann::json.
#include "api/json_codec.h"

#include <charconv>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>

#include "base/units.h"
#include "config/signals.h"

namespace vigil::api {
namespace {

using nlohmann::json;

// Parses a body that must be a JSON object. parse() is called in its non-throwing mode.
base::Result<json> ParseObject(std::string_view body) {
  json value = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) return base::Status::InvalidArgument("request body is not valid JSON");
  if (!value.is_object())
    return base::Status::InvalidArgument("request body must be a JSON object");
  return value;
}

base::Status CheckFields(const json& object, std::initializer_list<std::string_view> allowed) {
  for (const auto& [key, unused] : object.items()) {
    bool known = false;
    for (std::string_view name : allowed) known = known || key == name;
    // Rejecting typos ("wiat") beats silently applying the default.
    if (!known) return base::Status::InvalidArgument("unknown field \"" + key + "\"");
  }
  return base::Status::Ok();
}

base::Result<std::vector<std::string>> ParsePrograms(const json& object) {
  auto it = object.find("programs");
  if (it == object.end()) return base::Status::InvalidArgument("missing field \"programs\"");
  if (!it->is_array() || it->empty()) {
    return base::Status::InvalidArgument(
        "\"programs\" must be a non-empty array of program names (or [\"all\"])");
  }
  std::vector<std::string> names;
  for (const json& name : *it) {
    if (!name.is_string() || name.get_ref<const std::string&>().empty()) {
      return base::Status::InvalidArgument("\"programs\" must contain non-empty strings");
    }
    names.push_back(name.get<std::string>());
  }
  return names;
}

// A "signal" given as a JSON number. Any number is read, whatever JSON type nlohmann gives
// it (unsigned, negative, or a double for fractions, exponents and integers past
// uint64_t), so the error names what is wrong with it rather than its type.
base::Result<int> SignalNumber(const json& value) {
  if (!value.is_number()) {
    return base::Status::InvalidArgument("\"signal\" must be a name or a number");
  }
  const int rtmax = SIGRTMAX;  // a function in glibc: known at run time only
  bool in_range = false;
  if (value.is_number_unsigned()) {
    in_range = value.get<uint64_t>() <= static_cast<uint64_t>(rtmax);
  } else if (value.is_number_integer()) {
    in_range = false;  // nlohmann keeps non-negative integers unsigned: this one is negative
  } else {
    const double number = value.get<double>();
    if (number != std::trunc(number)) {
      return base::Status::InvalidArgument("signal " + value.dump() + " is not a whole number");
    }
    in_range = number >= 0 && number <= rtmax;
  }
  // 0 passes to the text parser, whose check refuses it in the same words.
  if (!in_range) {
    return base::Status::InvalidArgument("signal number " + value.dump() +
                                         " is out of range 1-" + std::to_string(rtmax));
  }
  // In range: through the text parser, so what it accepts lives in one place.
  return config::ParseSignal(std::to_string(value.is_number_float()
                                                ? static_cast<int64_t>(value.get<double>())
                                                : value.get<int64_t>()));
}

}  // namespace

json ToJson(const ProgramInfo& info) {
  // Filled key by key: an initializer list of pairs builds a two-element array per field
  // first, which made this the most expensive part of GET /v1/programs.
  json out = json::object();
  auto& o = out.get_ref<json::object_t&>();
  o.emplace("name", info.name);
  o.emplace("state", info.state);
  o.emplace("want", info.want);
  o.emplace("autostart", info.autostart);
  o.emplace("pid", info.pid);
  o.emplace("uptime_ms", info.uptime_ms);
  o.emplace("state_since_ms", info.state_since_ms);
  o.emplace("restarts", info.restarts);
  o.emplace("last_exit", info.last_exit);
  o.emplace("reason", info.reason);
  o.emplace("status", info.status);
  o.emplace("stdout_log", info.stdout_log);
  o.emplace("stderr_log", info.stderr_log);
  return out;
}

namespace {

// `text` as a JSON string, as DumpJson writes it. Printable ASCII without '"' and '\\'
// (names, states, paths: nearly every string) is copied as is; anything else goes through
// nlohmann's own escaping, so control characters, UTF-8 and invalid bytes come out exactly
// as in DumpJson.
void AppendString(std::string_view text, std::string* out) {
  bool plain = true;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte >= 0x7f || c == '"' || c == '\\') {
      plain = false;
      break;
    }
  }
  if (!plain) {
    out->append(json(std::string(text)).dump(-1, ' ', /*ensure_ascii=*/false, json::error_handler_t::replace));
    return;
  }
  out->push_back('"');
  out->append(text);
  out->push_back('"');
}

}  // namespace

void AppendJson(const ProgramInfo& info, std::string* out) {
  // Invariant: the keys in the order nlohmann writes ToJson(info), its object being a
  // std::map (sorted by key); json_codec_test compares the two.
  auto key = [out](std::string_view name) {
    out->push_back(',');
    out->push_back('"');
    out->append(name);
    out->append("\":");
  };
  auto number = [out](int64_t value) {
    char digits[24];  // an int64_t has at most 20 characters with its sign
    out->append(digits, std::to_chars(digits, digits + sizeof digits, value).ptr);
  };
  out->append("{\"autostart\":");
  out->append(info.autostart ? "true" : "false");
  key("last_exit");
  AppendString(info.last_exit, out);
  key("name");
  AppendString(info.name, out);
  key("pid");
  number(info.pid);
  key("reason");
  AppendString(info.reason, out);
  key("restarts");
  number(info.restarts);
  key("state");
  AppendString(info.state, out);
  key("state_since_ms");
  number(info.state_since_ms);
  key("status");
  AppendString(info.status, out);
  key("stderr_log");
  AppendString(info.stderr_log, out);
  key("stdout_log");
  AppendString(info.stdout_log, out);
  key("uptime_ms");
  number(info.uptime_ms);
  key("want");
  AppendString(info.want, out);
  out->push_back('}');
}

namespace {

// Shares and loads to one decimal: more digits are noise in a measurement over a second.
double Tenths(double value) { return std::round(value * 10) / 10; }

json ToJson(const SystemUsage& s) {
  return json{
      {"cpus", s.cpus},
      {"cpu_percent", Tenths(s.cpu_percent)},
      {"memory_used_percent", Tenths(s.memory_used_percent)},
      {"memory_total_bytes", s.memory_total_bytes},
      {"memory_available_bytes", s.memory_available_bytes},
      {"swap_used_percent", Tenths(s.swap_used_percent)},
      {"load1", s.load1},
      {"load5", s.load5},
      {"load15", s.load15},
      {"cpu_pressure", s.cpu_pressure ? json(Tenths(*s.cpu_pressure)) : json(nullptr)},
      {"memory_pressure", s.memory_pressure ? json(Tenths(*s.memory_pressure)) : json(nullptr)},
      {"io_pressure", s.io_pressure ? json(Tenths(*s.io_pressure)) : json(nullptr)},
  };
}

json ToJson(const ProgramUsage& u) {
  return json{
      {"name", u.name},
      {"state", u.state},
      {"pid", u.pid},
      {"cpu_percent", Tenths(u.cpu_percent)},
      {"cpu_seconds", Tenths(u.cpu_seconds)},
      {"memory_bytes", u.memory_bytes},
      {"pss_bytes", u.pss_bytes ? json(*u.pss_bytes) : json(nullptr)},
      {"processes", u.processes},
      {"open_fds", u.open_fds},
      {"uptime_ms", u.uptime_ms},
      {"restarts", u.restarts},
  };
}

json ToJson(const DiskUsage& d) {
  return json{
      {"mount_point", d.mount_point},
      {"fs_type", d.fs_type},
      {"total_bytes", d.total_bytes},
      {"available_bytes", d.available_bytes},
      {"used_percent", Tenths(d.used_percent)},
      {"inodes_used_percent", Tenths(d.inodes_used_percent)},
      {"error", d.error},
  };
}

}  // namespace

json ToJson(const TopView& view) {
  json disks = json::array();
  for (const DiskUsage& d : view.disks) disks.push_back(ToJson(d));
  json programs = json::array();
  for (const ProgramUsage& u : view.programs) programs.push_back(ToJson(u));
  return json{{"system", ToJson(view.system)}, {"disks", std::move(disks)}, {"programs", std::move(programs)}};
}

json ToJson(const CheckInfo& c) {
  // Hundredths: a load per CPU of 1.25 is a level users write.
  auto optional = [](const std::optional<double>& v) { return v ? json(std::round(*v * 100) / 100) : json(nullptr); };
  return json{
      {"name", c.name},   {"kind", c.kind}, {"target", c.target}, {"program", c.program},
      {"metric", c.metric}, {"path", c.path},
      {"state", c.state}, {"since_ms", c.since_ms}, {"value", optional(c.value)},
      {"warn", optional(c.warn)}, {"crit", optional(c.crit)}, {"message", c.message}, {"gave_up", c.gave_up},
  };
}

json ToJson(const FindingInfo& f) {
  return json{{"id", f.id},           {"time_ms", f.time_ms}, {"severity", f.severity}, {"category", f.category},
              {"subject", f.subject}, {"text", f.text},       {"raise_id", f.raise_id}};
}

json ToJson(const DaemonInfo& info) {
  return json{
      {"version", info.version},
      {"pid", info.pid},
      {"started_at_ms", info.started_at_ms},
      {"config_path", info.config_path.string()},
      {"socket", info.socket.string()},
      {"log_dir", info.log_dir.string()},
      {"state_dir", info.state_dir.string()},
      {"problems", info.problems},
  };
}

json ToJson(const ReloadSummary& summary) {
  auto changes = [](const ReloadChanges& c) {
    return json{{"added", c.added}, {"removed", c.removed}, {"changed", c.changed}, {"unchanged", c.unchanged}};
  };
  json out = changes(summary);  // the programs, at the top level
  out["ok"] = true;
  out["tasks"] = changes(summary.tasks);
  return out;
}

json ToJson(const TaskInfo& info) {
  return json{
      {"name", info.name},
      {"schedule", info.schedule},
      {"timezone", info.timezone},
      {"action", info.action},
      {"enabled", info.enabled},
      {"running", info.running},
      {"next_run_ms", info.next_run_ms},
      {"last_run_ms", info.last_run_ms},
      {"last_result", info.last_result},
      {"waiting_since_ms", info.waiting_since_ms},
      {"runs_succeeded", info.runs_succeeded},
      {"runs_failed", info.runs_failed},
      {"last_success_ms", info.last_success_ms},
      {"last_duration_ms", info.last_duration_ms},
  };
}

json ToJson(const RunInfo& info) {
  return json{
      {"id", info.id},
      {"task", info.task},
      {"trigger", info.trigger},
      {"started_ms", info.started_ms},
      {"ended_ms", info.ended_ms},
      {"exit_code", info.exit_code},
      {"signal", info.signal},
      {"timed_out", info.timed_out},
      {"interrupted", info.interrupted},
      {"result", info.result},
      {"output_tail", info.output_tail},
      {"output_problem", info.output_problem},
      {"deferred_ms", info.deferred_ms},
  };
}

json ToJson(const EventInfo& info) {
  json details = json::parse(info.details_json, nullptr, /*allow_exceptions=*/false);
  if (details.is_discarded() || !details.is_object()) details = json::object();
  return json{
      {"id", info.id},
      {"time_ms", info.time_ms},
      {"type", info.type},
      {"subject", info.subject},
      {"message", info.message},
      {"details_json", std::move(details)},
  };
}

json ToJson(const ConfigProblem& problem) {
  return json{
      {"line", problem.line},
      {"outside", problem.outside},
      {"key", problem.key},
      {"message", problem.message},
  };
}

std::string DumpJson(const json& value) {
  return value.dump(-1, ' ', /*ensure_ascii=*/false, json::error_handler_t::replace) + "\n";
}

base::Result<ActionRequest> ParseActionRequest(std::string_view body) {
  auto object = ParseObject(body);
  if (!object) return object.error();
  if (auto s = CheckFields(*object, {"programs", "wait", "timeout"}); !s.ok()) return s;
  ActionRequest request;
  auto names = ParsePrograms(*object);
  if (!names) return names.error();
  request.programs = std::move(names).value();
  if (auto it = object->find("wait"); it != object->end()) {
    if (!it->is_boolean()) return base::Status::InvalidArgument("\"wait\" must be true or false");
    request.wait = it->get<bool>();
  }
  if (auto it = object->find("timeout"); it != object->end()) {
    base::Result<base::Duration> timeout = base::Status::InvalidArgument(
        "\"timeout\" must be a duration such as \"30s\" or \"5m\", or a number of seconds");
    if (it->is_string()) {
      timeout = base::ParseDuration(it->get_ref<const std::string&>());
      if (!timeout) return base::Status::InvalidArgument("\"timeout\": " + timeout.error().message());
    } else if (it->is_number_integer()) {
      // An unsigned number past int64 would wrap to a negative one: clamp it to the
      // largest, which DurationFromSeconds refuses as too large.
      timeout = base::DurationFromSeconds(it->is_number_unsigned() && it->get<uint64_t>() > INT64_MAX
                                              ? INT64_MAX
                                              : it->get<int64_t>());
      if (!timeout) return base::Status::InvalidArgument("\"timeout\": " + timeout.error().message());
    }
    if (!timeout) return timeout.error();
    request.timeout = *timeout;
  }
  return request;
}

base::Result<SignalRequest> ParseSignalRequest(std::string_view body, bool with_programs) {
  auto object = ParseObject(body);
  if (!object) return object.error();
  auto fields = with_programs ? CheckFields(*object, {"programs", "signal"})
                              : CheckFields(*object, {"signal"});
  if (!fields.ok()) return fields;
  SignalRequest request;
  if (with_programs) {
    auto names = ParsePrograms(*object);
    if (!names) return names.error();
    request.programs = std::move(names).value();
  }
  auto it = object->find("signal");
  if (it == object->end()) return base::Status::InvalidArgument("missing field \"signal\"");
  auto signo = it->is_string() ? config::ParseSignal(it->get_ref<const std::string&>())
                               : SignalNumber(*it);
  if (!signo) return signo.error();
  request.signo = *signo;
  return request;
}

base::Result<ConfigEditRequest> ParseConfigEditRequest(std::string_view body, bool with_revision) {
  auto object = ParseObject(body);
  if (!object) return object.error();
  auto fields = with_revision ? CheckFields(*object, {"toml", "revision"}) : CheckFields(*object, {"toml"});
  if (!fields.ok()) return fields;
  ConfigEditRequest request;
  auto text = [&](const char* name, std::string* out) {
    auto it = object->find(name);
    if (it == object->end()) return base::Status::InvalidArgument(std::string("missing field \"") + name + "\"");
    if (!it->is_string()) return base::Status::InvalidArgument(std::string("\"") + name + "\" must be a string");
    *out = it->get<std::string>();
    return base::Status::Ok();
  };
  if (auto s = text("toml", &request.toml); !s.ok()) return s;
  if (with_revision) {
    if (auto s = text("revision", &request.revision); !s.ok()) return s;
  }
  return request;
}

}  // namespace vigil::api
