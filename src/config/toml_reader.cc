// SPDX-License-Identifier: MIT
// Typed, line-aware reads of toml++ values for the config parser.
#include "config/toml_reader.h"

#include <charconv>

#include "base/command_line.h"

#include <algorithm>

#include "base/units.h"

namespace vigil::config {
namespace {

// Long values are cut so the message stays a readable single line.
std::string QuoteForMessage(std::string_view s) {
  constexpr size_t kMax = 60;
  if (s.size() > kMax) return "\"" + std::string(s.substr(0, kMax)) + "...\"";
  return "\"" + std::string(s) + "\"";
}

}  // namespace

std::filesystem::path ResolvePath(const std::filesystem::path& base_dir, std::string_view value) {
  std::filesystem::path path = (base_dir / value).lexically_normal();
  if (!path.has_filename() && path.has_relative_path()) path = path.parent_path();
  return path;
}

int LineOf(const toml::node& node) { return static_cast<int>(node.source().begin.line); }
int LineOf(const toml::key& key) { return static_cast<int>(key.source().begin.line); }

std::string Describe(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string:
      return "string " + QuoteForMessage(node.as_string()->get());
    case toml::node_type::integer:
      return "integer " + std::to_string(node.as_integer()->get());
    case toml::node_type::floating_point:
      return "a float";
    case toml::node_type::boolean:
      return node.as_boolean()->get() ? "boolean true" : "boolean false";
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    case toml::node_type::none:
      break;
  }
  return "nothing";
}

std::vector<std::pair<const toml::key*, const toml::node*>> EntriesInFileOrder(
    const toml::table& table) {
  std::vector<std::pair<const toml::key*, const toml::node*>> entries;
  for (const auto& [k, v] : table) entries.emplace_back(&k, &v);
  std::stable_sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
    const auto& pa = a.first->source().begin;
    const auto& pb = b.first->source().begin;
    return pa.line != pb.line ? pa.line < pb.line : pa.column < pb.column;
  });
  return entries;
}

base::Status TomlReader::WrongType(const toml::node& at, const KeyPath& key,
                                   std::string_view expected) const {
  return Error(at, key, "expected " + std::string(expected) + ", got " + Describe(at));
}

base::Status TomlReader::ReadBool(const toml::node& node, const KeyPath& key, bool* out) const {
  const auto* b = node.as_boolean();
  if (b == nullptr) return WrongType(node, key, "true or false");
  *out = b->get();
  return base::Status::Ok();
}

base::Status TomlReader::ReadString(const toml::node& node, const KeyPath& key,
                                    std::string* out) const {
  return ReadString(node, key, "a string", out);
}

base::Status TomlReader::ReadString(const toml::node& node, const KeyPath& key, std::string_view expected,
                                    std::string* out) const {
  const auto* s = node.as_string();
  if (s == nullptr) return WrongType(node, key, expected);
  if (s->get().find('\0') != std::string::npos) {
    return Error(node, key, "must not contain a NUL character (\\u0000)");
  }
  *out = s->get();
  return base::Status::Ok();
}

base::Status TomlReader::ReadNonEmptyString(const toml::node& node, const KeyPath& key,
                                            std::string* out) const {
  if (auto s = ReadString(node, key, out); !s.ok()) return s;
  if (out->empty()) {
    return Error(node, key, "must not be empty (leave the key out to get the default)");
  }
  return base::Status::Ok();
}

base::Status TomlReader::ReadInt64(const toml::node& node, const KeyPath& key, int64_t min, int64_t max,
                                   int64_t* out) const {
  const auto* i = node.as_integer();
  if (i == nullptr) return WrongType(node, key, "an integer");
  const int64_t v = i->get();
  if (v < min || v > max) {
    return Error(node, key,
                 "must be between " + std::to_string(min) + " and " + std::to_string(max) +
                     ", got " + std::to_string(v));
  }
  *out = v;
  return base::Status::Ok();
}

base::Status TomlReader::ReadInt(const toml::node& node, const KeyPath& key, int min, int max, int* out) const {
  int64_t v = 0;
  if (auto s = ReadInt64(node, key, min, max, &v); !s.ok()) return s;
  *out = static_cast<int>(v);
  return base::Status::Ok();
}

