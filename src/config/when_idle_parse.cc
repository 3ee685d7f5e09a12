// SPDX-License-Identifier: MIT
// when_idle = { cpu_below = "20%", load_below = 0.5, max_wait = "6h", then = "run",
// check_every = "1m" }: each key on its own, then "at least one limit".
#include "config/when_idle_parse.h"

#include <cmath>
#include <string>
#include <string_view>

#include "base/units.h"

namespace vigil::config {
namespace {

constexpr std::string_view kAccepted = "cpu_below, load_below, max_wait, then, check_every";
// Below this, /proc/stat's tick counters (100 a second) say little about a whole machine.
constexpr base::Duration kMinCheckEvery{1000};
// A load per CPU this high is never "idle"; a larger limit is a typo.
constexpr double kMaxLoadBelow = 1000;

// A number (integer or float) as is; nullopt for any other type.
std::optional<double> NumberOf(const toml::node& v) {
  if (const auto* i = v.as_integer()) return static_cast<double>(i->get());
  if (const auto* f = v.as_floating_point()) return f->get();
  return std::nullopt;
}

// "20%", or a number meaning percent; more than 0 and at most 100.
base::Status ReadCpuBelow(const TomlReader& reader, const toml::node& v, const KeyPath& key, double* out) {
  std::optional<double> value = NumberOf(v);
  if (!value) {
    std::string text;
    if (auto s = reader.ReadString(v, key, R"(a percentage such as "20%" or 20)", &text); !s.ok()) return s;
    if (text.empty() || text.back() != '%' || !(value = ParseDecimal(text.substr(0, text.size() - 1)))) {
      return reader.Error(v, key, "expected a percentage such as \"20%\", got \"" + text + "\"");
    }
  }
  if (!std::isfinite(*value) || *value <= 0 || *value > 100) {
    return reader.Error(v, key, "must be more than 0% and at most 100%, got " + FormatNumber(*value) + "%");
  }
  *out = *value;
  return base::Status::Ok();
}

// A load per CPU such as 0.5: more than 0, not a percentage.
base::Status ReadLoadBelow(const TomlReader& reader, const toml::node& v, const KeyPath& key, double* out) {
  std::optional<double> value = NumberOf(v);
  if (!value) {
    std::string text;
    if (auto s = reader.ReadString(v, key, "a load per CPU such as 0.5", &text); !s.ok()) return s;
    if (!text.empty() && text.back() == '%') {
      return reader.Error(v, key, "is a load per CPU such as 0.5, not a percentage, got \"" + text + "\"");
    }
    return reader.WrongType(v, key, "a load per CPU such as 0.5");
  }
  if (!std::isfinite(*value) || *value <= 0 || *value > kMaxLoadBelow) {
    return reader.Error(v, key,
                        "must be more than 0 and at most " + FormatNumber(kMaxLoadBelow) + ", got " + FormatNumber(*value));
  }
  *out = *value;
  return base::Status::Ok();
}

base::Status ReadThen(const TomlReader& reader, const toml::node& v, const KeyPath& key, bool* skip) {
  constexpr std::string_view kExpected = R"("run" or "skip")";
  std::string text;
  if (auto s = reader.ReadString(v, key, kExpected, &text); !s.ok()) return s;
  if (text != "run" && text != "skip") {
    return reader.Error(v, key, "expected " + std::string(kExpected) + ", got \"" + text + "\"");
  }
  *skip = text == "skip";
  return base::Status::Ok();
}

}  // namespace

base::Status ReadWhenIdle(const TomlReader& reader, const toml::node& node, const KeyPath& key,
                          std::optional<WhenIdleSpec>* out) {
  const auto* table = node.as_table();
  if (table == nullptr) return reader.WrongType(node, key, R"(a table like { cpu_below = "20%", max_wait = "6h" })");
  WhenIdleSpec spec;
  for (const auto& [k, v] : EntriesInFileOrder(*table)) {
    const std::string_view name = k->str();
    const KeyPath child = key.Child(name);
    base::Status s;
    if (name == "cpu_below") {
      double percent = 0;
      s = ReadCpuBelow(reader, *v, child, &percent);
      spec.cpu_below_percent = percent;
    } else if (name == "load_below") {
      double load = 0;
      s = ReadLoadBelow(reader, *v, child, &load);
      spec.load_below = load;
    } else if (name == "max_wait") {
      s = reader.ReadDuration(*v, child, &spec.max_wait);
      if (s.ok() && spec.max_wait.count() <= 0) s = reader.Error(*v, child, "must be greater than 0");
    } else if (name == "then") {
      s = ReadThen(reader, *v, child, &spec.skip_after_max_wait);
    } else if (name == "check_every") {
      s = reader.ReadDuration(*v, child, &spec.check_every);
      if (s.ok() && spec.check_every < kMinCheckEvery) {
        s = reader.Error(*v, child,
                         "must be at least " + base::FormatDuration(kMinCheckEvery) + ", got " +
                             base::FormatDuration(spec.check_every));
      }
    } else {
      s = reader.UnknownKey(*k, child, kAccepted);
    }
    if (!s.ok()) return s;
  }
  if (!spec.cpu_below_percent && !spec.load_below) {
    return reader.Error(node, key, "needs cpu_below, load_below or both (what \"idle\" means)");
  }
  *out = spec;
  return base::Status::Ok();
}

}  // namespace vigil::config
