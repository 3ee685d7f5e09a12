// SPDX-License-Identifier: MIT
// Reading [health] and [check.NAME] tables: the kind a check is of, its levels (a
// percentage, a load per CPU, a size, a count, a duration), `for` as "N of M" samples or a
// duration, its actions and their guards, and the rules between keys.
#include "config/check_parse.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <chrono>
#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <string_view>
#include <system_error>

#include "base/command_line.h"
#include "base/http_url.h"
#include "base/units.h"
#include "config/accounts.h"
#include "config/signals.h"
#include "config/tls_keys.h"
#include "config/toml_reader.h"
#include "metrics/process_table.h"

namespace vigil::config {
namespace {

constexpr std::string_view kMetricList =
    R"("cpu", "memory", "swap", "load", "disk", "inodes", "fds", "processes" or "uptime")";

// The kinds a key applies to, as a bit set of CheckKind.
using KindSet = unsigned;
constexpr KindSet Bit(CheckKind kind) { return 1u << static_cast<unsigned>(kind); }
constexpr KindSet kMetric = Bit(CheckKind::kMetric);
constexpr KindSet kProbes = Bit(CheckKind::kHttp) | Bit(CheckKind::kTcp) | Bit(CheckKind::kCommand);
constexpr KindSet kAllKinds = 0x3f;

struct KeyScope {
  std::string_view name;
  KindSet kinds;
};

// Every key a [check.NAME] accepts, in docs/config.md's order. The first six define the
// kind; a check has exactly one of them.
constexpr KeyScope kCheckKeys[] = {
    {"metric", kMetric},
    {"http", Bit(CheckKind::kHttp)},
    {"tcp", Bit(CheckKind::kTcp)},
    {"command", Bit(CheckKind::kCommand)},
    {"file", Bit(CheckKind::kFile)},
    {"process", Bit(CheckKind::kProcess)},
    {"program", kAllKinds},
    {"path", kMetric},
    {"warn", kMetric},
    {"crit", kMetric},
    {"clear", kMetric},
    {"expect", Bit(CheckKind::kHttp)},
    {"body", Bit(CheckKind::kHttp)},
    {"tls_verify", Bit(CheckKind::kHttp)},
    {"ca_file", Bit(CheckKind::kHttp)},
    {"max_age", Bit(CheckKind::kFile)},
    {"warn_age", Bit(CheckKind::kFile)},
    {"max_size", Bit(CheckKind::kFile)},
    {"warn_size", Bit(CheckKind::kFile)},
    {"min_count", Bit(CheckKind::kProcess)},
    {"max_count", Bit(CheckKind::kProcess)},
    {"max_runtime", Bit(CheckKind::kProcess)},
    {"stalled", Bit(CheckKind::kProcess)},
    {"timeout", kProbes},
    {"every", kAllKinds},
    {"for", kAllKinds},
    {"recovery", kAllKinds},
    {"grace", kAllKinds},
    {"on_warn", kAllKinds},
    {"on_crit", kAllKinds},
    {"on_recovery", kAllKinds},
    {"cooldown", kAllKinds},
    {"limit", kAllKinds},
};
constexpr size_t kKindKeys = 6;

// Actions per level: enough for "top", "alert", "run x", "restart" and a few more.
constexpr size_t kMaxActions = 16;

// Sampling reads /proc and calls statvfs(2); more often than once a second would cost more
// than it tells.
constexpr base::Duration kMinEvery = std::chrono::seconds(1);
// Bounds that catch typos (recovery = 1000, "3 of 5000") without limiting real use: a
// check remembers its last M samples.
constexpr int kMaxWindow = 100;
constexpr int kMaxRecovery = 100;


std::string AcceptedKeys() {
  std::string out;
  for (const KeyScope& k : kCheckKeys) out += (out.empty() ? "" : ", ") + std::string(k.name);
  return out;
}

const KeyScope* FindKey(std::string_view name) {
  for (const KeyScope& k : kCheckKeys) {
    if (k.name == name) return &k;
  }
  return nullptr;
}

// "http checks", "metric and http checks": the kinds a key applies to, for messages.
std::string KindsOf(KindSet kinds) {
  std::string out;
  for (CheckKind kind : kCheckKinds) {
    if ((kinds & Bit(kind)) == 0) continue;
    out += (out.empty() ? "" : ", ") + std::string(CheckKindName(kind));
  }
  return out + " checks";
}

size_t SkipDigits(std::string_view text, size_t i) {
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
  return i;
}

// A whole number of digits only; false also when it does not fit an int.
bool ParseCount(std::string_view text, int* out) {
  if (text.empty() || SkipDigits(text, 0) != text.size()) return false;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

// [health] history: true (everything), false (nothing), or the parts named, each once.
base::Status ReadHistory(const TomlReader& reader, const toml::node& v, const KeyPath& key, HistorySpec* out) {
  constexpr std::string_view kExpected = R"(true, false, or an array of "system", "disks", "programs")";
  if (const auto* flag = v.as_boolean()) {
    const bool on = flag->get();
    out->system = out->disks = out->programs = on;
    return base::Status::Ok();
  }
  const auto* array = v.as_array();
  if (array == nullptr) return reader.WrongType(v, key, kExpected);
  HistorySpec parts;
  for (size_t i = 0; i < array->size(); ++i) {
    const toml::node& item = *array->get(i);
    const KeyPath item_key = key.Index(i);
    std::string part;
    if (auto s = reader.ReadString(item, item_key, R"("system", "disks" or "programs")", &part); !s.ok()) return s;
    bool* flag = part == "system" ? &parts.system : part == "disks" ? &parts.disks
                                                 : part == "programs" ? &parts.programs : nullptr;
    if (flag == nullptr) {
      return reader.Error(item, item_key, R"(expected "system", "disks" or "programs", got ")" + part + "\"");
    }
    if (*flag) return reader.Error(item, item_key, "\"" + part + "\" is listed twice");
    *flag = true;
  }
  out->system = parts.system;
  out->disks = parts.disks;
  out->programs = parts.programs;
  return base::Status::Ok();
}

// A duration of at least kMinEvery, for [health] every and a check's every.
base::Status ReadEvery(const TomlReader& reader, const toml::node& v, const KeyPath& key, base::Duration* out) {
  base::Duration every{};
  if (auto s = reader.ReadDuration(v, key, &every); !s.ok()) return s;
  if (every < kMinEvery) {
    return reader.Error(v, key,
                        "must be at least " + base::FormatDuration(kMinEvery) + ", got " + base::FormatDuration(every));
  }
  *out = every;
  return base::Status::Ok();
}

// Reads one table: the defining key first (how the others are read depends on the kind),
// then `program` (a metric of a program is read in its own units), then every other value
// on its own in file order, then the rules between keys. Lives for the reading of one
// table and borrows its arguments.
class CheckReader {
 public:
  CheckReader(const ErrorContext& errors, const KeyPath& key, int line, const CheckContext& context, CheckSpec* out)
      : reader_(errors), key_(key), line_(line), context_(context), out_(out) {}

