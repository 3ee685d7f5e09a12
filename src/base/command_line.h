// SPDX-License-Identifier: MIT
// Splitting a command string into argv words with POSIX shell quoting rules, and the
// reverse for display. vigil never runs commands through a shell; this is only quoting.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace vigil::base {

// Splits `command` into words the way a POSIX shell tokenizes a simple command: words are
// separated by unquoted spaces, tabs and newlines; '...' is literal; inside "..." a
// backslash escapes only ", \, $ and ` (and removes a following newline); outside quotes a
// backslash makes the next character literal. Nothing is expanded: $VAR, globs, ~ and
// operators such as | > ; stay literal characters. Returns InvalidArgument for an
// unterminated quote, a trailing backslash, or a command with no words.
Result<std::vector<std::string>> SplitCommand(std::string_view command);

// Joins words into one string that SplitCommand turns back into the same words. Words made
// only of safe characters stay bare; others are single-quoted ("it's" -> 'it'\''s').
std::string JoinCommand(const std::vector<std::string>& words);

}  // namespace vigil::base
