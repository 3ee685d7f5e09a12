// SPDX-License-Identifier: MIT
// Builds the one-line config error "FILE:LINE: KEY: reason" that every check reports, and
// reads it back into its parts (for the config editor's list of errors).
// Internal to the config module.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "base/status.h"

namespace vigil::config {

// A dotted key as a user would write it in TOML: program.web.stdout.max_size,
// program."my app".command, program.web.exit_codes[1].
class KeyPath {
 public:
  KeyPath() = default;
  explicit KeyPath(std::string_view segment) { *this = Child(segment); }

  // Appends ".segment", quoting it when it is not a bare TOML key.
  KeyPath Child(std::string_view segment) const;
  // Appends "[index]".
  KeyPath Index(size_t index) const;
  const std::string& str() const { return text_; }

 private:
  std::string text_;
};

// A config error read back from its one line as ErrorContext writes it for `file`:
// "FILE:LINE: KEY: reason" or "FILE:LINE: reason". A message of neither form is all reason,
// at line 0.
struct ConfigErrorParts {
  int line = 0;
  std::string key;  // "" when the error names no key (a syntax error)
  std::string reason;
};
ConfigErrorParts SplitConfigError(std::string_view message, std::string_view file);

// Knows the file name; turns (line, key, reason) into an InvalidArgument Status.
class ErrorContext {
 public:
  explicit ErrorContext(std::string file) : file_(std::move(file)) {}

  base::Status Error(int line, const KeyPath& key, std::string_view reason) const;
  // For problems that belong to the file, not a key: "FILE:LINE: reason".
  base::Status Error(int line, std::string_view reason) const;
  const std::string& file() const { return file_; }

 private:
  std::string file_;
};

}  // namespace vigil::config