  using Entries = std::vector<std::pair<const toml::key*, const toml::node*>>;

  base::Status Read(const toml::table& table) { return Read(EntriesInFileOrder(table)); }

  // The keys and values of a table, or of a program's shorthand with the values it
  // implies (which then have no line of their own, and are never wrong).
  base::Status Read(const Entries& entries) {
    const toml::key* kind_key = nullptr;
    for (const auto& [k, v] : entries) {
      const std::string_view name = k->str();
      const KeyScope* scope = FindKey(name);
      if (scope == nullptr) return reader_.UnknownKey(*k, key_.Child(name), AcceptedKeys());
      nodes_[name] = v;
      if (scope < kCheckKeys + kKindKeys) {
        if (kind_key != nullptr) {
          return reader_.Error(*v, key_.Child(name),
                               "a check has one kind, and this one is already a " + std::string(kind_key->str()) +
                                   " check; make another [check.NAME] for it");
        }
        kind_key = k;
        for (CheckKind kind : kCheckKinds) {
          if (CheckKindName(kind) == name) out_->kind = kind;
        }
      }
    }
    if (kind_key == nullptr) {
      return reader_.errors().Error(line_, key_, "needs one of metric, http, tcp, command, file or process");
    }
    for (const auto& [k, v] : entries) {
      const KeyScope* scope = FindKey(k->str());
      if ((scope->kinds & Bit(out_->kind)) == 0) {
        return reader_.Error(*v, key_.Child(k->str()),
                             "only applies to " + KindsOf(scope->kinds) + " (this is a " +
                                 std::string(CheckKindName(out_->kind)) + " check)");
      }
    }
    if (const toml::node* program = Node("program")) {
      if (auto s = ReadProgram(*program, key_.Child("program")); !s.ok()) return s;
    }
    const std::string_view kind_name = kind_key->str();
    if (auto s = ReadValue(kind_name, *Node(kind_name)); !s.ok()) return s;
    for (const auto& [k, v] : entries) {
      if (k->str() == kind_name || k->str() == "program") continue;
      if (auto s = ReadValue(k->str(), *v); !s.ok()) return s;
    }
    return CheckRules();
  }

 private:
  base::Status ReadValue(std::string_view name, const toml::node& v) {
    CheckSpec& spec = *out_;
    const KeyPath key = key_.Child(name);
    if (name == "metric") return ReadMetric(v, key);
    if (name == "http") return ReadUrl(v, key);
    if (name == "tcp") return ReadAddress(v, key);
    if (name == "command") return reader_.ReadCommand(v, key, &spec.probe.Mut().argv);
    if (name == "file") return ReadAbsolutePath(v, key, "\"/var/run/backup.stamp\"", &spec.path);
    if (name == "process") return ReadProcess(v, key);
    if (name == "path") return ReadAbsolutePath(v, key, "\"/\" or \"/var\"", &spec.path);
    if (name == "warn") return ReadLevel(v, key, &spec.warn);
    if (name == "crit") return ReadLevel(v, key, &spec.crit);
    if (name == "clear") return ReadLevel(v, key, &spec.clear);
    if (name == "expect") return reader_.ReadInt(v, key, 100, 599, &spec.probe.Mut().expect_status);
    if (name == "body") return ReadBody(v, key);
    if (IsTlsKey(name)) return ReadTlsKey(reader_, name, v, key, base::ParseHttpUrl(spec.probe->url)->https, &spec.probe.Mut().tls);
    if (name == "max_age") return ReadPositiveDuration(v, key, &spec.probe.Mut().max_age);
    if (name == "warn_age") return ReadPositiveDuration(v, key, &spec.probe.Mut().warn_age);
    if (name == "max_size") return ReadOptionalSize(v, key, &spec.probe.Mut().max_size);
    if (name == "warn_size") return ReadOptionalSize(v, key, &spec.probe.Mut().warn_size);
    if (name == "min_count") return ReadOptionalCount(v, key, 1, &spec.probe.Mut().process.min_count);
    if (name == "max_count") return ReadOptionalCount(v, key, 0, &spec.probe.Mut().process.max_count);
    if (name == "max_runtime") return ReadPositiveDuration(v, key, &spec.probe.Mut().process.max_runtime);
    if (name == "stalled") return ReadPositiveDuration(v, key, &spec.probe.Mut().process.stalled);
    if (name == "timeout") return ReadTimeout(v, key);
    if (name == "for") return ReadFor(v, key);
    if (name == "recovery") return reader_.ReadInt(v, key, 1, kMaxRecovery, &spec.recovery);
    if (name == "every") return ReadEvery(reader_, v, key, &spec.every);
    if (name == "grace") return reader_.ReadDuration(v, key, &spec.grace);
    if (name == "on_warn") return ReadActions(v, key, &spec.actions.Mut().on_warn);
    if (name == "on_crit") return ReadActions(v, key, &spec.actions.Mut().on_crit);
    if (name == "on_recovery") return ReadActions(v, key, &spec.actions.Mut().on_recovery);
    if (name == "cooldown") return reader_.ReadDuration(v, key, &spec.actions.Mut().cooldown);
    if (name == "limit") return ReadLimit(v, key);
    // Only reachable if kCheckKeys lists a key this function does not read.
    return base::Status::Internal(key.str() + ": key accepted but not read (config parser bug)");
  }

