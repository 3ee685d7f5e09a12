// SPDX-License-Identifier: MIT
// Reading [task.NAME] tables into TaskSpecs: schedule and time zone checked by the
// schedule parser, exactly one of command or action, and the keys each action allows.
#include "config/task_table.h"

#include <algorithm>
#include <limits>

#include "config/program_table.h"
#include "config/toml_reader.h"
#include "schedule/schedule.h"

namespace vigil::config {
namespace {

constexpr std::string_view kTaskKeys =
    "schedule, timezone, command, directory, environment, user, group, action, programs, paths, "
    "pattern, older_than, max_total_size, timeout, overlap, catch_up, random_delay, retries, "
    "retry_backoff, enabled, output_max_size";

bool IsProcessKey(std::string_view k) {
  return k == "command" || k == "directory" || k == "environment" || k == "user" || k == "group";
}

class TaskReader {
 public:
  TaskReader(const ErrorContext& errors, const std::string& config_dir, const KeyPath& key, int line,
             TaskTable* out)
      : reader_(errors), config_dir_(config_dir), key_(key), line_(line), out_(out) {}

  base::Status Read(const toml::table& table) {
    toml::table process_keys;
    const toml::node* schedule_node = nullptr;
    const toml::node* timezone_node = nullptr;
    const toml::node* action_node = nullptr;
    const toml::node* command_node = nullptr;
    std::vector<std::pair<std::string, const toml::node*>> action_keys;  // programs, paths, ...
    TaskSpec& spec = out_->spec;
    for (const auto& [k, v] : EntriesInFileOrder(table)) {
      const std::string_view name = k->str();
      const KeyPath key = key_.Child(name);
      base::Status s;
      if (IsProcessKey(name)) {
        if (name == "command") command_node = v;
        process_keys.insert(*k, *v);
        process_lines_.emplace_back(std::string(name), v);
      } else if (name == "schedule") {
        schedule_node = v;
        s = reader_.ReadNonEmptyString(*v, key, &spec.schedule);
      } else if (name == "timezone") {
        timezone_node = v;
        s = reader_.ReadNonEmptyString(*v, key, &spec.timezone);
      } else if (name == "action") {
        action_node = v;
        s = ReadAction(*v, key);
      } else if (name == "programs" || name == "paths" || name == "pattern" || name == "older_than" ||
                 name == "max_total_size") {
        action_keys.emplace_back(std::string(name), v);
      } else if (name == "timeout") {
        base::Duration d{};
        s = reader_.ReadDuration(*v, key, &d);
        if (s.ok() && d.count() == 0) s = reader_.Error(*v, key, "must be greater than 0 (leave it out for none)");
        spec.timeout = d;
      } else if (name == "overlap") {
        s = ReadOverlap(*v, key);
      } else if (name == "catch_up") {
        s = reader_.ReadBool(*v, key, &spec.catch_up);
      } else if (name == "random_delay") {
        s = reader_.ReadDuration(*v, key, &spec.random_delay);
      } else if (name == "retries") {
        s = reader_.ReadInt(*v, key, 0, 1000, &spec.retries);
      } else if (name == "retry_backoff") {
        s = reader_.ReadDuration(*v, key, &spec.retry_backoff);
      } else if (name == "enabled") {
        s = reader_.ReadBool(*v, key, &spec.enabled);
      } else if (name == "output_max_size") {
        s = reader_.ReadSize(*v, key, &spec.output_max_bytes);
      } else {
        s = reader_.UnknownKey(*k, key, kTaskKeys);
      }
      if (!s.ok()) return s;
    }
    if (schedule_node == nullptr) return reader_.errors().Error(line_, key_, "missing required key \"schedule\"");
    auto parsed = schedule::Schedule::Parse(spec.schedule, spec.timezone);
    if (!parsed) {
      const bool zone_problem = parsed.error().message().rfind("unknown time zone", 0) == 0;
      const toml::node& at = zone_problem && timezone_node ? *timezone_node : *schedule_node;
      return reader_.Error(at, key_.Child(zone_problem ? "timezone" : "schedule"), parsed.error().message());
    }
    if (command_node != nullptr && action_node != nullptr) {
      return reader_.Error(*action_node, key_.Child("action"), "a task has either command or action, not both");
    }
    if (command_node == nullptr && action_node == nullptr) {
      return reader_.errors().Error(line_, key_, "needs command (a program to run) or action (restart, cleanup, rotate-logs)");
    }
    if (action_node != nullptr) {
      // Keys of a command have no meaning for a built-in action.
      for (const auto& [name, node] : process_lines_)
        return reader_.Error(*node, key_.Child(name), "only applies to command tasks");
    } else {
      if (auto s = ParseProcessKeys(reader_.errors(), config_dir_, key_, process_keys, line_, &process_);
          !s.ok())
        return s;
      spec.argv = process_.argv;
      spec.directory = process_.directory;
      spec.environment = process_.environment;
      spec.uid = process_.uid;
      spec.gid = process_.gid;
      spec.user = process_.user;
    }
    return ReadActionKeys(action_keys);
  }

