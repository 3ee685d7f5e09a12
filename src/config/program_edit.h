// SPDX-License-Identifier: MIT
// An edit of one program's section of the config file, checked as `vigil check` checks a
// file: the config editor's validate and save (docs/api.md).
// Thread rule: pure functions, apart from the user and group look-ups of ParseConfig.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "config/program_section.h"

namespace vigil::config {

// One problem of an edit.
struct EditProblem {
  // 1-based: a line of the submitted section; with `outside`, a line of the config file as
  // it is now (the problem is in another part of it). 0 when the problem has no line.
  int line = 0;
  bool outside = false;
  std::string key;  // the key path it is about ("program.web.command"); "" when none
  std::string message;
};

struct ProgramEdit {
  std::string text;                   // the whole file with the section replaced
  std::vector<EditProblem> problems;  // empty when the edit is valid
};

// Makes the new file: `file_text` (the config file `file`, an absolute path, as read) with
// program `name`'s section `at` replaced by `section` (SpliceSection), and checks it. In
// order, stopping at the first step that finds problems:
//  1. `section` is program `name`'s and nothing else: its first header is [program.NAME],
//     no key comes before it, and every other header is [program.NAME.*] (no rename, no
//     other table). Every such problem is listed.
//  2. `section` on its own is TOML.
//  3. the new file is at most kMaxConfigBytes.
//  4. ParseConfig, the parser of LoadConfig (vigil check, reload), accepts the new file; it
//     reports the first problem it finds.
ProgramEdit EditProgramSection(std::string_view file_text, const ProgramSection& at, std::string_view name,
                               std::string_view section, const std::filesystem::path& file);

}  // namespace vigil::config
