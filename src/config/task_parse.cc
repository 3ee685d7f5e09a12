// SPDX-License-Identifier: MIT
// Reading [task.NAME] tables into TaskSpecs: schedule and time zone checked by the
// schedule parser, exactly one of command or action, and the keys each kind of task allows.
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "config/process_keys.h"
#include "config/task_table.h"
#include "config/toml_reader.h"
#include "config/when_idle_parse.h"
#include "schedule/schedule.h"
#include "schedule/zone.h"

namespace vigil::config {
namespace {

// Which tasks a key belongs to.
enum class Scope { kAny, kCommand, kRestart, kCleanup, kReport };

struct TaskKey {
  std::string_view name;
  Scope scope;
};

// Every key a [task.NAME] accepts, in docs/config.md's order. The single place to extend:
// unknown-key messages and the key/action check both read it.
constexpr TaskKey kTaskKeys[] = {
    {"schedule", Scope::kAny},           {"timezone", Scope::kAny},        {"command", Scope::kCommand},
    {"directory", Scope::kCommand},      {"environment", Scope::kCommand}, {"user", Scope::kCommand},
    {"group", Scope::kCommand},          {"action", Scope::kAny},          {"programs", Scope::kRestart},
    {"paths", Scope::kCleanup},          {"pattern", Scope::kCleanup},     {"older_than", Scope::kCleanup},
    {"max_total_size", Scope::kCleanup}, {"timeout", Scope::kCommand},     {"overlap", Scope::kAny},
    {"catch_up", Scope::kAny},           {"random_delay", Scope::kAny},    {"retries", Scope::kAny},
    {"retry_backoff", Scope::kAny},      {"enabled", Scope::kAny},         {"output_max_size", Scope::kAny},
    {"when_idle", Scope::kAny},          {"period", Scope::kReport},
};

// An upper bound that catches typos (retries = 10000) without limiting real use.
constexpr int kMaxRetries = 1000;

const TaskKey* FindKey(std::string_view name) {
  for (const TaskKey& k : kTaskKeys) {
    if (k.name == name) return &k;
  }
  return nullptr;
}

std::string AcceptedKeys() {
  std::string out;
  for (const TaskKey& k : kTaskKeys) out += (out.empty() ? "" : ", ") + std::string(k.name);
  return out;
}

bool Fits(Scope scope, TaskAction action) {
  switch (scope) {
    case Scope::kAny:
      return true;
    case Scope::kCommand:
      return action == TaskAction::kCommand;
    case Scope::kRestart:
      return action == TaskAction::kRestart;
    case Scope::kCleanup:
      return action == TaskAction::kCleanup;
    case Scope::kReport:
      return action == TaskAction::kReport;
  }
  return false;
}

// "only applies to ..." for a key whose scope does not include `action`.
std::string NotForThisTask(Scope scope, TaskAction action) {
  std::string wanted = scope == Scope::kCommand   ? "tasks with command"
                       : scope == Scope::kRestart ? "action = \"restart\""
                       : scope == Scope::kReport  ? "action = \"report\""
                                                  : "action = \"cleanup\"";
  std::string actual = action == TaskAction::kCommand
                           ? "this task runs a command"
                           : "this task has action = \"" + std::string(TaskActionName(action)) + "\"";
  return "only applies to " + wanted + " (" + actual + ")";
}

// Reads one table: every value on its own in file order, then the rules between keys.
// Lives for the reading of one table and borrows its arguments.
class TaskReader {
 public:
  TaskReader(const ErrorContext& errors, const std::string& config_dir, const KeyPath& key, TaskTable* out)
      : reader_(errors), config_dir_(config_dir), key_(key), out_(out), process_(reader_, config_dir, key) {}

  base::Status Read(const toml::table& table) {
    const auto entries = EntriesInFileOrder(table);
    for (const auto& [k, v] : entries) {
      const std::string_view name = k->str();
      if (FindKey(name) == nullptr) return reader_.UnknownKey(*k, key_.Child(name), AcceptedKeys());
      nodes_[name] = v;
      if (auto s = ReadValue(name, *v); !s.ok()) return s;
    }
    if (auto s = CheckSchedule(); !s.ok()) return s;
    if (auto s = CheckCommandOrAction(); !s.ok()) return s;
    // Keys of another kind of task would be silently ignored; say so instead.
    for (const auto& [k, v] : entries) {
      const Scope scope = FindKey(k->str())->scope;
      if (!Fits(scope, out_->spec.action)) {
        return reader_.errors().Error(LineOf(*k), key_.Child(k->str()), NotForThisTask(scope, out_->spec.action));
      }
    }
    if (auto s = CheckActionNeeds(); !s.ok()) return s;
    if (out_->spec.action == TaskAction::kCommand) return TakeProcessFields();
    return base::Status::Ok();
  }

