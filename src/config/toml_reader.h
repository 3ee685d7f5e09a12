// SPDX-License-Identifier: MIT
// Typed reads of toml++ nodes that report a wrong type or bad value as a config error
// naming the key and line. Internal to the config module; none of these throw.
#pragma once

#include <toml++/toml.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/clock.h"
#include "config/config_error.h"
#include "config/spec.h"

namespace vigil::config {

// `value` made absolute against `base_dir` (the config file's directory) and normalized
// without a trailing slash, so "logs/", "./logs" and "logs" compare equal on reload.
std::filesystem::path ResolvePath(const std::filesystem::path& base_dir, std::string_view value);

// `text` parsed by toml++, whose exceptions stop here: a syntax error is
// "FILE:LINE: syntax error: ..." like every config error. Defined in parse.cc, the one
// file that calls toml::parse.
base::Result<toml::table> ParseTomlText(std::string_view text, const ErrorContext& errors);

// The line a node starts on (1-based), for messages.
int LineOf(const toml::node& node);
int LineOf(const toml::key& key);

// `string "yes"`, `integer 5`, `a table`: what the user wrote, for "expected X, got Y".
std::string Describe(const toml::node& node);

// A table's entries ordered as they appear in the file (toml::table is ordered by key),
// so the first error reported is the first in the file.
std::vector<std::pair<const toml::key*, const toml::node*>> EntriesInFileOrder(
    const toml::table& table);

// "3 in 1h" split into its count (digits only, fitting an int) and the text after " in "
// (a duration, not checked here); nullopt for any other shape. For `limit` and `rate_limit`.
struct CountIn {
  int count = 0;
  std::string window;
};
std::optional<CountIn> SplitCountIn(std::string_view text);

// "80" or "80.5" and nothing else: the shape is checked first because from_chars would
// also take "inf", "nan", "1e3" and "-5". For levels and limits written as text ("80%").
std::optional<double> ParseDecimal(std::string_view text);

// The shortest form that reads back as `value` (80, 80.5, 1.5), for messages.
std::string FormatNumber(double value);

// Each Read* stores into *out and returns Ok, or returns the error for `key` at the node's line.
class TomlReader {
 public:
  explicit TomlReader(const ErrorContext& errors) : errors_(errors) {}

  base::Status Error(const toml::node& at, const KeyPath& key, std::string_view reason) const {
    return errors_.Error(LineOf(at), key, reason);
  }
  base::Status WrongType(const toml::node& at, const KeyPath& key, std::string_view expected) const;

  base::Status ReadBool(const toml::node& node, const KeyPath& key, bool* out) const;
  // Any string, including "", but none holding a NUL character: the OS reads a C string
  // only up to its NUL, so user = "root\u0000evil" would run as root. Every string value
  // is read here. `expected` describes the accepted values for a wrong-type error.
  base::Status ReadString(const toml::node& node, const KeyPath& key, std::string* out) const;
  base::Status ReadString(const toml::node& node, const KeyPath& key, std::string_view expected,
                          std::string* out) const;
  base::Status ReadNonEmptyString(const toml::node& node, const KeyPath& key,
                                  std::string* out) const;
  // An integer in [min, max]; otherwise "must be between MIN and MAX, got VALUE".
  base::Status ReadInt64(const toml::node& node, const KeyPath& key, int64_t min, int64_t max, int64_t* out) const;
  base::Status ReadInt(const toml::node& node, const KeyPath& key, int min, int max, int* out) const;
  // A duration string (base::ParseDuration) or an integer number of seconds, at most
  // base::kMaxDuration either way.
  base::Status ReadDuration(const toml::node& node, const KeyPath& key, base::Duration* out) const;
  // A size string (base::ParseSize) or an integer number of bytes.
  base::Status ReadSize(const toml::node& node, const KeyPath& key, uint64_t* out) const;
  // A command: an argv array, or a string split into words as a shell would (but never
  // run by one). Never empty, and its first word (the program) is not empty.
  base::Status ReadCommand(const toml::node& node, const KeyPath& key, std::vector<std::string>* argv) const;
  // A stdout/stderr table: max_size, keep, compress, timestamps; unknown keys rejected.
  base::Status ReadLogSpec(const toml::node& node, const KeyPath& key, LogSpec* out) const;
  // "unknown key" error listing the accepted ones.
  base::Status UnknownKey(const toml::key& k, const KeyPath& key, std::string_view accepted) const;

  const ErrorContext& errors() const { return errors_; }

 private:
  const ErrorContext& errors_;
};

}  // namespace vigil::config