base::Status TomlReader::ReadDuration(const toml::node& node, const KeyPath& key,
                                      base::Duration* out) const {
  base::Result<base::Duration> d = base::Duration{0};
  if (const auto* i = node.as_integer()) {
    d = base::DurationFromSeconds(i->get());
  } else {
    std::string text;
    if (auto s = ReadString(node, key, R"(a duration like "10s" or "250ms", or an integer number of seconds)", &text);
        !s.ok())
      return s;
    d = base::ParseDuration(text);
  }
  if (!d) return Error(node, key, d.error().message());
  *out = *d;
  return base::Status::Ok();
}

base::Status TomlReader::ReadSize(const toml::node& node, const KeyPath& key, uint64_t* out) const {
  if (const auto* i = node.as_integer()) {
    if (i->get() < 0) {
      return Error(node, key, "sizes cannot be negative, got " + std::to_string(i->get()));
    }
    *out = static_cast<uint64_t>(i->get());
    return base::Status::Ok();
  }
  std::string text;
  if (auto s = ReadString(node, key, R"(a size like "10MB", or an integer number of bytes)", &text); !s.ok()) return s;
  auto size = base::ParseSize(text);
  if (!size) return Error(node, key, size.error().message());
  *out = *size;
  return base::Status::Ok();
}

std::optional<CountIn> SplitCountIn(std::string_view text) {
  const size_t in = text.find(" in ");
  if (in == std::string_view::npos) return std::nullopt;
  const std::string_view count = text.substr(0, in);
  CountIn out;
  if (count.empty() || count.find_first_not_of("0123456789") != std::string_view::npos) return std::nullopt;
  const auto [ptr, ec] = std::from_chars(count.data(), count.data() + count.size(), out.count);
  if (ec != std::errc() || ptr != count.data() + count.size()) return std::nullopt;
  out.window = std::string(text.substr(in + 4));
  return out;
}

std::optional<double> ParseDecimal(std::string_view text) {
  auto skip_digits = [&](size_t i) {
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
    return i;
  };
  size_t end = skip_digits(0);
  if (end == 0) return std::nullopt;
  if (end < text.size() && text[end] == '.') {
    const size_t fraction = end + 1;
    end = skip_digits(fraction);
    if (end == fraction) return std::nullopt;
  }
  if (end != text.size()) return std::nullopt;
  double value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
  return value;
}

std::string FormatNumber(double value) {
  char buffer[64];
  const auto [ptr, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  return ec == std::errc() ? std::string(buffer, ptr) : std::to_string(value);
}

base::Status TomlReader::ReadCommand(const toml::node& v, const KeyPath& key, std::vector<std::string>* argv) const {
  if (v.is_string()) {
    std::string text;
    if (auto s = ReadString(v, key, &text); !s.ok()) return s;
    auto words = base::SplitCommand(text);
    if (!words) return Error(v, key, words.error().message());
    if (words->empty()) return Error(v, key, "empty command");
    *argv = std::move(*words);
  } else {
    const auto* array = v.as_array();
    if (array == nullptr) return WrongType(v, key, "a string or an array of strings");
    if (array->empty()) return Error(v, key, "empty command");
    argv->clear();
    for (size_t i = 0; i < array->size(); ++i) {
      std::string word;
      if (auto s = ReadString(*array->get(i), key.Index(i), &word); !s.ok()) return s;
      argv->push_back(std::move(word));
    }
  }
  if (argv->front().empty()) return Error(v, key.Index(0), "the program to run must not be empty");
  return base::Status::Ok();
}

base::Status TomlReader::ReadLogSpec(const toml::node& node, const KeyPath& key,
                                     LogSpec* out) const {
  const auto* table = node.as_table();
  if (table == nullptr) {
    return WrongType(node, key, "a table like { max_size = \"10MB\", keep = 10 }");
  }
  for (const auto& [k, v] : EntriesInFileOrder(*table)) {
    const std::string_view name = k->str();
    const KeyPath child = key.Child(name);
    base::Status s;
    if (name == "max_size") {
      s = ReadSize(*v, child, &out->max_bytes);
    } else if (name == "keep") {
      s = ReadInt(*v, child, 0, 100000, &out->keep);
    } else if (name == "compress") {
      s = ReadBool(*v, child, &out->compress);
    } else if (name == "timestamps") {
      s = ReadBool(*v, child, &out->timestamps);
    } else {
      s = UnknownKey(*k, child, "max_size, keep, compress, timestamps");
    }
    if (!s.ok()) return s;
  }
  return base::Status::Ok();
}

base::Status TomlReader::UnknownKey(const toml::key& k, const KeyPath& key,
                                    std::string_view accepted) const {
  return errors_.Error(LineOf(k), key,
                       "unknown key (expected one of: " + std::string(accepted) + ")");
}

}  // namespace vigil::config
