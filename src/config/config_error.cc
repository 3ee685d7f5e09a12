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

}  // namespace

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
