// SPDX-License-Identifier: MIT
// A program's section of a config file as text: where [program.NAME] and its sub-tables
// are written, and the file with that text replaced (the config editor, docs/api.md).
// Thread rule: pure functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace vigil::config {

// Where a program's section is in a text: bytes [begin, end), lines [line, line + lines).
struct ProgramSection {
  size_t begin = 0;
  size_t end = 0;
  int line = 0;  // 1-based
  int lines = 0;
};

// Whether a header's key belongs to program `name`: [program.NAME] or [program.NAME.*].
bool IsProgramKey(const std::vector<std::string>& key, std::string_view name);

// Program `name`'s section of `text`: the comment lines directly above its [program.NAME]
// header (no blank line between), the header, and every line after it up to the next
// header that is not [program.NAME.*], less the comment lines directly above that header
// (they describe it) and the blank lines at its end. The last section of a text keeps its
// trailing comments.
// Conflict when the section cannot be edited as one block: there is no [program.NAME]
// header (the program is written with dotted keys or as an inline table under [program],
// or the text does not define it at all), there are two, or a [program.NAME.*] header
// stands apart from it.
base::Result<ProgramSection> FindProgramSection(std::string_view text, std::string_view name);

// `text` with the bytes of `at` replaced by `section`. `section`'s line breaks are made
// the text's (CRLF when the text's first line ends with one), and one is added at its end
// when it has none and the text goes on after it.
std::string SpliceSection(std::string_view text, const ProgramSection& at, std::string_view section);

// The number of lines of `text` as SplitTomlLines counts them.
int CountLines(std::string_view text);

}  // namespace vigil::config