  bool OfProgram() const { return !out_->program.empty() && out_->kind == CheckKind::kMetric; }

  base::Status ReadMetric(const toml::node& v, const KeyPath& key) {
    std::string text;
    if (auto s = reader_.ReadString(v, key, kMetricList, &text); !s.ok()) return s;
    for (CheckMetric m : kCheckMetrics) {
      if (CheckMetricName(m) == text) {
        out_->metric = m;
        if (!out_->program.empty() && !CheckMetricOfProgram(m)) {
          return reader_.Error(v, key,
                               "\"" + text + "\" is of the machine, not of a program (a program has \"cpu\", " +
                                   "\"memory\", \"fds\", \"processes\" or \"uptime\"); leave out program");
        }
        if (out_->program.empty() && CheckMetricOnlyOfProgram(m)) {
          return reader_.Error(v, key, "\"" + text + "\" is of a program: add program = \"NAME\"");
        }
        return base::Status::Ok();
      }
    }
    return reader_.Error(v, key, "expected " + std::string(kMetricList) + ", got \"" + text + "\"");
  }

  // One instance: a check watches one process group, and says which in its messages.
  base::Status ReadProgram(const toml::node& v, const KeyPath& key) {
    std::string text;
    if (auto s = reader_.ReadString(v, key, "a program name", &text); !s.ok()) return s;
    auto it = context_.programs.find(text);
    if (it == context_.programs.end()) return reader_.Error(v, key, "unknown program \"" + text + "\"");
    if (it->second.size() != 1) {
      return reader_.Error(v, key,
                           "\"" + text + "\" has " + std::to_string(it->second.size()) +
                               " instances and a check watches one; name one, such as \"" + it->second.front() + "\"");
    }
    out_->program = it->second.front();
    return base::Status::Ok();
  }

