// SPDX-License-Identifier: MIT
// Human-readable output of the task and history commands: local times, relative times,
// the tasks and history tables and event lines. Pure functions of their inputs (and of the
// process's time zone, TZ), so they are tested without a daemon.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cli/api_json.h"

namespace vigil::cli {

// "2026-11-23 03:00": a unix time in ms, in the local time zone, to the minute.
std::string FormatLocalMinute(int64_t unix_ms);

// "2026-11-22 21:45:03": the same to the second.
std::string FormatLocalSecond(int64_t unix_ms);

// How far `then_ms` is from `now_ms`: "in 4h12m", "5m ago", "now" (under a second). One
// unit below an hour ("45s", "5m"), then hours and minutes ("4h12m", "4h"), then days and
// hours ("2d3h", "2d"); truncated, never rounded up.
std::string FormatRelative(int64_t then_ms, int64_t now_ms);

// A run's length: "0.3s", "1.2s", "59.9s" below a minute (tenths, truncated), then as
// FormatUptime ("3m12s", "2h5m").
std::string FormatRunDuration(int64_t duration_ms);

// The table NAME SCHEDULE NEXT LAST RESULT, each line ending in '\n'. NEXT and LAST are
// "2026-11-23 03:00 (in 4h12m)" or "-"; NEXT is "disabled" for a disabled task; RESULT
// is "running" while a run goes, else the last result or "-".
std::string FormatTasksTable(const std::vector<TaskView>& tasks, int64_t now_ms);

// The table ID TASK TRIGGER STARTED DURATION RESULT in the order given, each run followed
// by the last (at most 3) lines of its output, indented; long lines are shortened and
// control characters blanked so one run's output cannot scramble the terminal.
std::string FormatHistory(const std::vector<RunView>& runs);

// One line per event, oldest first, for events given newest first (the API's order):
// "2026-11-22 21:45:03  web  state  STARTING -> RUNNING: pid 123 up for 1s", with the
// subject and type columns aligned.
std::string FormatEvents(const std::vector<EventView>& newest_first);

// "backup: run 12 exit 0 (manual, 1.2s)": the last line of `vigil run TASK --wait`.
std::string FormatRunSummary(const RunView& run);

// True if the run exited with status 0 (not timed out, killed or interrupted).
bool RunSucceeded(const RunView& run);

}  // namespace vigil::cli
