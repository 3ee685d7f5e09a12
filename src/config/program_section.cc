// SPDX-License-Identifier: MIT
// Finding and replacing a program's section in the config text, by its table headers.
#include "config/program_section.h"

#include <algorithm>

#include "config/toml_lines.h"

namespace vigil::config {
namespace {

using Kind = TomlLine::Kind;

std::string Header(std::string_view name) { return "[program." + std::string(name) + "]"; }

std::string HeaderOf(const TomlLine& line) {
  std::string out = line.array ? "[[" : "[";
  for (size_t i = 0; i < line.key.size(); ++i) out += (i > 0 ? "." : "") + line.key[i];
  return out + (line.array ? "]]" : "]");
}

bool IsMainHeader(const TomlLine& line, std::string_view name) {
  return line.kind == Kind::kHeader && !line.array && line.key.size() == 2 && IsProgramKey(line.key, name);
}

}  // namespace

bool IsProgramKey(const std::vector<std::string>& key, std::string_view name) {
  return key.size() >= 2 && key[0] == "program" && key[1] == name;
}

base::Result<ProgramSection> FindProgramSection(std::string_view text, std::string_view name) {
  const std::vector<TomlLine> lines = SplitTomlLines(text);
  const size_t none = lines.size();
  size_t main = none;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (!IsMainHeader(lines[i], name)) continue;
    if (main != none) {
      return base::Status::Conflict(Header(name) + " is written twice (lines " + std::to_string(main + 1) + " and " +
                                    std::to_string(i + 1) + ")");
    }
    main = i;
  }
  if (main == none) {
    return base::Status::Conflict(
        "there is no " + Header(name) +
        " table header: the program is written with dotted keys or as an inline table under [program], or not "
        "at all; only [program.NAME] tables can be edited here");
  }
  size_t stop = main + 1;  // the next header of another table, or the end
  while (stop < lines.size() && !(lines[stop].kind == Kind::kHeader && !IsProgramKey(lines[stop].key, name))) ++stop;
  for (size_t i = 0; i < lines.size(); ++i) {
    if ((i < main || i >= stop) && lines[i].kind == Kind::kHeader && IsProgramKey(lines[i].key, name)) {
      return base::Status::Conflict(HeaderOf(lines[i]) + " (line " + std::to_string(i + 1) + ") stands apart from " +
                                    Header(name) + " (line " + std::to_string(main + 1) +
                                    "); move it next to it to edit the program here");
    }
  }
  // The comment lines directly above the next header describe that table, not this one.
  size_t last = stop;
  if (stop < lines.size()) {
    while (last > main + 1 && lines[last - 1].kind == Kind::kComment) --last;
  }
  while (last > main + 1 && lines[last - 1].kind == Kind::kBlank) --last;
  size_t first = main;
  while (first > 0 && lines[first - 1].kind == Kind::kComment) --first;

  ProgramSection at;
  at.begin = lines[first].begin;
  at.end = lines[last - 1].end;
  at.line = static_cast<int>(first) + 1;
  at.lines = static_cast<int>(last - first);
  return at;
}

std::string SpliceSection(std::string_view text, const ProgramSection& at, std::string_view section) {
  const size_t first_break = text.find('\n');
  const bool crlf = first_break != std::string_view::npos && first_break > 0 && text[first_break - 1] == '\r';
  std::string body;
  body.reserve(section.size() + section.size() / 16);
  for (size_t i = 0; i < section.size(); ++i) {
    if (section[i] == '\r' && i + 1 < section.size() && section[i + 1] == '\n') continue;
    if (section[i] == '\n' && crlf) body += '\r';
    body += section[i];
  }
  if (!body.empty() && body.back() != '\n' && at.end < text.size()) body += crlf ? "\r\n" : "\n";
  std::string out;
  out.reserve(at.begin + body.size() + (text.size() - at.end));
  out.append(text.substr(0, at.begin));
  out.append(body);
  out.append(text.substr(at.end));
  return out;
}

int CountLines(std::string_view text) {
  const auto breaks = std::count(text.begin(), text.end(), '\n');
  return static_cast<int>(breaks) + (!text.empty() && text.back() != '\n' ? 1 : 0);
}

}  // namespace vigil::config
