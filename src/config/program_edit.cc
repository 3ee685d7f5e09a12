// SPDX-License-Identifier: MIT
// Checking an edited program section: its shape, its syntax on its own, then the whole file
// through the loader, with each problem's line taken back to the text the user sees.
#include "config/program_edit.h"

#include "base/units.h"
#include "config/config_error.h"
#include "config/load.h"
#include "config/toml_lines.h"
#include "config/toml_reader.h"

namespace vigil::config {
namespace {

using Kind = TomlLine::Kind;

std::string Header(std::string_view name) { return "[program." + std::string(name) + "]"; }

// Step 1: the headers of `section` are [program.NAME] first, then [program.NAME.*] only.
std::vector<EditProblem> CheckShape(std::string_view section, std::string_view name) {
  std::vector<EditProblem> problems;
  auto problem = [&](int line, std::string message) {
    problems.push_back(EditProblem{line, false, "", std::move(message)});
  };
  const std::vector<TomlLine> lines = SplitTomlLines(section);
  bool started = false;
  for (size_t i = 0; i < lines.size(); ++i) {
    const TomlLine& line = lines[i];
    const int number = static_cast<int>(i) + 1;
    if (line.kind == Kind::kOther && !started) {
      problem(number, "keys must come after the " + Header(name) + " header");
      break;  // every line after it would say the same
    }
    // A header that is not valid TOML is step 2's to report.
    if (line.kind != Kind::kHeader || line.key.empty()) continue;
    const bool main = !line.array && line.key.size() == 2 && IsProgramKey(line.key, name);
    if (!started) {
      if (main) {
        started = true;
      } else {
        problem(number, "the text must start with the " + Header(name) + " header");
        break;
      }
    } else if (!IsProgramKey(line.key, name)) {
      std::string shown;
      for (const std::string& segment : line.key) shown += (shown.empty() ? "" : ".") + segment;
      problem(number, "[" + shown + "] is not part of program " + std::string(name) + ": this text may define " +
                          Header(name) + " and its sub-tables only (no rename, no other tables)");
    }
  }
  if (!started && problems.empty()) problem(1, "the text must define " + Header(name) + ": it has no such header");
  return problems;
}

// A config error at a line of the new file, as a line of what the user sees.
EditProblem MapProblem(const ConfigErrorParts& error, const ProgramSection& at, int section_lines) {
  EditProblem p{error.line, true, error.key, error.reason};
  if (error.line == 0) {
    p.outside = false;
  } else if (error.line >= at.line && error.line < at.line + section_lines) {
    p.line = error.line - at.line + 1;
    p.outside = false;
  } else if (error.line >= at.line + section_lines) {
    p.line = error.line - section_lines + at.lines;  // the same line in the file as it is
  }
  return p;
}

}  // namespace

ProgramEdit EditProgramSection(std::string_view file_text, const ProgramSection& at, std::string_view name,
                               std::string_view section, const std::filesystem::path& file) {
  ProgramEdit edit;
  edit.problems = CheckShape(section, name);
  if (!edit.problems.empty()) return edit;

  const ErrorContext errors(file.string());
  if (auto alone = ParseTomlText(section, errors); !alone) {
    const ConfigErrorParts error = SplitConfigError(alone.error().message(), file.string());
    edit.problems.push_back(EditProblem{error.line, false, error.key, error.reason});
    return edit;
  }

  edit.text = SpliceSection(file_text, at, section);
  if (edit.text.size() > kMaxConfigBytes) {
    edit.problems.push_back(EditProblem{0, false, "",
                                        "the config file would be " + base::FormatSize(edit.text.size()) +
                                            ", larger than the " + base::FormatSize(kMaxConfigBytes) +
                                            " a config may be"});
    return edit;
  }
  auto spec = ParseConfig(edit.text, file);
  if (!spec) {
    edit.problems.push_back(
        MapProblem(SplitConfigError(spec.error().message(), file.string()), at, CountLines(section)));
  }
  return edit;
}

}  // namespace vigil::config
