// SPDX-License-Identifier: MIT
// Human-readable output of the CLI: the status table, uptimes and one-line summaries.
// Pure functions of their inputs, so they are tested without a daemon or a terminal.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cli/api_json.h"

namespace vigil::cli {

// Compact uptime with the two largest units: "45s", "3m12s", "2h5m", "3d4h".
// Negative values (the API's "no process") give "-".
std::string FormatUptime(int64_t uptime_ms);

// Pads each cell but the last to its column's widest cell, with two spaces between
// columns; one line per row, without '\n' or trailing blanks. Widths count bytes.
std::vector<std::string> AlignColumns(const std::vector<std::vector<std::string>>& rows);

// The REASON column: the program's reason, plus its last exit when that adds something
// (the process is not up and the reason does not already say how it exited).
std::string ReasonText(const ProgramView& program);

// The aligned table NAME STATE PID UPTIME RESTARTS REASON, one line per program, each
// ending in '\n', no trailing blanks. With `color`, STATE is wrapped in ANSI colors
// (columns stay aligned on the visible text).
std::string FormatStatusTable(const std::vector<ProgramView>& programs, bool color);

// "web: RUNNING (pid 1234)", "web: STOPPED", "web: FATAL (exited too quickly)": the pid
// when a process runs, else the reason for a failed state (FATAL, BACKOFF, EXITED).
std::string FormatProgramLine(const ProgramView& program);

// What one reload did to programs or to tasks.
struct ReloadChanges {
  std::vector<std::string> added, removed, changed, unchanged;
};

// The reply of POST /v1/reload in words: one line per non-empty list of added, removed
// and changed programs, then the same for tasks ("tasks changed: backup"), then
// "N unchanged" counting both; "no changes (N unchanged)" when nothing was added, removed
// or changed.
std::string FormatReloadSummary(const ReloadChanges& programs, const ReloadChanges& tasks = {});

}  // namespace vigil::cli
