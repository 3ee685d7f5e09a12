// SPDX-License-Identifier: MIT
// Helpers shared by the config module's tests: config text from lines, and a non-root user.
#pragma once

#include <gtest/gtest.h>

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

// The error ParseConfig gives for `text` read as `file`, checked to be one line of
// InvalidArgument; "<parsed fine>" when it parses.
inline std::string ParseError(const std::string& text, const char* file) {
  auto spec = ParseConfig(text, file, NonRoot());
  if (spec.has_value()) return "<parsed fine>";
  EXPECT_EQ(spec.error().code(), base::StatusCode::kInvalidArgument);
  EXPECT_EQ(spec.error().message().find('\n'), std::string::npos) << "must be one line";
  return spec.error().message();
}

// "FILE:LINE: rest", as config errors begin.
inline std::string ErrorAt(const char* file, int line, const std::string& rest) {
  return std::string(file) + ":" + std::to_string(line) + ": " + rest;
}

}  // namespace vigil::config
