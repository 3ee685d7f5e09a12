// SPDX-License-Identifier: MIT
// Formatting of status tables, uptimes and action summaries for humans.
#include "cli/format.h"

#include <algorithm>
#include <array>
#include <string_view>

namespace vigil::cli {
namespace {

constexpr std::string_view kColumnGap = "  ";

// Colors follow the usual reading: green is fine, yellow is in transition, red needs a look.
std::string_view StateColor(std::string_view state) {
  if (state == "RUNNING") return "\033[32m";
  if (state == "STARTING" || state == "STOPPING") return "\033[33m";
  if (state == "BACKOFF" || state == "FATAL" || state == "EXITED") return "\033[31m";
  return {};
}

bool IsUp(std::string_view state) { return state == "RUNNING" || state == "STARTING"; }

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out += ", ";
    out += item;
  }
  return out;
}

}  // namespace

std::string FormatUptime(int64_t uptime_ms) {
  if (uptime_ms < 0) return "-";
  int64_t s = uptime_ms / 1000;
  if (s < 60) return std::to_string(s) + "s";
  if (s < 3600) return std::to_string(s / 60) + "m" + std::to_string(s % 60) + "s";
  if (s < 86400) return std::to_string(s / 3600) + "h" + std::to_string(s % 3600 / 60) + "m";
  return std::to_string(s / 86400) + "d" + std::to_string(s % 86400 / 3600) + "h";
}

std::vector<std::string> AlignColumns(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width;
  for (const auto& row : rows) {
    if (width.size() < row.size()) width.resize(row.size(), 0);
    for (size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
  }
  std::vector<std::string> lines;
  lines.reserve(rows.size());
  for (const auto& row : rows) {
    std::string line;
    for (size_t c = 0; c < row.size(); ++c) {
      line += row[c];
      if (c + 1 < row.size()) line.append(width[c] - row[c].size(), ' ').append(kColumnGap);
    }
    // Empty trailing cells would otherwise leave the padding of the ones before them.
    line.erase(line.find_last_not_of(' ') + 1);
    lines.push_back(std::move(line));
  }
  return lines;
}

std::string ReasonText(const ProgramView& program) {
  std::string text = program.reason;
  // What the program says of itself (STATUS=) comes first: it is the freshest news.
  if (!program.status.empty()) text = "\"" + program.status + "\"" + (text.empty() ? "" : "; " + text);
  // A running process's previous exit is history; for a stopped or failing program it is
  // often the one fact that explains the state.
  if (program.last_exit.empty() || IsUp(program.state)) return text;
  if (text.find(program.last_exit) != std::string::npos) return text;
  if (!text.empty()) text += "; ";
  text += "last exit: " + program.last_exit;
  return text;
}

std::string FormatStatusTable(const std::vector<ProgramView>& programs, bool color) {
  constexpr size_t kColumns = 6;
  using Row = std::array<std::string, kColumns>;
  std::vector<Row> rows;
  rows.reserve(programs.size() + 1);
  rows.push_back({"NAME", "STATE", "PID", "UPTIME", "RESTARTS", "REASON"});
  for (const ProgramView& p : programs) {
    rows.push_back({p.name, p.state, p.pid > 0 ? std::to_string(p.pid) : "-",
                    FormatUptime(p.uptime_ms), std::to_string(p.restarts), ReasonText(p)});
  }

  std::array<size_t, kColumns> width{};
  for (const Row& row : rows) {
    for (size_t c = 0; c < kColumns; ++c) width[c] = std::max(width[c], row[c].size());
  }

  std::string out;
  for (size_t r = 0; r < rows.size(); ++r) {
    std::string line;
    for (size_t c = 0; c < kColumns; ++c) {
      const std::string& cell = rows[r][c];
      std::string_view paint = (color && r > 0 && c == 1) ? StateColor(cell) : "";
      if (!paint.empty()) {
        line += paint;
        line += cell;
        line += "\033[0m";
      } else {
        line += cell;
      }
      if (c + 1 < kColumns) line.append(width[c] - cell.size(), ' ').append(kColumnGap);
    }
    // An empty last column would otherwise leave the padding of the one before it.
    line.erase(line.find_last_not_of(' ') + 1);
    out += line;
    out += '\n';
  }
  return out;
}

std::string FormatProgramLine(const ProgramView& program) {
  std::string line = program.name + ": " + program.state;
  if (program.pid > 0) {
    line += " (pid " + std::to_string(program.pid) + ")";
    return line;
  }
  // After `vigil stop`, "STOPPED" says it all; the reason matters when the action failed.
  bool failed = program.state == "FATAL" || program.state == "BACKOFF" || program.state == "EXITED";
  if (std::string reason = ReasonText(program); failed && !reason.empty()) {
    line += " (" + reason + ")";
  }
  return line;
}

std::string FormatReloadSummary(const ReloadChanges& programs, const ReloadChanges& tasks) {
  std::string out;
  for (const auto& [prefix, c] : {std::pair{"", &programs}, std::pair{"tasks ", &tasks}}) {
    if (!c->added.empty()) out += std::string(prefix) + "added: " + Join(c->added) + "\n";
    if (!c->removed.empty()) out += std::string(prefix) + "removed: " + Join(c->removed) + "\n";
    if (!c->changed.empty()) out += std::string(prefix) + "changed: " + Join(c->changed) + "\n";
  }
  std::string unchanged =
      std::to_string(programs.unchanged.size() + tasks.unchanged.size()) + " unchanged";
  if (out.empty()) return "no changes (" + unchanged + ")\n";
  return out + unchanged + "\n";
}

}  // namespace vigil::cli
