// SPDX-License-Identifier: MIT
// The lines of a TOML text told apart as blank, comment, table header or other, without
// reading the values: what the config editor needs to find a program's section in the text
// as written (comments and all), which toml++'s tree does not keep.
// Thread rule: pure functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::config {

struct TomlLine {
  enum class Kind { kBlank, kComment, kHeader, kOther };
  Kind kind = Kind::kOther;
  size_t begin = 0;  // the offset of the line's first byte in the text
  size_t end = 0;    // one past its line break ("\n" or "\r\n"), or the end of the text
  // kHeader: the header's dotted key with its quotes removed ([program."my.app".environment]
  // is {"program", "my.app", "environment"}), and whether it is an [[array]] header. A line
  // that starts like a header but is not a valid one has no key: it is still a header, of
  // no table the editor knows.
  std::vector<std::string> key;
  bool array = false;
};

// The lines of `text`, in order, one for each line break and one for the text after the
// last line break, if any. A line that starts inside a multi-line string or inside an
// array is kOther, whatever it looks like, so only real table headers are kHeader.
std::vector<TomlLine> SplitTomlLines(std::string_view text);

}  // namespace vigil::config