 private:
  base::Status ReadValue(std::string_view name, const toml::node& v) {
    TaskSpec& spec = out_->spec;
    const KeyPath key = key_.Child(name);
    if (ProcessKeyReader::Handles(name)) return process_.ReadKey(name, v);
    // The schedule has no default, so "" is left for the schedule parser to reject.
    if (name == "schedule") return reader_.ReadString(v, key, &spec.schedule);
    if (name == "timezone") return reader_.ReadNonEmptyString(v, key, &spec.timezone);
    if (name == "action") return ReadAction(v, key);
    if (name == "programs") return ReadPrograms(v, key);
    if (name == "paths") return ReadPaths(v, key);
    if (name == "pattern") {
      if (auto s = reader_.ReadNonEmptyString(v, key, &spec.cleanup.pattern); !s.ok()) return s;
      if (spec.cleanup.pattern.find('/') != std::string::npos) {
        return reader_.Error(v, key, "matches file names only, so it cannot contain '/' (put directories in paths)");
      }
      return base::Status::Ok();
    }
    if (name == "older_than") {
      base::Duration d{};
      if (auto s = reader_.ReadDuration(v, key, &d); !s.ok()) return s;
      spec.cleanup.older_than = d;
      return base::Status::Ok();
    }
    if (name == "max_total_size") {
      uint64_t bytes = 0;
      if (auto s = reader_.ReadSize(v, key, &bytes); !s.ok()) return s;
      spec.cleanup.max_total_bytes = bytes;
      return base::Status::Ok();
    }
    if (name == "timeout") {
      base::Duration d{};
      if (auto s = reader_.ReadDuration(v, key, &d); !s.ok()) return s;
      if (d.count() == 0) return reader_.Error(v, key, "must be greater than 0 (leave it out for no timeout)");
      spec.timeout = d;
      return base::Status::Ok();
    }
    if (name == "overlap") return ReadOverlap(v, key);
    if (name == "catch_up") return reader_.ReadBool(v, key, &spec.catch_up);
    if (name == "random_delay") return reader_.ReadDuration(v, key, &spec.random_delay);
    if (name == "retries") return reader_.ReadInt(v, key, 0, kMaxRetries, &spec.retries);
    if (name == "retry_backoff") return reader_.ReadDuration(v, key, &spec.retry_backoff);
    if (name == "enabled") return reader_.ReadBool(v, key, &spec.enabled);
    if (name == "output_max_size") return reader_.ReadSize(v, key, &spec.output_max_bytes);
    if (name == "when_idle") return ReadWhenIdle(reader_, v, key, &spec.when_idle);
    if (name == "period") {
      if (auto s = reader_.ReadDuration(v, key, &spec.report_period); !s.ok()) return s;
      if (spec.report_period < std::chrono::hours(1)) return reader_.Error(v, key, "must be at least 1h");
      return base::Status::Ok();
    }
    // Only reachable if kTaskKeys lists a key this function does not read.
    return base::Status::Internal(key.str() + ": key accepted but not read (config parser bug)");
  }

  base::Status ReadAction(const toml::node& v, const KeyPath& key) {
    constexpr std::string_view kExpected = R"("restart", "cleanup", "rotate-logs" or "report")";
    std::string text;
    if (auto s = reader_.ReadString(v, key, kExpected, &text); !s.ok()) return s;
    for (TaskAction a :
         {TaskAction::kRestart, TaskAction::kCleanup, TaskAction::kRotateLogs, TaskAction::kReport}) {
      if (text == TaskActionName(a)) {
        out_->spec.action = a;
        return base::Status::Ok();
      }
    }
    return reader_.Error(v, key, "expected " + std::string(kExpected) + ", got \"" + text + "\"");
  }

  base::Status ReadOverlap(const toml::node& v, const KeyPath& key) {
    constexpr std::string_view kExpected = R"("skip", "queue" or "replace")";
    std::string text;
    if (auto s = reader_.ReadString(v, key, kExpected, &text); !s.ok()) return s;
    if (text == "skip") {
      out_->spec.overlap = OverlapPolicy::kSkip;
    } else if (text == "queue") {
      out_->spec.overlap = OverlapPolicy::kQueue;
    } else if (text == "replace") {
      out_->spec.overlap = OverlapPolicy::kReplace;
    } else {
      return reader_.Error(v, key, "expected " + std::string(kExpected) + ", got \"" + text + "\"");
    }
    return base::Status::Ok();
  }

  // A non-empty array of non-empty strings, each with its line and index.
  base::Status ReadStrings(const toml::node& v, const KeyPath& key, std::string_view expected,
                           std::vector<DependencyRef>* out) {
    const auto* array = v.as_array();
    if (array == nullptr) return reader_.WrongType(v, key, expected);
    if (array->empty()) return reader_.Error(v, key, "must not be empty");
    out->clear();
    for (size_t i = 0; i < array->size(); ++i) {
      const toml::node& element = *array->get(i);
      std::string text;
      if (auto s = reader_.ReadString(element, key.Index(i), &text); !s.ok()) return s;
      if (text.empty()) return reader_.Error(element, key.Index(i), "must not be empty");
      out->push_back({std::move(text), LineOf(element), i});
    }
    return base::Status::Ok();
  }

  base::Status ReadPrograms(const toml::node& v, const KeyPath& key) {
    out_->programs_line = LineOf(v);
    return ReadStrings(v, key, "an array of program names", &out_->program_refs);
  }

