// SPDX-License-Identifier: MIT
// ParseConfig and LoadConfig: TOML text -> validated DaemonSpec. This is the one file that
// calls toml::parse, so it is where toml++'s exceptions are caught and become a Status.
#include <climits>

#include "base/file_util.h"
#include "config/alert_parse.h"
#include "config/check_parse.h"
#include "config/defaults.h"
#include "config/http_parse.h"
#include "config/load.h"
#include "config/program_table.h"
#include "config/task_table.h"
#include "config/toml_reader.h"

namespace vigil::config {
namespace {

// The top-level tables vigil understands. This list is the single place to extend when a
// new section is added.
enum class Section { kVigil, kProgram, kTask, kHealth, kCheck, kAlert, kHttp };
struct SectionName {
  std::string_view name;
  Section section;
};
constexpr SectionName kSections[] = {
    {"vigil", Section::kVigil},
    {"program", Section::kProgram},
    {"task", Section::kTask},
    {"health", Section::kHealth},
    {"check", Section::kCheck},
    {"alert", Section::kAlert},
    {"http", Section::kHttp},
};
constexpr std::string_view kSectionList =
    "[vigil], [program.NAME], [task.NAME], [health], [check.NAME], [alert.NAME] or [http]";

constexpr std::string_view kVigilKeys =
    "state_dir, log_dir, socket, status_file, log_max_size, log_keep, history_retention";

// bind(2) on AF_UNIX: sun_path holds 108 bytes including the terminating NUL.
constexpr size_t kMaxSocketPathBytes = 107;

std::filesystem::path Absolute(const std::filesystem::path& path) {
  std::error_code ec;  // the non-throwing overload: no exception leaves the config module
  std::filesystem::path out = std::filesystem::absolute(path, ec);
  return ec ? path.lexically_normal() : out.lexically_normal();
}

// Program and task names become file names, which Linux limits to NAME_MAX = 255 bytes.
// The longest made from a name is a rotated, compressing log file of an instance,
// "NAME:999.out.log.20261122T214503.123Z.N.gz.tmp" (docs/logs.md): an instance suffix
// (instances <= 1000), the stream, a rotation stamp, a counter of up to 20 digits, and the
// compressor's temporary name. A task's output goes to STATE_DIR/runs/NAME/RUN.log.
constexpr size_t kMaxNameBytes = 128;
constexpr size_t kLongestNameSuffix =
    std::string_view(":999.out.log.20261122T214503.123Z.").size() + 20 + std::string_view(".gz.tmp").size();
static_assert(kMaxNameBytes + kLongestNameSuffix <= NAME_MAX);

bool IsValidName(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

// The rules program, task and check names share, checked at the [program.NAME],
// [task.NAME] or [check.NAME] header; `what` is "program", "task" or "check".
base::Status CheckName(const ErrorContext& errors, const toml::key& k, const KeyPath& key, std::string_view what) {
  const std::string_view name = k.str();
  if (name.size() > kMaxNameBytes) {
    return errors.Error(LineOf(k), key,
                        "names may be at most " + std::to_string(kMaxNameBytes) +
                            " bytes (file names are made from them), got " + std::to_string(name.size()));
  }
  if (!IsValidName(name)) {
    return errors.Error(LineOf(k), key,
                        std::string(what) + " names may contain only letters, digits, '_', '.' and '-'");
  }
  if (name == "all") return errors.Error(LineOf(k), key, "the name \"all\" is reserved (it means every program)");
  return base::Status::Ok();
}

class ConfigParser {
 public:
  ConfigParser(const std::filesystem::path& file, const UserContext& user)
      : file_(Absolute(file)), errors_(file_.string()), reader_(errors_), user_(user) {}

  base::Result<DaemonSpec> Parse(std::string_view text) {
    auto parsed = ParseTomlText(text, errors_);
    if (!parsed) return parsed.error();
    const toml::table& root = *parsed;

    DaemonSpec spec;
    spec.config_path = file_;
    spec.event_log = DefaultLogSpec();
    const toml::node* vigil = nullptr;
    const toml::node* programs = nullptr;
    const toml::node* tasks = nullptr;
    const toml::node* health = nullptr;
    const toml::node* checks = nullptr;
    const toml::node* alerts = nullptr;
    const toml::node* http = nullptr;
    for (const auto& [k, v] : EntriesInFileOrder(root)) {
      const SectionName* known = nullptr;
      for (const SectionName& s : kSections) {
        if (s.name == k->str()) known = &s;
      }
      if (known == nullptr) {
        return errors_.Error(LineOf(*k), KeyPath(k->str()),
                             "unknown table (expected " + std::string(kSectionList) + ")");
      }
      switch (known->section) {
        case Section::kVigil:
          vigil = v;
          break;
        case Section::kProgram:
          programs = v;
          break;
        case Section::kTask:
          tasks = v;
          break;
        case Section::kHealth:
          health = v;
          break;
        case Section::kCheck:
          checks = v;
          break;
        case Section::kAlert:
          alerts = v;
          break;
        case Section::kHttp:
          http = v;
          break;
      }
    }
    if (auto s = ParseVigil(vigil, &spec); !s.ok()) return s;
    if (programs != nullptr) {
      auto expanded = ParsePrograms(*programs);
      if (!expanded) return expanded.error();
      spec.programs = std::move(*expanded);
    }
    if (tasks != nullptr) {
      auto parsed = ParseTasks(*tasks, spec.programs);
      if (!parsed) return parsed.error();
      spec.tasks = std::move(*parsed);
    }
    base::Duration every = CheckSpec{}.every;
    if (auto s = ParseHealthTable(errors_, health, &every, &spec.history); !s.ok()) return s;
    if (checks != nullptr) {
      auto parsed = ParseChecks(*checks, CheckContext{TargetsOf(spec.programs), spec.tasks, every});
      if (!parsed) return parsed.error();
      spec.checks = std::move(*parsed);
    }
    if (alerts != nullptr) {
      auto parsed = ParseAlerts(*alerts);
      if (!parsed) return parsed.error();
      spec.alerts = std::move(*parsed);
    }
    if (auto s = ParseHttpTable(errors_, http, &spec.http); !s.ok()) return s;
    if (auto s = ParseProgramShorthands(CheckContext{TargetsOf(spec.programs), spec.tasks, every}, &spec.checks);
        !s.ok()) {
      return s;
    }
    return spec;
  }

 private:
  base::Status ParseVigil(const toml::node* node, DaemonSpec* spec) {
    const KeyPath key("vigil");
    std::optional<std::filesystem::path> state_dir;
    std::optional<std::filesystem::path> log_dir;
    std::optional<std::filesystem::path> socket;
    std::optional<std::filesystem::path> status_file;
    if (node != nullptr) {
      const auto* table = node->as_table();
      if (table == nullptr) return reader_.WrongType(*node, key, "a table ([vigil])");
      for (const auto& [k, v] : EntriesInFileOrder(*table)) {
        const std::string_view name = k->str();
        const KeyPath child = key.Child(name);
        base::Status s;
        std::string text;
        if (name == "state_dir" || name == "log_dir" || name == "socket" || name == "status_file") {
          s = reader_.ReadNonEmptyString(*v, child, &text);
          if (!s.ok()) return s;
          const std::filesystem::path path = ResolvePath(file_.parent_path(), text);
          if (name == "state_dir") state_dir = path;
          if (name == "log_dir") log_dir = path;
          if (name == "status_file") status_file = path;
          if (name == "socket") {
            if (path.native().size() > kMaxSocketPathBytes) {
              return reader_.Error(
                  *v, child,
                  "socket path " + path.string() + " is " + std::to_string(path.native().size()) +
                      " bytes; unix sockets allow at most " + std::to_string(kMaxSocketPathBytes));
            }
            socket = path;
          }
        } else if (name == "log_max_size") {
          s = reader_.ReadSize(*v, child, &spec->event_log.max_bytes);
        } else if (name == "log_keep") {
          s = reader_.ReadInt(*v, child, 0, 100000, &spec->event_log.keep);
        } else if (name == "history_retention") {
          s = reader_.ReadDuration(*v, child, &spec->history_retention);
          if (s.ok() && spec->history_retention.count() == 0)
            s = reader_.Error(*v, child, "must be greater than 0");
        } else {
          s = reader_.UnknownKey(*k, child, kVigilKeys);
        }
        if (!s.ok()) return s;
      }
    }
    spec->state_dir = Absolute(state_dir.value_or(DefaultStateDir(user_)));
    spec->log_dir = Absolute(log_dir.value_or(DefaultLogDir(user_, spec->state_dir)));
    spec->socket = Absolute(socket.value_or(DefaultSocketPath(user_)));
    spec->status_file = Absolute(status_file.value_or(spec->state_dir / "status.json"));
    return base::Status::Ok();
  }

  base::Result<std::vector<ProgramSpec>> ParsePrograms(const toml::node& node) {
    const KeyPath key("program");
    const auto* table = node.as_table();
    if (table == nullptr) return reader_.WrongType(node, key, "tables like [program.NAME]");
    std::vector<ProgramTable> tables;
    // Programs are parsed in file order, not toml::table's key order, so the spec list and
    // the first error reported follow what the user sees.
    for (const auto& [k, v] : EntriesInFileOrder(*table)) {
      const std::string name(k->str());
      if (auto s = CheckName(errors_, *k, key.Child(name), "program"); !s.ok()) return s;
      ProgramTable parsed;
      if (auto s = ParseProgramTable(errors_, file_.parent_path().string(), name, *v, &parsed);
          !s.ok())
        return s;
      tables.push_back(std::move(parsed));
    }
    auto expanded = ExpandPrograms(errors_, tables);
    program_tables_ = std::move(tables);
    return expanded;
  }

  base::Result<std::vector<AlertSpec>> ParseAlerts(const toml::node& node) {
    const KeyPath key("alert");
    const auto* table = node.as_table();
    if (table == nullptr) return reader_.WrongType(node, key, "tables like [alert.NAME]");
    std::vector<AlertSpec> out;
    for (const auto& [k, v] : EntriesInFileOrder(*table)) {
      const std::string name(k->str());
      if (auto s = CheckName(errors_, *k, key.Child(name), "alert"); !s.ok()) return s;
      if (out.size() == kMaxAlerts) {
        return errors_.Error(LineOf(*k), key.Child(name),
                             "a config may have at most " + std::to_string(kMaxAlerts) + " alert channels");
      }
      AlertSpec parsed;
      if (auto s = ParseAlertTable(errors_, file_.parent_path().string(), name, *v, &parsed); !s.ok()) return s;
      out.push_back(std::move(parsed));
    }
    return out;
  }

  // After the [check.NAME] tables: the checks that programs' health and memory_limit make.
  base::Status ParseProgramShorthands(const CheckContext& context, std::vector<CheckSpec>* checks) {
    for (const ProgramTable& table : program_tables_) {
      if (table.health == nullptr && table.memory_limit == nullptr && table.max_runtime == nullptr) continue;
      auto it = context.programs.find(table.spec.table_name);
      if (it == context.programs.end()) continue;  // cannot happen: every table is a target
      if (auto s = ParseProgramChecks(errors_, table, it->second, context, checks); !s.ok()) return s;
    }
    return base::Status::Ok();
  }

  base::Result<std::vector<TaskSpec>> ParseTasks(const toml::node& node, const std::vector<ProgramSpec>& programs) {
    const KeyPath key("task");
    const auto* table = node.as_table();
    if (table == nullptr) return reader_.WrongType(node, key, "tables like [task.NAME]");
    std::vector<TaskSpec> out;
    const ProgramTargets targets = TargetsOf(programs);
    size_t restart_targets = 0;
    for (const auto& [k, v] : EntriesInFileOrder(*table)) {
      const std::string name(k->str());
      if (auto s = CheckName(errors_, *k, key.Child(name), "task"); !s.ok()) return s;
      // Programs and tasks share one namespace: both are subjects of logs, events and history,
      // where one name must mean one thing. (Task names have no ':', so only a program's
      // table name can match.)
      if (targets.find(name) != targets.end()) {
        return errors_.Error(LineOf(*k), key.Child(name),
                             "a program is already called \"" + name + "\"; tasks and programs need distinct names");
      }
      TaskTable parsed;
      if (auto s = ParseTaskTable(errors_, file_.parent_path().string(), name, *v, &parsed); !s.ok()) return s;
      if (auto s = ResolveTaskPrograms(errors_, targets, &restart_targets, &parsed); !s.ok()) return s;
      out.push_back(std::move(parsed.spec));
    }
    return out;
  }

  base::Result<std::vector<CheckSpec>> ParseChecks(const toml::node& node, const CheckContext& context) {
    const KeyPath key("check");
    const auto* table = node.as_table();
    if (table == nullptr) return reader_.WrongType(node, key, "tables like [check.NAME]");
    std::vector<CheckSpec> out;
    for (const auto& [k, v] : EntriesInFileOrder(*table)) {
      const std::string name(k->str());
      if (auto s = CheckName(errors_, *k, key.Child(name), "check"); !s.ok()) return s;
      if (out.size() == kMaxChecks) {
        return errors_.Error(LineOf(*k), key.Child(name),
                             "a config may have at most " + std::to_string(kMaxChecks) + " checks");
      }
      CheckSpec parsed;
      if (auto s = ParseCheckTable(errors_, name, *v, context, &parsed); !s.ok()) return s;
      out.push_back(std::move(parsed));
    }
    return out;
  }

  std::vector<ProgramTable> program_tables_;  // as read, for the check shorthands
  const std::filesystem::path file_;
  const ErrorContext errors_;
  const TomlReader reader_;
  const UserContext& user_;
};

}  // namespace

base::Result<toml::table> ParseTomlText(std::string_view text, const ErrorContext& errors) {
  try {
    return toml::parse(text, errors.file());
  } catch (const toml::parse_error& e) {
    return errors.Error(static_cast<int>(e.source().begin.line), "syntax error: " + std::string(e.description()));
  } catch (const std::exception& e) {
    return base::Status::Internal(errors.file() + ": " + e.what());
  }
}

base::Result<DaemonSpec> ParseConfig(std::string_view toml_text,
                                     const std::filesystem::path& file_for_messages,
                                     const UserContext& user) {
  return ConfigParser(file_for_messages, user).Parse(toml_text);
}

base::Result<DaemonSpec> ParseConfig(std::string_view toml_text,
                                     const std::filesystem::path& file_for_messages) {
  return ParseConfig(toml_text, file_for_messages, UserContext::FromProcess());
}

base::Result<DaemonSpec> LoadConfig(const std::filesystem::path& file) {
  const std::filesystem::path absolute = Absolute(file);
  auto text = base::ReadRegularFile(absolute, kMaxConfigBytes, "a config");
  if (!text) return text.error();
  return ParseConfig(*text, absolute);
}

}  // namespace vigil::config
