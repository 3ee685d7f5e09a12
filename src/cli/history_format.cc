// SPDX-License-Identifier: MIT
// Formatting of tasks, runs and events for humans.
#include "cli/history_format.h"

#include <time.h>

#include <algorithm>
#include <string_view>

#include "cli/format.h"

namespace vigil::cli {
namespace {

constexpr size_t kOutputLinesShown = 3;
constexpr size_t kMaxOutputLineBytes = 160;
constexpr std::string_view kOutputIndent = "    ";

// localtime_r(3) honours TZ like date(1) does, which is what someone reading times expects.
std::string FormatLocal(int64_t unix_ms, const char* format) {
  // Floor, so an instant before 1970 does not round towards it.
  time_t seconds = static_cast<time_t>(unix_ms >= 0 ? unix_ms / 1000 : (unix_ms - 999) / 1000);
  struct tm local {};
  if (localtime_r(&seconds, &local) == nullptr) return "?";
  char text[64];
  size_t n = strftime(text, sizeof(text), format, &local);
  return n == 0 ? "?" : std::string(text, n);
}

std::string LocalAndRelative(int64_t unix_ms, int64_t now_ms) {
  return FormatLocalMinute(unix_ms) + " (" + FormatRelative(unix_ms, now_ms) + ")";
}

// Control characters (tabs, carriage returns, escape sequences) become spaces: program
// output must not move the cursor or recolor the terminal under a table.
std::string Printable(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) c = ' ';
  }
  return out;
}

// Cuts `line` to `max` bytes plus "...", never inside a UTF-8 sequence.
std::string Shorten(std::string line, size_t max) {
  if (line.size() <= max) return line;
  size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;
  line.resize(cut);
  return line + "...";
}

// The last `n` non-blank lines of `text`.
std::vector<std::string> LastLines(std::string_view text, size_t n) {
  std::vector<std::string> lines;
  size_t end = text.size();
  while (end > 0 && lines.size() < n) {
    size_t start = text.rfind('\n', end - 1);
    start = start == std::string_view::npos ? 0 : start + 1;
    std::string line = Printable(text.substr(start, end - start));
    line.erase(line.find_last_not_of(' ') + 1);
    if (!line.empty()) lines.push_back(Shorten(std::move(line), kMaxOutputLineBytes));
    end = start == 0 ? 0 : start - 1;
  }
  std::reverse(lines.begin(), lines.end());
  return lines;
}

}  // namespace

std::string FormatLocalMinute(int64_t unix_ms) { return FormatLocal(unix_ms, "%Y-%m-%d %H:%M"); }

std::string FormatLocalSecond(int64_t unix_ms) {
  return FormatLocal(unix_ms, "%Y-%m-%d %H:%M:%S");
}

std::string FormatRelative(int64_t then_ms, int64_t now_ms) {
  int64_t delta = then_ms - now_ms;
  int64_t s = (delta < 0 ? -delta : delta) / 1000;
  if (s == 0) return "now";
  std::string span;
  if (s < 60) {
    span = std::to_string(s) + "s";
  } else if (s < 3600) {
    span = std::to_string(s / 60) + "m";
  } else if (s < 86400) {
    span = std::to_string(s / 3600) + "h";
    if (s % 3600 / 60 != 0) span += std::to_string(s % 3600 / 60) + "m";
  } else {
    span = std::to_string(s / 86400) + "d";
    if (s % 86400 / 3600 != 0) span += std::to_string(s % 86400 / 3600) + "h";
  }
  return delta > 0 ? "in " + span : span + " ago";
}

std::string FormatRunDuration(int64_t duration_ms) {
  if (duration_ms < 0) return "-";
  if (duration_ms < 60'000) {
    return std::to_string(duration_ms / 1000) + "." + std::to_string(duration_ms % 1000 / 100) +
           "s";
  }
  return FormatUptime(duration_ms);
}

// "schedule", or "schedule, waited 2h5m" for a run that waited for an idle machine.
static std::string TriggerAndWait(const RunView& run) {
  if (run.deferred_ms <= 0) return run.trigger;
  return run.trigger + ", waited " + FormatRunDuration(run.deferred_ms);
}

std::string FormatTasksTable(const std::vector<TaskView>& tasks, int64_t now_ms) {
  std::vector<std::vector<std::string>> rows;
  rows.reserve(tasks.size() + 1);
  rows.push_back({"NAME", "SCHEDULE", "NEXT", "LAST", "RESULT"});
  for (const TaskView& t : tasks) {
    std::string schedule = t.schedule;
    if (!t.timezone.empty()) schedule += " (" + t.timezone + ")";
    std::string next = !t.enabled             ? "disabled"
                       : t.next_run_ms < 0    ? "-"
                                              : LocalAndRelative(t.next_run_ms, now_ms);
    std::string last = t.last_run_ms < 0 ? "-" : LocalAndRelative(t.last_run_ms, now_ms);
    std::string result = t.running               ? "running"
                         : t.last_result.empty() ? "-"
                                                 : t.last_result;
    if (t.waiting_since_ms >= 0) {
      std::string wait =
          "waiting for idle (" + FormatRunDuration(std::max<int64_t>(now_ms - t.waiting_since_ms, 0)) + ")";
      result = result == "-" ? wait : result + ", " + wait;
    }
    rows.push_back({t.name, std::move(schedule), std::move(next), std::move(last),
                    std::move(result)});
  }
  std::string out;
  for (const std::string& line : AlignColumns(rows)) out += line + "\n";
  return out;
}

std::string FormatHistory(const std::vector<RunView>& runs) {
  std::vector<std::vector<std::string>> rows;
  rows.reserve(runs.size() + 1);
  rows.push_back({"ID", "TASK", "TRIGGER", "STARTED", "DURATION", "RESULT"});
  for (const RunView& r : runs) {
    int64_t duration = r.ended_ms < 0 ? -1 : r.ended_ms - r.started_ms;
    rows.push_back({std::to_string(r.id), r.task, TriggerAndWait(r), FormatLocalSecond(r.started_ms),
                    FormatRunDuration(duration), r.result.empty() ? "-" : r.result});
  }
  std::vector<std::string> lines = AlignColumns(rows);
  std::string out = lines[0] + "\n";
  for (size_t i = 0; i < runs.size(); ++i) {
    out += lines[i + 1] + "\n";
    for (const std::string& output : LastLines(runs[i].output_tail, kOutputLinesShown)) {
      out += std::string(kOutputIndent) + output + "\n";
    }
  }
  return out;
}

std::string FormatEvents(const std::vector<EventView>& newest_first) {
  std::vector<std::vector<std::string>> rows;
  rows.reserve(newest_first.size());
  for (auto it = newest_first.rbegin(); it != newest_first.rend(); ++it) {
    rows.push_back({FormatLocalSecond(it->time_ms), Printable(it->subject), Printable(it->type),
                    Printable(it->message)});
  }
  std::string out;
  for (const std::string& line : AlignColumns(rows)) out += line + "\n";
  return out;
}

std::string FormatRunSummary(const RunView& run) {
  std::string line = run.task + ": run " + std::to_string(run.id) + " " +
                     (run.result.empty() ? "ended" : run.result) + " (" + TriggerAndWait(run);
  if (run.ended_ms >= 0) line += ", " + FormatRunDuration(run.ended_ms - run.started_ms);
  return line + ")";
}

bool RunSucceeded(const RunView& run) {
  return run.exit_code == 0 && run.signal == 0 && !run.timed_out && !run.interrupted;
}

}  // namespace vigil::cli
