// SPDX-License-Identifier: MIT
// Reading one [program.NAME] table into a ProgramTable: types, ranges, user/group lookup.
#include <filesystem>
#include <limits>
#include <optional>
#include <regex>

#include "base/http_url.h"
#include "config/defaults.h"
#include "config/process_keys.h"
#include "config/program_table.h"
#include "config/signals.h"
#include "config/tls_keys.h"
#include "config/toml_reader.h"
#include "metrics/process_table.h"

namespace vigil::config {
namespace {

constexpr std::string_view kProgramKeys =
    "command, directory, environment, user, group, umask, autostart, autorestart, "
    "exit_codes, start_seconds, start_retries, backoff, fatal_retry_after, stop_signal, "
    "stop_timeout, kill_group, instances, depends_on, stdout, stderr, merge_stderr, log_level_regex, health, memory_limit, max_runtime, ready, ready_timeout, watchdog, heartbeat_file";

// An upper bound that catches typos (instances = 10000) long before fork() would.
constexpr int kMaxInstances = 1000;

// Reads everything whose check needs only the one value. Owns no state beyond the table
// being filled, plus the shared process keys, whose user/group are resolved once all keys
// are read.
class ProgramReader {
 public:
  ProgramReader(const ErrorContext& errors, const std::string& config_dir, const KeyPath& key,
                ProgramTable* out)
      : reader_(errors), key_(key), out_(out), process_(reader_, config_dir, key), config_dir_(config_dir) {}

  base::Status Read(const toml::table& table) {
    bool has_command = false;
    const toml::node* stderr_node = nullptr;
    for (const auto& [k, v] : EntriesInFileOrder(table)) {
      const std::string_view name = k->str();
      if (name == "command") has_command = true;
      if (name == "stderr") stderr_node = v;
      if (auto s = ReadKey(*k, *v); !s.ok()) return s;
    }
    if (!has_command) {
      return reader_.errors().Error(out_->line, key_, "missing required key \"command\"");
    }
    if (stderr_node != nullptr && out_->spec.merge_stderr) {
      return reader_.Error(
          *stderr_node, key_.Child("stderr"),
          "has no effect with merge_stderr = true (stderr goes to the stdout log)");
    }
    if (out_->spec.backoff_max < out_->spec.backoff_initial) {
      return reader_.errors().Error(backoff_line_, key_.Child("backoff"),
                                    "max must not be less than initial");
    }
    if (auto s = CheckHeartbeat(); !s.ok()) return s;
    if (auto s = process_.ResolveAccounts(); !s.ok()) return s;
    const ProcessFields& fields = process_.fields();
    ProgramSpec& spec = out_->spec;
    spec.argv = fields.argv;
    spec.directory = fields.directory;
    spec.environment = fields.environment;
    spec.uid = fields.uid;
    spec.gid = fields.gid;
    spec.user = fields.user;
    return base::Status::Ok();
  }

