// SPDX-License-Identifier: MIT
// The status file's JSON and the STATUS= summary line.
#include "daemon/status_report.h"

#include <time.h>

#include <array>
#include <string_view>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace vigil::daemon {
namespace {

std::string IsoUtc(int64_t unix_ms) {
  const time_t secs = static_cast<time_t>(unix_ms / 1000);
  tm utc{};
  ::gmtime_r(&secs, &utc);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday,
                     utc.tm_hour, utc.tm_min, utc.tm_sec);
}

tm LocalTime(int64_t unix_ms) {
  const time_t secs = static_cast<time_t>(unix_ms / 1000);
  tm local{};
  ::localtime_r(&secs, &local);
  return local;
}

}  // namespace

std::string RenderStatusJson(const StatusSnapshot& s) {
  nlohmann::ordered_json programs = nlohmann::ordered_json::array();
  for (const api::ProgramInfo& p : s.programs) {
    nlohmann::ordered_json entry = {
        {"name", p.name},
        {"state", p.state},
        {"want", p.want},
        {"pid", p.pid},
        {"restarts", p.restarts},
        {"reason", p.reason},
        {"last_exit", p.last_exit},
        {"state_since_ms", p.state_since_ms},
    };
    // Uptime as of written_at; started_at_ms lets a reader compute it for any later time.
    if (p.uptime_ms >= 0) {
      entry["uptime_ms"] = p.uptime_ms;
      entry["started_at_ms"] = s.written_at_ms - p.uptime_ms;
    } else {
      entry["uptime_ms"] = nullptr;
      entry["started_at_ms"] = nullptr;
    }
    programs.push_back(std::move(entry));
  }
  nlohmann::ordered_json doc = {
      {"format", "vigil-status"},
      {"format_version", kStatusFormatVersion},
      {"written_at", IsoUtc(s.written_at_ms)},
      {"written_at_ms", s.written_at_ms},
      {"vigild",
       {{"pid", s.pid},
        {"version", s.version},
        {"state", s.state},
        {"started_at", IsoUtc(s.started_at_ms)},
        {"started_at_ms", s.started_at_ms},
        {"config", s.config_path},
        {"socket", s.socket}}},
      {"programs", std::move(programs)},
  };
  if (s.next_task) {
    doc["next_task"] = {{"name", s.next_task->name}, {"at", IsoUtc(s.next_task->at_ms)}, {"at_ms", s.next_task->at_ms}};
  } else {
    doc["next_task"] = nullptr;
  }
  return doc.dump(2) + "\n";
}

std::string SummaryLine(const StatusSnapshot& s) {
  // In the order a reader cares about: what serves, what is trying, what has given up.
  static constexpr std::array<std::string_view, 7> kOrder = {"RUNNING", "STARTING", "BACKOFF", "STOPPING",
                                                            "FATAL",   "EXITED",   "STOPPED"};
  std::array<int, kOrder.size()> counts{};
  for (const api::ProgramInfo& p : s.programs) {
    for (size_t i = 0; i < kOrder.size(); ++i) {
      if (p.state == kOrder[i]) ++counts[i];
    }
  }
  std::string line;
  for (size_t i = 0; i < kOrder.size(); ++i) {
    if (counts[i] == 0) continue;
    std::string word(kOrder[i]);
    for (char& c : word) c = static_cast<char>(c - 'A' + 'a');
    line += fmt::format("{}{} {}", line.empty() ? "" : ", ", counts[i], word);
  }
  if (line.empty()) line = "no programs";
  if (s.next_task) {
    const tm at = LocalTime(s.next_task->at_ms);
    const tm now = LocalTime(s.written_at_ms);
    const bool today = at.tm_year == now.tm_year && at.tm_yday == now.tm_yday;
    line += today ? fmt::format(", next task {} at {:02}:{:02}", s.next_task->name, at.tm_hour, at.tm_min)
                  : fmt::format(", next task {} at {:04}-{:02}-{:02} {:02}:{:02}", s.next_task->name,
                                at.tm_year + 1900, at.tm_mon + 1, at.tm_mday, at.tm_hour, at.tm_min);
  }
  return line;
}

}  // namespace vigil::daemon
