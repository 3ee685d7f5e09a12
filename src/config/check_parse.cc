// SPDX-License-Identifier: MIT
// Reading [health] and [check.NAME] tables: the metric and its levels (a percentage, or a
// load per CPU), `for` as "N of M" samples or a duration, and the rules between keys.
#include "config/check_parse.h"

#include <charconv>
#include <chrono>
#include <cmath>
#include <map>
#include <optional>
#include <string_view>
#include <system_error>

#include "base/units.h"
#include "config/toml_reader.h"

namespace vigil::config {
namespace {

constexpr std::string_view kMetricList = R"("cpu", "memory", "swap", "load", "disk" or "inodes")";

// Every key a [check.NAME] accepts, in docs/config.md's order.
constexpr std::string_view kCheckKeys[] = {"metric", "path", "warn", "crit", "clear", "for", "recovery", "every"};

// Sampling reads /proc and calls statvfs(2); more often than once a second would cost more
// than it tells.
constexpr base::Duration kMinEvery = std::chrono::seconds(1);
// Bounds that catch typos (recovery = 1000, "3 of 5000") without limiting real use: a
// check remembers its last M samples.
constexpr int kMaxWindow = 100;
constexpr int kMaxRecovery = 100;


std::string AcceptedKeys() {
  std::string out;
  for (std::string_view k : kCheckKeys) out += (out.empty() ? "" : ", ") + std::string(k);
  return out;
}

bool IsKnownKey(std::string_view name) {
  for (std::string_view k : kCheckKeys) {
    if (k == name) return true;
  }
  return false;
}

size_t SkipDigits(std::string_view text, size_t i) {
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
  return i;
}

// "80" or "80.5" and nothing else: the shape is checked first because from_chars would
// also take "inf", "nan", "1e3" and "-5".
std::optional<double> ParseDecimal(std::string_view text) {
  size_t end = SkipDigits(text, 0);
  if (end == 0) return std::nullopt;
  if (end < text.size() && text[end] == '.') {
    const size_t fraction = end + 1;
    end = SkipDigits(text, fraction);
    if (end == fraction) return std::nullopt;
  }
  if (end != text.size()) return std::nullopt;
  double value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
  return value;
}

// A whole number of digits only; false also when it does not fit an int.
bool ParseCount(std::string_view text, int* out) {
  if (text.empty() || SkipDigits(text, 0) != text.size()) return false;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

// The shortest form that reads back as `value`: 80, 80.5, 1.5.
std::string FormatNumber(double value) {
  char buffer[64];
  const auto [ptr, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  return ec == std::errc() ? std::string(buffer, ptr) : std::to_string(value);
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

// Reads one table: the metric first (how warn, crit and clear are read depends on it),
// then every other value on its own in file order, then the rules between keys. Lives for
// the reading of one table and borrows its arguments.
class CheckReader {
 public:
  CheckReader(const ErrorContext& errors, const KeyPath& key, int line, CheckSpec* out)
      : reader_(errors), key_(key), line_(line), out_(out) {}

  base::Status Read(const toml::table& table) {
    const auto entries = EntriesInFileOrder(table);
    for (const auto& [k, v] : entries) {
      const std::string_view name = k->str();
      if (!IsKnownKey(name)) return reader_.UnknownKey(*k, key_.Child(name), AcceptedKeys());
      nodes_[name] = v;
    }
    const toml::node* metric = Node("metric");
    if (metric == nullptr) return reader_.errors().Error(line_, key_, "missing required key \"metric\"");
    if (auto s = ReadMetric(*metric, key_.Child("metric")); !s.ok()) return s;
    for (const auto& [k, v] : entries) {
      if (k->str() == "metric") continue;
      if (auto s = ReadValue(k->str(), *v); !s.ok()) return s;
    }
    if (auto s = CheckPath(); !s.ok()) return s;
    return CheckLevels();
  }

 private:
  base::Status ReadValue(std::string_view name, const toml::node& v) {
    CheckSpec& spec = *out_;
    const KeyPath key = key_.Child(name);
    if (name == "path") return ReadPath(v, key);
    if (name == "warn") return ReadLevel(v, key, &spec.warn);
    if (name == "crit") return ReadLevel(v, key, &spec.crit);
    if (name == "clear") return ReadLevel(v, key, &spec.clear);
    if (name == "for") return ReadFor(v, key);
    if (name == "recovery") return reader_.ReadInt(v, key, 1, kMaxRecovery, &spec.recovery);
    if (name == "every") return ReadEvery(reader_, v, key, &spec.every);
    // Only reachable if kCheckKeys lists a key this function does not read.
    return base::Status::Internal(key.str() + ": key accepted but not read (config parser bug)");
  }

  base::Status ReadMetric(const toml::node& v, const KeyPath& key) {
    std::string text;
    if (auto s = reader_.ReadString(v, key, kMetricList, &text); !s.ok()) return s;
    for (CheckMetric m : kCheckMetrics) {
      if (CheckMetricName(m) == text) {
        out_->metric = m;
        return base::Status::Ok();
      }
    }
    return reader_.Error(v, key, "expected " + std::string(kMetricList) + ", got \"" + text + "\"");
  }

  base::Status ReadPath(const toml::node& v, const KeyPath& key) {
    std::string text;
    if (auto s = reader_.ReadString(v, key, "an absolute path string", &text); !s.ok()) return s;
    // Unlike other paths, not relative to the config file: it names a filesystem on the
    // machine, and "/" or "/var" read the same wherever the config lives.
    if (text.empty() || text[0] != '/') {
      return reader_.Error(v, key, "must be an absolute path such as \"/\" or \"/var\", got \"" + text + "\"");
    }
    out_->path = ResolvePath("/", text);
    return base::Status::Ok();
  }

  // A percentage ("80%", 80, 80.5; 0 to 100), or for metric = "load" a number of at least
  // 0 (1.5, "1.5"), where a "%" would suggest a scale that load does not have.
  base::Status ReadLevel(const toml::node& v, const KeyPath& key, std::optional<double>* out) {
    const bool load = out_->metric == CheckMetric::kLoad;
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
    if (!load && (value < 0 || value > 100)) {
      return reader_.Error(v, key, "must be between 0% and 100%, got " + FormatNumber(value) + "%");
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

  const toml::node* Node(std::string_view name) const {
    auto it = nodes_.find(name);
    return it == nodes_.end() ? nullptr : it->second;
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
    return FormatNumber(value) + (out_->metric == CheckMetric::kLoad ? "" : "%");
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
  CheckSpec* out_;
  // The keys present, by name; the views point into the table being read.
  std::map<std::string_view, const toml::node*, std::less<>> nodes_;
};

}  // namespace

base::Status ParseHealthTable(const ErrorContext& errors, const toml::node* node, base::Duration* every) {
  if (node == nullptr) return base::Status::Ok();
  const TomlReader reader(errors);
  const KeyPath key("health");
  const auto* table = node->as_table();
  if (table == nullptr) return reader.WrongType(*node, key, "a table ([health])");
  for (const auto& [k, v] : EntriesInFileOrder(*table)) {
    const KeyPath child = key.Child(k->str());
    if (k->str() != "every") return reader.UnknownKey(*k, child, "every");
    if (auto s = ReadEvery(reader, *v, child, every); !s.ok()) return s;
  }
  return base::Status::Ok();
}

base::Status ParseCheckTable(const ErrorContext& errors, const std::string& name, const toml::node& node,
                             base::Duration default_every, CheckSpec* out) {
  const KeyPath key = KeyPath("check").Child(name);
  const auto* table = node.as_table();
  if (table == nullptr) return TomlReader(errors).WrongType(node, key, "a table ([check.NAME])");
  *out = CheckSpec{};
  out->name = name;
  out->every = default_every;
  return CheckReader(errors, key, LineOf(node), out).Read(*table);
}

}  // namespace vigil::config
