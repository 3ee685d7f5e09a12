// SPDX-License-Identifier: MIT
// Formatting of config error messages and key paths.
#include "config/config_error.h"

namespace vigil::config {
namespace {

bool IsBareKey(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

// The message must stay one line even when it quotes a value holding a newline.
std::string OneLine(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += '?';
    } else {
      out += c;
    }
  }
  return out;
}

// The length of the key path at the start of `s` as KeyPath writes it (bare or quoted
// segments joined by '.', each with any "[N]" after it); 0 when there is none.
size_t KeyPathLength(std::string_view s) {
  size_t i = 0;
  while (true) {
    if (i < s.size() && s[i] == '"') {
      for (++i; i < s.size() && s[i] != '"'; ++i) {
        if (s[i] == '\\') ++i;
      }
      if (i >= s.size()) return 0;
      ++i;
    } else {
      const size_t start = i;
      while (i < s.size() && IsBareKey(s.substr(i, 1))) ++i;
      if (i == start) return 0;
    }
    while (i < s.size() && s[i] == '[') {
      const size_t close = s.find(']', i);
      if (close == std::string_view::npos || close == i + 1) return 0;
      for (size_t d = i + 1; d < close; ++d) {
        if (s[d] < '0' || s[d] > '9') return 0;
      }
      i = close + 1;
    }
    if (i >= s.size() || s[i] != '.') return i;
    ++i;
  }
}

}  // namespace

ConfigErrorParts SplitConfigError(std::string_view message, std::string_view file) {
  ConfigErrorParts parts;
  parts.reason = std::string(message);
  if (message.substr(0, file.size()) != file || message.substr(file.size(), 1) != ":") return parts;
  std::string_view rest = message.substr(file.size() + 1);
  int line = 0;
  size_t digits = 0;
  while (digits < rest.size() && digits < 9 && rest[digits] >= '0' && rest[digits] <= '9') {
    line = line * 10 + (rest[digits] - '0');
    ++digits;
  }
  if (digits == 0 || rest.substr(digits, 2) != ": ") return parts;
  rest.remove_prefix(digits + 2);
  parts.line = line;
  const size_t key = KeyPathLength(rest);
  if (key > 0 && rest.substr(key, 2) == ": ") {
    parts.key = std::string(rest.substr(0, key));
    rest.remove_prefix(key + 2);
  }
  parts.reason = std::string(rest);
  return parts;
}

KeyPath KeyPath::Child(std::string_view segment) const {
  KeyPath out = *this;
  if (!out.text_.empty()) out.text_ += '.';
  if (IsBareKey(segment)) {
    out.text_ += segment;
    return out;
  }
  out.text_ += '"';
  for (char c : segment) {
    if (c == '"' || c == '\\') out.text_ += '\\';
    out.text_ += c;
  }
  out.text_ += '"';
  return out;
}

KeyPath KeyPath::Index(size_t index) const {
  KeyPath out = *this;
  out.text_ += "[" + std::to_string(index) + "]";
  return out;
}

base::Status ErrorContext::Error(int line, const KeyPath& key, std::string_view reason) const {
  return base::Status::InvalidArgument(file_ + ":" + std::to_string(line) + ": " +
                                       OneLine(key.str()) + ": " + OneLine(reason));
}

base::Status ErrorContext::Error(int line, std::string_view reason) const {
  return base::Status::InvalidArgument(file_ + ":" + std::to_string(line) + ": " + OneLine(reason));
}

}  // namespace vigil::config