 private:
  base::Status ReadAction(const toml::node& v, const KeyPath& key) {
    std::string text;
    if (auto s = reader_.ReadNonEmptyString(v, key, &text); !s.ok()) return s;
    if (text == "restart") out_->spec.action = TaskAction::kRestart;
    else if (text == "cleanup") out_->spec.action = TaskAction::kCleanup;
    else if (text == "rotate-logs") out_->spec.action = TaskAction::kRotateLogs;
    else return reader_.Error(v, key, "expected \"restart\", \"cleanup\" or \"rotate-logs\", got \"" + text + "\"");
    return base::Status::Ok();
  }

  base::Status ReadOverlap(const toml::node& v, const KeyPath& key) {
    std::string text;
    if (auto s = reader_.ReadNonEmptyString(v, key, &text); !s.ok()) return s;
    if (text == "skip") out_->spec.overlap = OverlapPolicy::kSkip;
    else if (text == "queue") out_->spec.overlap = OverlapPolicy::kQueue;
    else if (text == "replace") out_->spec.overlap = OverlapPolicy::kReplace;
    else return reader_.Error(v, key, "expected \"skip\", \"queue\" or \"replace\", got \"" + text + "\"");
    return base::Status::Ok();
  }

  base::Status ReadStrings(const toml::node& v, const KeyPath& key, std::vector<std::string>* out) {
    const auto* array = v.as_array();
    if (array == nullptr) return reader_.WrongType(v, key, "an array of strings");
    if (array->empty()) return reader_.Error(v, key, "must not be empty");
    for (size_t i = 0; i < array->size(); ++i) {
      std::string text;
      if (auto s = reader_.ReadNonEmptyString(*array->get(i), key.Index(i), &text); !s.ok()) return s;
      out->push_back(std::move(text));
    }
    return base::Status::Ok();
  }

  base::Status ReadActionKeys(const std::vector<std::pair<std::string, const toml::node*>>& keys) {
    TaskSpec& spec = out_->spec;
    bool has_paths = false;
    for (const auto& [name, node] : keys) {
      const KeyPath key = key_.Child(name);
      const bool for_cleanup = name != "programs";
      const TaskAction wanted = for_cleanup ? TaskAction::kCleanup : TaskAction::kRestart;
      if (spec.action != wanted) {
        return reader_.Error(*node, key,
                             std::string("only applies to action = \"") + (for_cleanup ? "cleanup" : "restart") + "\"");
      }
      base::Status s;
      if (name == "programs") {
        s = ReadStrings(*node, key, &out_->program_refs);
        out_->programs_line = LineOf(*node);
      } else if (name == "paths") {
        std::vector<std::string> paths;
        s = ReadStrings(*node, key, &paths);
        for (const auto& p : paths) spec.cleanup.paths.push_back(ResolvePath(config_dir_, p).string());
        has_paths = true;
      } else if (name == "pattern") {
        s = reader_.ReadNonEmptyString(*node, key, &spec.cleanup.pattern);
      } else if (name == "older_than") {
        base::Duration d{};
        s = reader_.ReadDuration(*node, key, &d);
        spec.cleanup.older_than = d;
      } else if (name == "max_total_size") {
        uint64_t bytes = 0;
        s = reader_.ReadSize(*node, key, &bytes);
        spec.cleanup.max_total_bytes = bytes;
      }
      if (!s.ok()) return s;
    }
    if (spec.action == TaskAction::kCleanup) {
      if (!has_paths) return reader_.errors().Error(line_, key_, "action = \"cleanup\" needs paths");
      if (!spec.cleanup.older_than && !spec.cleanup.max_total_bytes)
        return reader_.errors().Error(line_, key_, "action = \"cleanup\" needs older_than or max_total_size");
    }
    if (spec.action == TaskAction::kRestart && out_->program_refs.empty())
      return reader_.errors().Error(line_, key_, "action = \"restart\" needs programs");
    return base::Status::Ok();
  }

  TomlReader reader_;
  const std::string& config_dir_;
  const KeyPath& key_;
  int line_;
  TaskTable* out_;
  ProgramSpec process_;
  std::vector<std::pair<std::string, const toml::node*>> process_lines_;
};

}  // namespace

base::Status ParseTaskTable(const ErrorContext& errors, const std::string& config_dir, const std::string& name,
                            const toml::node& node, TaskTable* out) {
  const KeyPath key = KeyPath("task").Child(name);
  const auto* table = node.as_table();
  if (table == nullptr) return TomlReader(errors).WrongType(node, key, "a table ([task.NAME])");
  *out = TaskTable{};
  out->line = LineOf(node);
  out->spec.name = name;
  return TaskReader(errors, config_dir, key, out->line, out).Read(*table);
}

base::Status ResolveTaskPrograms(const ErrorContext& errors, const std::vector<ProgramSpec>& programs,
                                 TaskTable* task) {
  const KeyPath key = KeyPath("task").Child(task->spec.name).Child("programs");
  for (const auto& ref : task->program_refs) {
    bool found = false;
    for (const auto& p : programs) {
      if (p.name == ref || p.table_name == ref) {
        if (std::find(task->spec.programs.begin(), task->spec.programs.end(), p.name) == task->spec.programs.end())
          task->spec.programs.push_back(p.name);
        found = true;
      }
    }
    if (!found) return errors.Error(task->programs_line, key, "unknown program \"" + ref + "\"");
  }
  return base::Status::Ok();
}

}  // namespace vigil::config
