// SPDX-License-Identifier: MIT
// The report as text: a title, the summary line, then one block per section.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "base/units.h"
#include "report/render.h"

namespace vigil::report {
namespace {

// More lines than this in a list are counted, not printed ("... and 12 more").
constexpr size_t kMaxListed = 20;

std::string Utc(base::WallTime t) {
  return base::FormatUtc(t, "%Y-%m-%d %H:%M");
}

std::string Value(double v, const std::string& unit) {
  if (unit == "%") return fmt::format("{:.1f}%", v);
  if (unit == "bytes") return base::FormatSize(static_cast<uint64_t>(std::max(0.0, v)));
  return fmt::format("{:.2f}", v);
}

std::string Figures(const Summary& s, const std::string& unit) {
  return fmt::format("{:>9}  {:>9}  {:>9}", Value(s.avg, unit), Value(s.p95, unit), Value(s.max, unit));
}

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  return s;
}

void Resources(const Report& r, std::string* out) {
  *out += "\nResources (average, 95th percentile, maximum)\n";
  if (r.resources.empty()) {
    *out += "  no metric history for this period (the history is kept while [health] records it)\n";
  }
  size_t width = 0;
  for (const ResourceLine& l : r.resources) width = std::max(width, l.label.size());
  for (const ResourceLine& l : r.resources) {
    *out += fmt::format("  {:<{}}  {}\n", l.label, width, Figures(l.summary, l.unit));
  }
  if (r.disks.empty()) return;
  *out += "\nFilesystems\n";
  for (const DiskLine& d : r.disks) {
    const Growth& g = d.growth;
    std::string outlook;
    if (!g.enough_data) {
      outlook = "not enough history to see a trend";
    } else if (!g.days_until_full) {
      outlook = "not growing";
    } else {
      outlook =
          fmt::format("growing {:.2f} points a day: full in about {} days", g.per_day, std::lround(*g.days_until_full));
    }
    *out += fmt::format("  {}  {:.1f}% used, {}\n", d.mount, g.used_now, outlook);
  }
}

void Incidents(const Report& r, std::string* out) {
  *out += fmt::format("\nIncidents ({})\n", r.incidents.size());
  if (r.incidents.empty()) *out += "  none\n";
  for (size_t i = 0; i < r.incidents.size() && i < kMaxListed; ++i) {
    const Incident& inc = r.incidents[i];
    const std::string lasted = inc.end ? "lasted " + base::FormatDuration(inc.duration)
                                       : "still open after " + base::FormatDuration(inc.duration);
    *out += fmt::format("  {}  {}  {} {}, {}: {}\n", Utc(inc.start), Upper(inc.severity), inc.category, inc.subject,
                        lasted, inc.text);
  }
  if (r.incidents.size() > kMaxListed) *out += fmt::format("  ... and {} more\n", r.incidents.size() - kMaxListed);
}

void Actions(const Report& r, std::string* out) {
  *out += fmt::format("\nSelf-healing actions ({})\n", r.actions.size());
  if (r.actions.empty()) *out += "  none\n";
  for (size_t i = 0; i < r.actions.size() && i < kMaxListed; ++i) {
    const ActionLine& a = r.actions[i];
    *out += fmt::format("  {}  {}: {}\n", Utc(a.time), a.subject, a.text);
  }
  if (r.actions.size() > kMaxListed) *out += fmt::format("  ... and {} more\n", r.actions.size() - kMaxListed);
}

void Programs(const Report& r, std::string* out) {
  *out += fmt::format("\nPrograms ({})\n", r.programs.size());
  if (r.programs.empty()) *out += "  none ran\n";
  for (const ProgramLine& p : r.programs) {
    std::string line = fmt::format("  {}: ", p.name);
    line += p.processes > 0
                ? fmt::format("up {:.1f}%, {} restart{}", p.uptime_percent, p.restarts, p.restarts == 1 ? "" : "s")
                : "no process in this period";
    if (!p.exit_reasons.empty()) {
      std::vector<std::string> reasons;
      for (const auto& [why, n] : p.exit_reasons) reasons.push_back(fmt::format("{} ({}x)", why, n));
      line += fmt::format("; exits: {}", fmt::join(reasons, ", "));
    }
    if (p.cpu) line += fmt::format("; CPU avg {:.1f}%, max {:.1f}%", p.cpu->avg, p.cpu->max);
    if (p.memory) {
      line += fmt::format("; memory avg {}, max {}", Value(p.memory->avg, "bytes"), Value(p.memory->max, "bytes"));
    }
    *out += line + "\n";
  }
}

void Tasks(const Report& r, std::string* out) {
  *out += fmt::format("\nTask runs ({} task{})\n", r.tasks.size(), r.tasks.size() == 1 ? "" : "s");
  if (r.tasks.empty()) *out += "  none\n";
  for (const TaskLine& t : r.tasks) {
    std::string line = fmt::format("  {}: {} run{}, {} succeeded, {} failed", t.name, t.runs, t.runs == 1 ? "" : "s",
                                   t.succeeded, t.failed);
    if (t.running > 0) line += fmt::format(", {} running", t.running);
    if (t.freed_known) line += "; freed " + base::FormatSize(t.bytes_freed);
    if (t.updates_known) line += fmt::format("; updates: {} found, {} applied", t.updates_found, t.updates_applied);
    *out += line + "\n";
  }
  *out += fmt::format("  cleanups freed {}; updates: {} found, {} applied\n", base::FormatSize(r.bytes_freed),
                      r.updates_found, r.updates_applied);
}

}  // namespace

std::string Title(const Report& r) {
  return fmt::format("vigil report for {}, {} to {} UTC", r.host.empty() ? "this machine" : r.host, Utc(r.since),
                     Utc(r.until));
}

std::string RenderText(const Report& r) {
  std::string out = Title(r) + "\n\n" + r.summary + "\n";
  Resources(r, &out);
  Incidents(r, &out);
  Actions(r, &out);
  Programs(r, &out);
  Tasks(r, &out);
  out += "\nRecommendations\n";
  for (const std::string& s : r.recommendations) out += "  - " + s + "\n";
  return out;
}

}  // namespace vigil::report