  base::Status ReadUrl(const toml::node& v, const KeyPath& key) {
    std::string text;
    if (auto s = reader_.ReadString(v, key, R"(a URL such as "http://127.0.0.1:8080/health")", &text); !s.ok()) {
      return s;
    }
    if (auto url = base::ParseHttpUrl(text); !url) return reader_.Error(v, key, url.error().message());
    out_->probe.Mut().url = text;
    return base::Status::Ok();
  }

  base::Status ReadAddress(const toml::node& v, const KeyPath& key) {
    std::string text;
    if (auto s = reader_.ReadString(v, key, R"(an address such as "127.0.0.1:5432")", &text); !s.ok()) return s;
    if (auto target = base::ParseHostPort(text); !target) return reader_.Error(v, key, target.error().message());
    out_->probe.Mut().address = text;
    return base::Status::Ok();
  }

  base::Status ReadAbsolutePath(const toml::node& v, const KeyPath& key, std::string_view example,
                                std::filesystem::path* out) {
    std::string text;
    if (auto s = reader_.ReadString(v, key, "an absolute path string", &text); !s.ok()) return s;
    // Unlike other paths, not relative to the config file: it names a place on the
    // machine, and "/" or "/var" read the same wherever the config lives.
    if (text.empty() || text[0] != '/') {
      return reader_.Error(v, key, "must be an absolute path such as " + std::string(example) + ", got \"" + text + "\"");
    }
    *out = ResolvePath("/", text);
    return base::Status::Ok();
  }

  // process = "nginx" (its name), or { name = "nginx", command = "regex", user = "www-data" }.
  base::Status ReadProcess(const toml::node& v, const KeyPath& key) {
    ProcessCheckSpec& process = out_->probe.Mut().process;
    constexpr std::string_view kExpected = R"(a process name, or a table like { name = "nginx", user = "www-data" })";
    if (v.is_string()) {
      if (auto s = reader_.ReadNonEmptyString(v, key, &process.name); !s.ok()) return s;
      return CheckProcessName(v, key, process.name);
    }
    const auto* table = v.as_table();
    if (table == nullptr) return reader_.WrongType(v, key, kExpected);
    for (const auto& [k, value] : EntriesInFileOrder(*table)) {
      const KeyPath child = key.Child(k->str());
      if (k->str() == "name") {
        if (auto s = reader_.ReadNonEmptyString(*value, child, &process.name); !s.ok()) return s;
        if (auto s = CheckProcessName(*value, child, process.name); !s.ok()) return s;
      } else if (k->str() == "command") {
        if (auto s = reader_.ReadNonEmptyString(*value, child, &process.command); !s.ok()) return s;
        if (auto s = CheckRegex(*value, child, process.command); !s.ok()) return s;
      } else if (k->str() == "user") {
        if (auto s = reader_.ReadNonEmptyString(*value, child, &process.user); !s.ok()) return s;
        auto account = LookUpUser(process.user);
        if (!account) return reader_.Error(*value, child, account.error().message());
        process.uid = account->uid;
      } else {
        return reader_.UnknownKey(*k, child, "name, command, user");
      }
    }
    if (process.name.empty() && process.command.empty() && process.user.empty()) {
      return reader_.Error(v, key, "must say which processes: name, command or user");
    }
    return base::Status::Ok();
  }

  // The kernel keeps 15 bytes of a process name (comm); a longer one would never match.
  base::Status CheckProcessName(const toml::node& v, const KeyPath& key, const std::string& name) {
    if (name.size() > 15) {
      return reader_.Error(v, key,
                           "process names are at most 15 bytes (the kernel cuts them), got \"" + name +
                               "\"; match the command line instead: { command = \"...\" }");
    }
    return base::Status::Ok();
  }

  base::Status CheckRegex(const toml::node& v, const KeyPath& key, const std::string& pattern) {
    // The same function compiles it for the check, so what passes here works there.
    if (auto compiled = metrics::CompileCommandRegex(pattern); !compiled) {
      return reader_.Error(v, key, compiled.error().message());
    }
    return base::Status::Ok();
  }

  base::Status ReadBody(const toml::node& v, const KeyPath& key) {
    if (auto s = reader_.ReadNonEmptyString(v, key, &out_->probe.Mut().body_contains); !s.ok()) return s;
    // Only the first 64 KiB of an answer are searched.
    if (out_->probe->body_contains.size() > 1024) return reader_.Error(v, key, "must be at most 1024 bytes");
    return base::Status::Ok();
  }

  base::Status ReadPositiveDuration(const toml::node& v, const KeyPath& key, std::optional<base::Duration>* out) {
    base::Duration d{};
    if (auto s = reader_.ReadDuration(v, key, &d); !s.ok()) return s;
    if (d.count() <= 0) return reader_.Error(v, key, "must be greater than 0");
    *out = d;
    return base::Status::Ok();
  }

  base::Status ReadOptionalSize(const toml::node& v, const KeyPath& key, std::optional<uint64_t>* out) {
    uint64_t size = 0;
    if (auto s = reader_.ReadSize(v, key, &size); !s.ok()) return s;
    *out = size;
    return base::Status::Ok();
  }

  base::Status ReadOptionalCount(const toml::node& v, const KeyPath& key, int min, std::optional<int>* out) {
    int count = 0;
    if (auto s = reader_.ReadInt(v, key, min, 1'000'000, &count); !s.ok()) return s;
    *out = count;
    return base::Status::Ok();
  }

  base::Status ReadTimeout(const toml::node& v, const KeyPath& key) {
    if (auto s = reader_.ReadDuration(v, key, &out_->timeout); !s.ok()) return s;
    if (out_->timeout.count() <= 0) return reader_.Error(v, key, "must be greater than 0");
    return base::Status::Ok();
  }

  // The units of a metric's levels: a percentage of the machine ("80%"), a load per CPU
  // (1.5), a program's share of one CPU ("150%"), a size ("500MB") or a count.
  enum class Unit { kPercent, kLoad, kProgramCpu, kSize, kCount, kDuration };
  Unit LevelUnit() const {
    switch (out_->metric) {
      case CheckMetric::kLoad: return Unit::kLoad;
      case CheckMetric::kCpu: return OfProgram() ? Unit::kProgramCpu : Unit::kPercent;
      case CheckMetric::kMemory: return OfProgram() ? Unit::kSize : Unit::kPercent;
      case CheckMetric::kFds:
      case CheckMetric::kProcesses: return Unit::kCount;
      case CheckMetric::kUptime: return Unit::kDuration;
      default: return Unit::kPercent;
    }
  }

  base::Status ReadLevel(const toml::node& v, const KeyPath& key, std::optional<double>* out) {
    const Unit unit = LevelUnit();
    if (unit == Unit::kSize) {
      uint64_t bytes = 0;
      if (auto s = reader_.ReadSize(v, key, &bytes); !s.ok()) return s;
      *out = static_cast<double>(bytes);
      return base::Status::Ok();
    }
    if (unit == Unit::kDuration) {
      base::Duration d{};
      if (auto s = reader_.ReadDuration(v, key, &d); !s.ok()) return s;
      *out = std::chrono::duration<double>(d).count();  // seconds, as the samples are
      return base::Status::Ok();
    }
    if (unit == Unit::kCount) {
      int count = 0;
      if (auto s = reader_.ReadInt(v, key, 0, 100'000'000, &count); !s.ok()) return s;
      *out = count;
      return base::Status::Ok();
    }
    const bool load = unit == Unit::kLoad;
    const std::string_view expected = load ? "a load per CPU such as 1.5" : R"(a percentage such as "80%" or 80)";
    double value = 0;
    if (const auto* i = v.as_integer()) {
      value = static_cast<double>(i->get());
    } else if (const auto* f = v.as_floating_point()) {
      value = f->get();
    } else {
      std::string text;
      if (auto s = reader_.ReadString(v, key, expected, &text); !s.ok()) return s;
      const bool percent = !text.empty() && text.back() == '%';
      if (load && percent) {
        return reader_.Error(v, key,
                             "metric = \"load\" is a load per CPU such as 1.5, not a percentage, got \"" + text + "\"");
      }
      std::optional<double> parsed = ParseDecimal(percent ? std::string_view(text).substr(0, text.size() - 1) : text);
      if (!parsed || (!load && !percent)) {
        return reader_.Error(v, key,
                             load ? "expected a load per CPU such as 1.5, got \"" + text + "\""
                                  : "expected a percentage such as \"80%\", got \"" + text + "\"");
      }
      value = *parsed;
    }
    if (!std::isfinite(value)) return reader_.Error(v, key, "must be a finite number, got " + FormatNumber(value));
    if (load && value < 0) return reader_.Error(v, key, "must be at least 0, got " + FormatNumber(value));
    if (unit == Unit::kPercent && (value < 0 || value > 100)) {
      return reader_.Error(v, key, "must be between 0% and 100%, got " + FormatNumber(value) + "%");
    }
    // A program's processes together may use every CPU: 400% on four.
    if (unit == Unit::kProgramCpu && (value < 0 || value > 100'000)) {
      return reader_.Error(v, key, "must be between 0% and 100000% (100% is one whole CPU), got " +
                                       FormatNumber(value) + "%");
    }
    *out = value;
    return base::Status::Ok();
  }

  // "N of M" (bad in N of the last M samples) or a duration (bad in every sample for that
  // long). A duration never holds a space or "of", so either one means the count form.
  base::Status ReadFor(const toml::node& v, const KeyPath& key) {
    constexpr std::string_view kExpected = R"("N of M" such as "3 of 5", or a duration such as "5m")";
    CheckSpec& spec = *out_;
    std::string text;
    if (auto s = reader_.ReadString(v, key, kExpected, &text); !s.ok()) return s;
    if (text.find(' ') == std::string::npos && text.find("of") == std::string::npos) {
      auto d = base::ParseDuration(text);
      if (!d) return reader_.Error(v, key, d.error().message());
      if (d->count() == 0) {
        return reader_.Error(v, key, "must be greater than 0 (leave it out to judge each sample on its own)");
      }
      spec.for_duration = *d;
      spec.for_count = 1;
      spec.for_within = 1;
      return base::Status::Ok();
    }
    const size_t of = text.find(" of ");
    int n = 0;
    int m = 0;
    if (of == std::string::npos || !ParseCount(text.substr(0, of), &n) || !ParseCount(text.substr(of + 4), &m)) {
      return reader_.Error(v, key, "expected " + std::string(kExpected) + ", got \"" + text + "\"");
    }
    if (n < 1 || n > m || m > kMaxWindow) {
      return reader_.Error(
          v, key, "expected \"N of M\" with 1 <= N <= M <= " + std::to_string(kMaxWindow) + ", got \"" + text + "\"");
    }
    spec.for_count = n;
    spec.for_within = m;
    spec.for_duration = base::Duration{0};
    return base::Status::Ok();
  }

  // "3 in 1h": at most 3 actions within an hour, then vigil gives up until the check is OK.
  base::Status ReadLimit(const toml::node& v, const KeyPath& key) {
    constexpr std::string_view kExpected = R"("N in DURATION" such as "3 in 1h")";
    std::string text;
    if (auto s = reader_.ReadString(v, key, kExpected, &text); !s.ok()) return s;
    const std::optional<CountIn> split = SplitCountIn(text);
    if (!split) return reader_.Error(v, key, "expected " + std::string(kExpected) + ", got \"" + text + "\"");
    const int n = split->count;
    auto window = base::ParseDuration(split->window);
    if (!window) return reader_.Error(v, key, window.error().message());
    if (n < 1 || n > 1000 || window->count() <= 0) {
      return reader_.Error(v, key, "expected 1 to 1000 actions in a duration above 0, got \"" + text + "\"");
    }
    out_->actions.Mut().limit = n;
    out_->actions.Mut().limit_window = *window;
    return base::Status::Ok();
  }

  // A string or an array of strings, each one action: "restart", "restart web", "stop",
  // "run cleanup", "signal HUP", "signal USR1 web", "kill", "top", "exec /bin/page-me x".
  base::Status ReadActions(const toml::node& v, const KeyPath& key, std::vector<CheckAction>* out) {
    out->clear();
    if (const auto* array = v.as_array()) {
      if (array->size() > kMaxActions) {
        return reader_.Error(v, key, "at most " + std::to_string(kMaxActions) + " actions");
      }
      for (size_t i = 0; i < array->size(); ++i) {
        if (auto s = ReadAction(*array->get(i), key.Index(i), key, out); !s.ok()) return s;
      }
      return base::Status::Ok();
    }
    return ReadAction(v, key, key, out);
  }

  base::Status ReadAction(const toml::node& v, const KeyPath& key, const KeyPath& list_key,
                          std::vector<CheckAction>* out) {
    constexpr std::string_view kExpected =
        R"(an action such as "restart", "stop", "run TASK", "signal HUP", "kill", "top" or "exec COMMAND")";
    std::string text;
    if (auto s = reader_.ReadString(v, key, kExpected, &text); !s.ok()) return s;
    auto split = base::SplitCommand(text);
    if (!split) return reader_.Error(v, key, split.error().message());
    std::vector<std::string> words = std::move(*split);
    if (words.empty()) return reader_.Error(v, key, "expected " + std::string(kExpected) + ", got \"\"");
    CheckAction action;
    action.text = text;
    const std::string verb = words.front();
    words.erase(words.begin());
    bool known = false;
    for (CheckVerb candidate : {CheckVerb::kRestart, CheckVerb::kStop, CheckVerb::kRun, CheckVerb::kSignal,
                                CheckVerb::kKill, CheckVerb::kTop, CheckVerb::kExec}) {
      if (CheckVerbName(candidate) == verb) {
        action.verb = candidate;
        known = true;
      }
    }
    if (!known) return reader_.Error(v, key, "expected " + std::string(kExpected) + ", got \"" + text + "\"");
    switch (action.verb) {
      case CheckVerb::kSignal: {
        if (words.empty()) return reader_.Error(v, key, "\"signal\" needs a signal, such as \"signal HUP\"");
        auto signo = ParseSignal(words.front());
        if (!signo) return reader_.Error(v, key, signo.error().message());
        action.signo = *signo;
        words.erase(words.begin());
        [[fallthrough]];
      }
      case CheckVerb::kRestart:
      case CheckVerb::kStop:
        if (auto s = ReadActionPrograms(v, key, verb, words, &action.programs); !s.ok()) return s;
        break;
      case CheckVerb::kRun: {
        if (words.size() != 1) return reader_.Error(v, key, "\"run\" needs one task name, such as \"run cleanup\"");
        bool found = false;
        for (const TaskSpec& task : context_.tasks) found = found || task.name == words.front();
        if (!found) return reader_.Error(v, key, "unknown task \"" + words.front() + "\"");
        action.task = words.front();
        break;
      }
      case CheckVerb::kKill:
        if (out_->kind != CheckKind::kProcess) {
          return reader_.Error(v, key, "\"kill\" is for process checks (it kills the processes they matched)");
        }
        [[fallthrough]];
      case CheckVerb::kTop:
        if (!words.empty()) return reader_.Error(v, key, "\"" + verb + "\" takes nothing after it");
        break;
      case CheckVerb::kExec:
        if (words.empty()) return reader_.Error(v, key, "\"exec\" needs a command, such as \"exec /usr/local/bin/page-me\"");
        action.argv = std::move(words);
        break;
    }
    if (list_key.str().ends_with("on_recovery") && (action.verb == CheckVerb::kKill || action.verb == CheckVerb::kTop)) {
      return reader_.Error(v, key, "\"" + verb + "\" needs something wrong to act on, so it cannot be on_recovery");
    }
    out->push_back(std::move(action));
    return base::Status::Ok();
  }

  // The programs a restart, stop or signal acts on: those named, or the check's program.
  base::Status ReadActionPrograms(const toml::node& v, const KeyPath& key, const std::string& verb,
                                  const std::vector<std::string>& names, std::vector<std::string>* out) {
    if (names.empty()) {
      if (out_->program.empty()) {
        return reader_.Error(v, key,
                             "\"" + verb + "\" needs a program: name it (\"" + verb +
                                 " web\") or set program = \"web\" on the check");
      }
      out->push_back(out_->program);
      return base::Status::Ok();
    }
    std::set<std::string, std::less<>> seen;
    for (const std::string& name : names) {
      auto it = context_.programs.find(name);
      if (it == context_.programs.end()) return reader_.Error(v, key, "unknown program \"" + name + "\"");
      for (const std::string& instance : it->second) {
        if (seen.insert(instance).second) out->push_back(instance);
      }
    }
    return base::Status::Ok();
  }

  const toml::node* Node(std::string_view name) const {
    auto it = nodes_.find(name);
    return it == nodes_.end() ? nullptr : it->second;
  }

  base::Status CheckRules() {
    if (out_->kind == CheckKind::kMetric) {
      if (auto s = CheckPath(); !s.ok()) return s;
      if (auto s = CheckLevels(); !s.ok()) return s;
    }
    if (out_->kind == CheckKind::kFile) {
      if (auto s = CheckPair("warn_age", out_->probe->warn_age, "max_age", out_->probe->max_age); !s.ok()) return s;
      if (auto s = CheckPair("warn_size", out_->probe->warn_size, "max_size", out_->probe->max_size); !s.ok()) return s;
    }
    if (out_->kind == CheckKind::kProcess) {
      ProcessCheckSpec& p = out_->probe.Mut().process;
      if (p.min_count && p.max_count && *p.max_count < *p.min_count) {
        return reader_.Error(*Node("max_count"), key_.Child("max_count"),
                             "must not be below min_count (" + std::to_string(*p.min_count) + ")");
      }
      // Without a condition, the question is whether it runs at all.
      if (!p.min_count && !p.max_count && !p.max_runtime && !p.stalled) p.min_count = 1;
    }
    if (const toml::node* grace = Node("grace"); grace != nullptr && out_->program.empty()) {
      return reader_.Error(*grace, key_.Child("grace"),
                           "is the time a program gets after it starts; set program = \"NAME\" too");
    }
    return base::Status::Ok();
  }

  // The warning level of a file check must come before its critical one.
  template <typename T>
  base::Status CheckPair(std::string_view warn_name, const std::optional<T>& warn, std::string_view max_name,
                         const std::optional<T>& max) {
    if (warn && max && *warn > *max) {
      return reader_.Error(*Node(warn_name), key_.Child(warn_name),
                           "must not be past " + std::string(max_name) + " (the critical level)");
    }
    return base::Status::Ok();
  }

  // A path on a metric that does not read one would be silently ignored; say so instead.
  base::Status CheckPath() {
    const CheckMetric metric = out_->metric;
    const std::string metric_is = "metric = \"" + std::string(CheckMetricName(metric)) + "\"";
    const toml::node* path = Node("path");
    if (CheckMetricOnDisk(metric) && path == nullptr) {
      return reader_.errors().Error(line_, key_,
                                    metric_is + " needs path (any path on the filesystem to watch, such as \"/\")");
    }
    if (!CheckMetricOnDisk(metric) && path != nullptr) {
      return reader_.Error(*path, key_.Child("path"),
                           "only applies to metric = \"disk\" or \"inodes\" (this check has " + metric_is + ")");
    }
    return base::Status::Ok();
  }

  std::string Level(double value) const {
    switch (LevelUnit()) {
      case Unit::kLoad:
      case Unit::kCount: return FormatNumber(value);
      case Unit::kSize: return base::FormatSize(static_cast<uint64_t>(value));
      case Unit::kDuration:
        return base::FormatDuration(std::chrono::duration_cast<base::Duration>(std::chrono::duration<double>(value)));
      default: return FormatNumber(value) + "%";
    }
  }

  base::Status CheckLevels() {
    const CheckSpec& spec = *out_;
    if (!spec.warn && !spec.crit) return reader_.errors().Error(line_, key_, "needs warn, crit or both");
    if (spec.warn && spec.crit && *spec.crit < *spec.warn) {
      return reader_.Error(*Node("crit"), key_.Child("crit"),
                           "must not be below warn (" + Level(*spec.warn) + "), got " + Level(*spec.crit));
    }
    if (spec.clear) {
      // Invariant: crit >= warn here, so warn, when set, is the lowest level.
      const std::string_view lowest_name = spec.warn ? "warn" : "crit";
      const double lowest = spec.warn ? *spec.warn : *spec.crit;
      if (*spec.clear > lowest) {
        return reader_.Error(
            *Node("clear"), key_.Child("clear"),
            "must not be above " + std::string(lowest_name) + " (" + Level(lowest) + "), got " + Level(*spec.clear));
      }
    }
    return base::Status::Ok();
  }

  TomlReader reader_;
  const KeyPath& key_;
  const int line_;  // the [check.NAME] header
  const CheckContext& context_;
  CheckSpec* out_;
  // The keys present, by name; the views point into the table being read.
  std::map<std::string_view, const toml::node*, std::less<>> nodes_;
};

// A check made from a program's shorthand, for ParseProgramChecks: `table` is a
// [check.NAME]-like table built from the shorthand (its values keep their lines).
// `given` are the shorthand's own entries (with their lines), `implied` the values it
// stands for.
base::Status ParseShorthand(const ErrorContext& errors, const KeyPath& key, int line, const std::string& name,
                            CheckReader::Entries given, const toml::table& implied, const CheckContext& context,
                            CheckSpec* out) {
  *out = CheckSpec{};
  out->name = name;
  out->every = context.default_every;
  for (const auto& entry : EntriesInFileOrder(implied)) given.push_back(entry);
  return CheckReader(errors, key, line, context, out).Read(given);
}

base::Status AddUnique(const ErrorContext& errors, const toml::node& at, const KeyPath& key, CheckSpec spec,
                       std::vector<CheckSpec>* out) {
  for (const CheckSpec& c : *out) {
    if (c.name == spec.name) {
      return errors.Error(LineOf(at), key,
                          "makes the check \"" + spec.name + "\", which a [check] table already defines");
    }
  }
  out->push_back(std::move(spec));
  return base::Status::Ok();
}

base::Status ParseHealthShorthand(const ErrorContext& errors, const KeyPath& key, const toml::node& node,
                                  const std::string& instance, const CheckContext& context,
                                  std::vector<CheckSpec>* out) {
  const TomlReader reader(errors);
  CheckReader::Entries given;
  toml::table table;
  int fails = 1;
  bool has_kind = false;
  for (const auto& [k, v] : EntriesInFileOrder(*node.as_table())) {
    const std::string_view name = k->str();
    if (name == "fails") {
      if (auto s = reader.ReadInt(*v, key.Child(name), 1, kMaxWindow, &fails); !s.ok()) return s;
      continue;
    }
    constexpr std::string_view kAccepted[] = {"http",       "tcp",     "command", "expect", "body",
                                              "tls_verify", "ca_file", "timeout", "every",  "grace"};
    if (std::find(std::begin(kAccepted), std::end(kAccepted), name) == std::end(kAccepted)) {
      return reader.UnknownKey(*k, key.Child(name),
                               "http, tcp, command, expect, body, tls_verify, ca_file, timeout, every, grace, fails");
    }
    has_kind = has_kind || name == "http" || name == "tcp" || name == "command";
    given.emplace_back(k, v);
  }
  if (!has_kind) return errors.Error(LineOf(node), key, "needs http, tcp or command: what to probe");
  table.insert("program", instance);
  table.insert("for", std::to_string(fails) + " of " + std::to_string(fails));
  table.insert("on_crit", "restart");
  CheckSpec spec;
  if (auto s = ParseShorthand(errors, key, LineOf(node), instance + ".health", given, table, context, &spec);
      !s.ok()) {
    return s;
  }
  return AddUnique(errors, node, key, std::move(spec), out);
}

base::Status ParseRuntimeShorthand(const ErrorContext& errors, const KeyPath& key, const toml::node& node,
                                   const std::string& instance, const CheckContext& context,
                                   std::vector<CheckSpec>* out) {
  const TomlReader reader(errors);
  base::Duration max{};
  if (auto s = reader.ReadDuration(node, key, &max); !s.ok()) return s;
  if (max.count() <= 0) return reader.Error(node, key, "must be greater than 0");
  toml::table table;
  table.insert("metric", "uptime");
  table.insert("program", instance);
  table.insert("crit", base::FormatDuration(max));
  table.insert("on_crit", "restart");
  CheckSpec spec;
  if (auto s = ParseShorthand(errors, key, LineOf(node), instance + ".max_runtime", {}, table, context, &spec);
      !s.ok()) {
    return s;
  }
  // Sampled often enough to act within a few percent of the limit, and at least every minute.
  spec.every = std::clamp<base::Duration>(max / 50, std::chrono::seconds(1), std::min(context.default_every,
                                                                                        base::Duration(60'000)));
  spec.crit = std::chrono::duration<double>(max).count();
  return AddUnique(errors, node, key, std::move(spec), out);
}

base::Status ParseMemoryShorthand(const ErrorContext& errors, const KeyPath& key, const toml::node& node,
                                  const std::string& instance, const CheckContext& context,
                                  std::vector<CheckSpec>* out) {
  const TomlReader reader(errors);
  uint64_t max = 0;
  CheckReader::Entries given;
  toml::table table;
  bool has_for = false;
  if (const toml::table* limit = node.as_table()) {
    bool has_max = false;
    for (const auto& [k, v] : EntriesInFileOrder(*limit)) {
      const std::string_view name = k->str();
      if (name == "max") {
        if (auto s = reader.ReadSize(*v, key.Child(name), &max); !s.ok()) return s;
        has_max = true;
      } else if (name == "for" || name == "every") {
        has_for = has_for || name == "for";
        given.emplace_back(k, v);
      } else {
        return reader.UnknownKey(*k, key.Child(name), "max, for, every");
      }
    }
    if (!has_max) return errors.Error(LineOf(node), key, "missing required key \"max\"");
  } else {
    if (!node.is_string() && !node.is_integer()) {
      return reader.WrongType(node, key, R"(a size like "500MB", or a table like { max = "500MB", for = "2m" })");
    }
    if (auto s = reader.ReadSize(node, key, &max); !s.ok()) return s;
  }
  if (max == 0) return reader.Error(node, key, "must be greater than 0");
  if (!has_for) table.insert("for", "3 of 3");  // "stays above it": not one spike
  table.insert("metric", "memory");
  table.insert("program", instance);
  table.insert("crit", static_cast<int64_t>(std::min<uint64_t>(max, INT64_MAX)));
  table.insert("on_crit", "restart");
  CheckSpec spec;
  if (auto s = ParseShorthand(errors, key, LineOf(node), instance + ".memory_limit", given, table, context, &spec);
      !s.ok()) {
    return s;
  }
  return AddUnique(errors, node, key, std::move(spec), out);
}

}  // namespace

base::Status ParseProgramChecks(const ErrorContext& errors, const ProgramTable& table,
                                const std::vector<std::string>& instances, const CheckContext& context,
                                std::vector<CheckSpec>* out) {
  const KeyPath key = KeyPath("program").Child(table.spec.table_name);
  for (const std::string& instance : instances) {
    if (table.health != nullptr) {
      if (auto s = ParseHealthShorthand(errors, key.Child("health"), *table.health, instance, context, out); !s.ok()) {
        return s;
      }
    }
    if (table.memory_limit != nullptr) {
      if (auto s = ParseMemoryShorthand(errors, key.Child("memory_limit"), *table.memory_limit, instance, context, out);
          !s.ok()) {
        return s;
      }
    }
    if (table.max_runtime != nullptr) {
      if (auto s = ParseRuntimeShorthand(errors, key.Child("max_runtime"), *table.max_runtime, instance, context, out);
          !s.ok()) {
        return s;
      }
    }
    if (out->size() > kMaxChecks) {
      return errors.Error(table.line, key, "brings the checks to more than " + std::to_string(kMaxChecks));
    }
  }
  return base::Status::Ok();
}

base::Status ParseHealthTable(const ErrorContext& errors, const toml::node* node, base::Duration* every,
                              HistorySpec* history) {
  history->every = *every;
  if (node == nullptr) return base::Status::Ok();
  const TomlReader reader(errors);
  const KeyPath key("health");
  const auto* table = node->as_table();
  if (table == nullptr) return reader.WrongType(*node, key, "a table ([health])");
  for (const auto& [k, v] : EntriesInFileOrder(*table)) {
    const KeyPath child = key.Child(k->str());
    if (k->str() == "every") {
      if (auto s = ReadEvery(reader, *v, child, every); !s.ok()) return s;
    } else if (k->str() == "history") {
      if (auto s = ReadHistory(reader, *v, child, history); !s.ok()) return s;
    } else {
      return reader.UnknownKey(*k, child, "every, history");
    }
  }
  history->every = *every;
  return base::Status::Ok();
}

base::Status ParseCheckTable(const ErrorContext& errors, const std::string& name, const toml::node& node,
                             const CheckContext& context, CheckSpec* out) {
  const KeyPath key = KeyPath("check").Child(name);
  const auto* table = node.as_table();
  if (table == nullptr) return TomlReader(errors).WrongType(node, key, "a table ([check.NAME])");
  *out = CheckSpec{};
  out->name = name;
  out->every = context.default_every;
  return CheckReader(errors, key, LineOf(node), context, out).Read(*table);
}

}  // namespace vigil::config