  base::Status ReadPaths(const toml::node& v, const KeyPath& key) {
    std::vector<DependencyRef> paths;
    if (auto s = ReadStrings(v, key, "an array of directory paths", &paths); !s.ok()) return s;
    std::vector<std::string>& out = out_->spec.cleanup.paths;
    out.clear();
    for (const DependencyRef& p : paths) {
      const std::filesystem::path path = ResolvePath(config_dir_, p.name);
      // Cleanup walks its paths recursively: "/" would match files anywhere on the machine.
      if (path == path.root_path()) {
        return reader_.errors().Error(p.line, key.Index(p.index),
                                      "refusing to clean \"" + path.string() + "\"; name a narrower directory");
      }
      out.push_back(path.string());
    }
    return base::Status::Ok();
  }

  const toml::node* Node(std::string_view name) const {
    auto it = nodes_.find(name);
    return it == nodes_.end() ? nullptr : it->second;
  }

  base::Status CheckSchedule() {
    const TaskSpec& spec = out_->spec;
    const toml::node* schedule = Node("schedule");
    if (schedule == nullptr) return reader_.errors().Error(out_->line, key_, "missing required key \"schedule\"");
    // The zone on its own first, so a bad zone is reported at its own key.
    if (const toml::node* zone = Node("timezone"); zone != nullptr) {
      if (auto z = schedule::Zone::Load(spec.timezone); !z) {
        return reader_.Error(*zone, key_.Child("timezone"), z.error().message());
      }
    }
    if (auto parsed = schedule::Schedule::Parse(spec.schedule, spec.timezone); !parsed) {
      return reader_.Error(*schedule, key_.Child("schedule"), parsed.error().message());
    }
    return base::Status::Ok();
  }

  base::Status CheckCommandOrAction() {
    const toml::node* command = Node("command");
    const toml::node* action = Node("action");
    if (command == nullptr && action == nullptr) {
      return reader_.errors().Error(
          out_->line, key_, R"(needs command (a program to run) or action ("restart", "cleanup", "rotate-logs" or "report"))");
    }
    if (command != nullptr && action != nullptr) {
      // Reported at whichever comes second: that is the line that contradicts the other.
      const bool action_later = LineOf(*action) >= LineOf(*command);
      return reader_.Error(action_later ? *action : *command, key_.Child(action_later ? "action" : "command"),
                           "a task has either command or action, not both");
    }
    return base::Status::Ok();
  }

  base::Status CheckActionNeeds() {
    const TaskSpec& spec = out_->spec;
    if (spec.action == TaskAction::kRestart && Node("programs") == nullptr) {
      return reader_.errors().Error(out_->line, key_, "action = \"restart\" needs programs (the programs to restart)");
    }
    if (spec.action == TaskAction::kCleanup) {
      if (Node("paths") == nullptr) {
        return reader_.errors().Error(out_->line, key_, "action = \"cleanup\" needs paths (the directories to clean)");
      }
      if (!spec.cleanup.older_than && !spec.cleanup.max_total_bytes) {
        return reader_.errors().Error(out_->line, key_,
                                      "action = \"cleanup\" needs older_than, max_total_size or both");
      }
    }
    return base::Status::Ok();
  }

  base::Status TakeProcessFields() {
    if (auto s = process_.ResolveAccounts(); !s.ok()) return s;
    const ProcessFields& fields = process_.fields();
    TaskSpec& spec = out_->spec;
    spec.argv = fields.argv;
    spec.directory = fields.directory;
    spec.environment = fields.environment;
    spec.uid = fields.uid;
    spec.gid = fields.gid;
    spec.user = fields.user;
    return base::Status::Ok();
  }

  TomlReader reader_;
  const std::string& config_dir_;
  const KeyPath& key_;
  TaskTable* out_;
  ProcessKeyReader process_;  // after reader_, which it borrows
  // The keys present, by name; the views point into the table being read.
  std::map<std::string_view, const toml::node*, std::less<>> nodes_;
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
  return TaskReader(errors, config_dir, key, out).Read(*table);
}

base::Status ResolveTaskPrograms(const ErrorContext& errors, const ProgramTargets& targets, size_t* references,
                                 TaskTable* task) {
  const KeyPath key = KeyPath("task").Child(task->spec.name).Child("programs");
  std::vector<std::string>& out = task->spec.programs;
  std::set<std::string, std::less<>> seen;
  for (const DependencyRef& ref : task->program_refs) {
    auto it = targets.find(ref.name);
    if (it == targets.end()) {
      return errors.Error(ref.line, key.Index(ref.index), "unknown program \"" + ref.name + "\"");
    }
    *references += it->second.size();
    if (*references > kMaxReferences) {
      return errors.Error(task->programs_line, key,
                          "brings the restart targets, instances expanded, to " + std::to_string(*references) +
                              "; a config may have at most " + std::to_string(kMaxReferences));
    }
    for (const std::string& name : it->second) {
      if (seen.insert(name).second) out.push_back(name);
    }
  }
  return base::Status::Ok();
}

}  // namespace vigil::config
