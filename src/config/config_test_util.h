// SPDX-License-Identifier: MIT
// Helpers shared by the config module's tests: config text from lines, and a non-root user.
#pragma once

#include <initializer_list>
#include <string>

#include "config/load.h"

namespace vigil::config {

// "a\nb\n" from {"a", "b"}: a config written line by line, so tests can name line numbers.
inline std::string Lines(std::initializer_list<std::string> lines) {
  std::string out;
  for (const std::string& line : lines) out += line + "\n";
  return out;
}

// A normal user, for defaults that differ from root's.
inline UserContext NonRoot() {
  UserContext user;
  user.uid = 1000;
  user.home = "/home/ann";
  return user;
}

}  // namespace vigil::config