 private:
  base::Status ReadKey(const toml::key& k, const toml::node& v) {
    const std::string_view name = k.str();
    const KeyPath key = key_.Child(name);
    ProgramSpec& spec = out_->spec;
    if (ProcessKeyReader::Handles(name)) return process_.ReadKey(name, v);
    if (name == "umask") return ReadUmask(v, key);
    if (name == "autostart") return reader_.ReadBool(v, key, &spec.autostart);
    if (name == "autorestart") return ReadAutoRestart(v, key);
    if (name == "exit_codes") return ReadExitCodes(v, key);
    if (name == "start_seconds") return reader_.ReadDuration(v, key, &spec.start_seconds);
    if (name == "start_retries") {
      return reader_.ReadInt(v, key, 0, std::numeric_limits<int>::max(), &spec.start_retries);
    }
    if (name == "backoff") return ReadBackoff(v, key);
    if (name == "fatal_retry_after") {
      base::Duration d{};
      if (auto s = reader_.ReadDuration(v, key, &d); !s.ok()) return s;
      if (d.count() == 0) {
        return reader_.Error(v, key, "must be greater than 0 (leave it out to never retry)");
      }
      spec.fatal_retry_after = d;
      return base::Status::Ok();
    }
    if (name == "stop_signal") return ReadSignal(v, key);
    if (name == "stop_timeout") return reader_.ReadDuration(v, key, &spec.stop_timeout);
    if (name == "kill_group") return reader_.ReadBool(v, key, &spec.kill_group);
    if (name == "instances") return reader_.ReadInt(v, key, 1, kMaxInstances, &out_->instances);
    if (name == "depends_on") return ReadDependsOn(v, key);
    if (name == "stdout") return reader_.ReadLogSpec(v, key, &spec.stdout_log);
    if (name == "stderr") return reader_.ReadLogSpec(v, key, &spec.stderr_log);
    if (name == "merge_stderr") return reader_.ReadBool(v, key, &spec.merge_stderr);
    if (name == "log_level_regex") return ReadLevelRegex(v, key);
    // Checks: read with the [check.NAME] tables, once every program and task is known.
    if (name == "health") {
      if (!v.is_table()) return reader_.WrongType(v, key, R"(a table like { http = "http://127.0.0.1:8080/", fails = 3 })");
      out_->health = &v;
      return base::Status::Ok();
    }
    if (name == "memory_limit") {
      out_->memory_limit = &v;
      return base::Status::Ok();
    }
    if (name == "max_runtime") {
      out_->max_runtime = &v;
      return base::Status::Ok();
    }
    if (name == "ready") return ReadReady(v, key);
    if (name == "ready_timeout") return ReadPositiveDuration(v, key, &spec.ready.Mut().timeout);
    if (name == "watchdog") {
      watchdog_line_ = LineOf(v);
      base::Duration d{};
      if (auto s = ReadPositiveDuration(v, key, &d); !s.ok()) return s;
      spec.watchdog = d;
      return base::Status::Ok();
    }
    if (name == "heartbeat_file") {
      std::string text;
      if (auto s = reader_.ReadNonEmptyString(v, key, &text); !s.ok()) return s;
      heartbeat_line_ = LineOf(v);
      spec.heartbeat_file = ResolvePath(config_dir_, text).string();
      return base::Status::Ok();
    }
    return reader_.UnknownKey(k, key, kProgramKeys);
  }

  base::Status ReadPositiveDuration(const toml::node& v, const KeyPath& key, base::Duration* out) {
    base::Duration d{};
    if (auto s = reader_.ReadDuration(v, key, &d); !s.ok()) return s;
    if (d.count() <= 0) return reader_.Error(v, key, "must be greater than 0");
    *out = d;
    return base::Status::Ok();
  }

  // ready = "notify" | "start_seconds" | { tcp = "HOST:PORT" } | { log = "REGEX" }
  //       | { http = "URL" [, tls_verify = false | ca_file = "/path"] }
  base::Status ReadReady(const toml::node& v, const KeyPath& key) {
    constexpr std::string_view kExpected =
        R"("notify", "start_seconds", or a table with one of tcp = "HOST:PORT", http = "URL", log = "REGEX")";
    config::ReadySpec& ready = out_->spec.ready.Mut();
    if (v.is_string()) {
      std::string text;
      if (auto s = reader_.ReadString(v, key, kExpected, &text); !s.ok()) return s;
      if (text == "notify") {
        ready.kind = ReadyKind::kNotify;
      } else if (text == "start_seconds") {
        ready.kind = ReadyKind::kStartSeconds;
      } else {
        return reader_.Error(v, key, "expected " + std::string(kExpected) + ", got \"" + text + "\"");
      }
      return base::Status::Ok();
    }
    const auto* table = v.as_table();
    if (table == nullptr) return reader_.WrongType(v, key, kExpected);
    // The one kind key, then tls_verify and ca_file, which qualify an https URL.
    const auto entries = EntriesInFileOrder(*table);
    const toml::key* kind = nullptr;
    size_t kinds = 0;
    for (const auto& [k, value] : entries) {
      if (k->str() != "tcp" && k->str() != "http" && k->str() != "log" && !IsTlsKey(k->str())) {
        return reader_.UnknownKey(*k, key.Child(k->str()), "tcp, http, log, tls_verify, ca_file");
      }
      if (!IsTlsKey(k->str())) {
        ++kinds;
        if (kind == nullptr) kind = k;
      }
    }
    if (kinds != 1) {
      return reader_.Error(v, key, "give exactly one of tcp, http or log, got " + std::to_string(kinds) + " keys");
    }
    const toml::key& k = *kind;
    const toml::node* value = table->get(k.str());
    const KeyPath child = key.Child(k.str());
    std::string text;
    if (auto s = reader_.ReadNonEmptyString(*value, child, &text); !s.ok()) return s;
    if (k.str() == "tcp") {
      if (auto target = base::ParseHostPort(text); !target) return reader_.Error(*value, child, target.error().message());
      ready.kind = ReadyKind::kTcp;
    } else if (k.str() == "http") {
      auto url = base::ParseHttpUrl(text);
      if (!url) return reader_.Error(*value, child, url.error().message());
      ready.kind = ReadyKind::kHttp;
      for (const auto& [tls_key, tls_value] : entries) {
        if (!IsTlsKey(tls_key->str())) continue;
        if (auto s = ReadTlsKey(reader_, tls_key->str(), *tls_value, key.Child(tls_key->str()), url->https, &ready.tls);
            !s.ok()) {
          return s;
        }
      }
    }
    if (k.str() != "http") {
      for (const auto& [tls_key, tls_value] : entries) {
        if (IsTlsKey(tls_key->str())) {
          return reader_.Error(*tls_value, key.Child(tls_key->str()), "only applies to http readiness (https:// URLs)");
        }
      }
    }
    if (k.str() == "log") {
      if (auto regex = metrics::CompileCommandRegex(text); !regex) {
        return reader_.Error(*value, child, regex.error().message());
      }
      ready.kind = ReadyKind::kLog;
    }
    ready.target = std::move(text);
    return base::Status::Ok();
  }

  // A watchdog needs heartbeats to come from somewhere, and a heartbeat file needs an
  // interval to judge it by.
  base::Status CheckHeartbeat() const {
    const ProgramSpec& spec = out_->spec;
    if (!spec.heartbeat_file.empty() && !spec.watchdog) {
      return reader_.errors().Error(heartbeat_line_, key_.Child("heartbeat_file"),
                                    "needs watchdog = \"DURATION\": how often the file's mtime must advance");
    }
    if (spec.watchdog && spec.heartbeat_file.empty() && spec.ready->kind != ReadyKind::kNotify) {
      return reader_.errors().Error(watchdog_line_, key_.Child("watchdog"),
                                    "needs ready = \"notify\" (heartbeats as WATCHDOG=1) or heartbeat_file");
    }
    return base::Status::Ok();
  }

  base::Status ReadUmask(const toml::node& v, const KeyPath& key) {
    if (const auto* i = v.as_integer()) {
      // A decimal integer is nearly always a mistake (umask = 22 would mean 0o026), so
      // only octal integers and zero are accepted.
      const bool octal =
          (i->flags() & toml::value_flags::format_as_octal) != toml::value_flags::none;
      if (!octal && i->get() != 0) {
        return reader_.Error(v, key,
                             "write the umask in octal, as \"022\" or 0o022, got decimal " +
                                 std::to_string(i->get()));
      }
      if (i->get() < 0 || i->get() > 0777) {
        return reader_.Error(v, key, "must be between 0o000 and 0o777");
      }
      out_->spec.umask = static_cast<mode_t>(i->get());
      return base::Status::Ok();
    }
    std::string text;
    if (auto s = reader_.ReadString(v, key, "octal digits like \"022\", or an integer like 0o022", &text); !s.ok())
      return s;
    mode_t mask = 0;
    bool ok = !text.empty() && text.size() <= 4;
    for (char c : text) {
      ok = ok && c >= '0' && c <= '7';
      mask = static_cast<mode_t>(mask * 8 + static_cast<mode_t>(c - '0'));
    }
    if (!ok || mask > 0777) {
      return reader_.Error(v, key,
                           "expected octal digits like \"022\" (at most 0777), got " + Describe(v));
    }
    out_->spec.umask = mask;
    return base::Status::Ok();
  }

  base::Status ReadAutoRestart(const toml::node& v, const KeyPath& key) {
    constexpr std::string_view kExpected = R"("always", "on-failure" or "never")";
    std::string text;
    if (auto s = reader_.ReadString(v, key, kExpected, &text); !s.ok()) return s;
    if (text == "always") {
      out_->spec.autorestart = AutoRestart::kAlways;
    } else if (text == "on-failure") {
      out_->spec.autorestart = AutoRestart::kOnFailure;
    } else if (text == "never") {
      out_->spec.autorestart = AutoRestart::kNever;
    } else {
      return reader_.Error(v, key, "expected " + std::string(kExpected) + ", got \"" + text + "\"");
    }
    return base::Status::Ok();
  }

  base::Status ReadExitCodes(const toml::node& v, const KeyPath& key) {
    const auto* array = v.as_array();
    if (array == nullptr) return reader_.WrongType(v, key, "an array of exit codes like [0, 2]");
    std::vector<int> codes;
    for (size_t i = 0; i < array->size(); ++i) {
      int code = 0;
      if (auto s = reader_.ReadInt(*array->get(i), key.Index(i), 0, 255, &code); !s.ok()) return s;
      codes.push_back(code);
    }
    out_->spec.exit_codes = std::move(codes);
    return base::Status::Ok();
  }

  base::Status ReadBackoff(const toml::node& v, const KeyPath& key) {
    const auto* table = v.as_table();
    if (table == nullptr) {
      return reader_.WrongType(v, key, "a table like { initial = \"1s\", max = \"60s\" }");
    }
    backoff_line_ = LineOf(v);
    for (const auto& [k, value] : EntriesInFileOrder(*table)) {
      const std::string_view name = k->str();
      base::Status s;
      if (name == "initial") {
        s = reader_.ReadDuration(*value, key.Child(name), &out_->spec.backoff_initial);
      } else if (name == "max") {
        s = reader_.ReadDuration(*value, key.Child(name), &out_->spec.backoff_max);
      } else {
        s = reader_.UnknownKey(*k, key.Child(name), "initial, max");
      }
      if (!s.ok()) return s;
    }
    return base::Status::Ok();
  }

  base::Status ReadSignal(const toml::node& v, const KeyPath& key) {
    std::string text;
    if (const auto* i = v.as_integer()) {
      text = std::to_string(i->get());
    } else if (auto s = reader_.ReadString(v, key, "a signal name like \"TERM\"", &text); !s.ok()) {
      return s;
    }
    auto signo = ParseSignal(text);
    if (!signo) return reader_.Error(v, key, signo.error().message());
    out_->spec.stop_signal = *signo;
    return base::Status::Ok();
  }

  // Compiled here only to refuse a bad one with its line; the stream compiles its own.
  base::Status ReadLevelRegex(const toml::node& v, const KeyPath& key) {
    std::string text;
    if (auto s = reader_.ReadString(v, key, R"x(a regex like "^\\S+ (\\w+)")x", &text); !s.ok()) return s;
    try {
      std::regex compiled(text, std::regex::ECMAScript | std::regex_constants::__polynomial);
    } catch (const std::regex_error& e) {
      return reader_.Error(v, key, std::string("bad regex: ") + e.what());
    }
    out_->spec.log_level_regex = std::move(text);
    return base::Status::Ok();
  }

  base::Status ReadDependsOn(const toml::node& v, const KeyPath& key) {
    const auto* array = v.as_array();
    if (array == nullptr) return reader_.WrongType(v, key, "an array of program names");
    out_->depends_on_line = LineOf(v);
    out_->dependencies.clear();
    for (size_t i = 0; i < array->size(); ++i) {
      const toml::node& element = *array->get(i);
      std::string name;
      if (auto s = reader_.ReadNonEmptyString(element, key.Index(i), &name); !s.ok()) return s;
      out_->dependencies.push_back({std::move(name), LineOf(element), i});
    }
    return base::Status::Ok();
  }

  TomlReader reader_;
  const KeyPath& key_;
  ProgramTable* out_;
  ProcessKeyReader process_;  // after reader_, which it borrows
  std::string config_dir_;
  int backoff_line_ = 0;
  int watchdog_line_ = 0;
  int heartbeat_line_ = 0;
};

}  // namespace

base::Status ParseProgramTable(const ErrorContext& errors, const std::string& config_dir,
                               const std::string& name, const toml::node& node, ProgramTable* out) {
  const KeyPath key = KeyPath("program").Child(name);
  const auto* table = node.as_table();
  if (table == nullptr) {
    return TomlReader(errors).WrongType(node, key, "a table ([program.NAME])");
  }
  *out = ProgramTable{};
  out->line = LineOf(node);
  out->spec.name = name;
  out->spec.table_name = name;
  out->spec.stdout_log = DefaultLogSpec();
  out->spec.stderr_log = DefaultLogSpec();
  return ProgramReader(errors, config_dir, key, out).Read(*table);
}

}  // namespace vigil::config
