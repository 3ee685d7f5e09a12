// SPDX-License-Identifier: MIT
// POSIX-style word splitting without expansion, and quoting for display.
#include "base/command_line.h"

namespace vigil::base {
namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\n'; }

// Characters that never need quoting in any POSIX shell (the set Python's shlex.quote
// leaves bare).
bool IsSafe(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '@' || c == '%' || c == '+' || c == '=' || c == ':' || c == ',' || c == '.' ||
         c == '/' || c == '-';
}

}  // namespace

Result<std::vector<std::string>> SplitCommand(std::string_view command) {
  std::vector<std::string> words;
  std::string word;
  // A word exists once any of its characters (even an empty pair of quotes) was seen, so
  // '' yields an empty argument the way the shell does.
  bool in_word = false;
  size_t i = 0;
  while (i < command.size()) {
    const char c = command[i];
    if (IsBlank(c)) {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
      ++i;
      continue;
    }
    if (c == '\\') {
      if (i + 1 == command.size()) {
        return Status::InvalidArgument("trailing backslash in command: nothing left to escape");
      }
      // sh(1): backslash-newline is a line continuation and disappears.
      if (command[i + 1] != '\n') {
        word += command[i + 1];
        in_word = true;
      }
      i += 2;
      continue;
    }
    if (c == '\'') {
      const size_t close = command.find('\'', i + 1);
      if (close == std::string_view::npos) {
        return Status::InvalidArgument(
            "unterminated single quote in command (opened at character " + std::to_string(i + 1) +
            ")");
      }
      word.append(command.substr(i + 1, close - i - 1));
      in_word = true;
      i = close + 1;
      continue;
    }
    if (c == '"') {
      const size_t open = i;
      ++i;
      bool closed = false;
      while (i < command.size()) {
        const char d = command[i];
        if (d == '"') {
          closed = true;
          ++i;
          break;
        }
        if (d == '\\' && i + 1 < command.size()) {
          const char e = command[i + 1];
          if (e == '"' || e == '\\' || e == '$' || e == '`') {
            word += e;
            i += 2;
            continue;
          }
          if (e == '\n') {
            i += 2;
            continue;
          }
        }
        // Any other backslash inside double quotes is literal, as in sh.
        word += d;
        ++i;
      }
      if (!closed) {
        return Status::InvalidArgument(
            "unterminated double quote in command (opened at character " +
            std::to_string(open + 1) + ")");
      }
      in_word = true;
      continue;
    }
    word += c;
    in_word = true;
    ++i;
  }
  if (in_word) words.push_back(std::move(word));
  if (words.empty()) return Status::InvalidArgument("empty command");
  return words;
}

std::string JoinCommand(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& w : words) {
    if (!out.empty()) out += ' ';
    bool safe = !w.empty();
    for (char c : w) safe = safe && IsSafe(c);
    if (safe) {
      out += w;
      continue;
    }
    out += '\'';
    for (char c : w) {
      if (c == '\'') {
        out += "'\\''";
      } else {
        out += c;
      }
    }
    out += '\'';
  }
  return out;
}

}  // namespace vigil::base
