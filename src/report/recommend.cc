// SPDX-License-Identifier: MIT
// Recommend(): what a person should look at, in plain sentences, from a built report.
// The thresholds are here, one per rule, and in docs/health.md.
#include <fmt/format.h>

#include <cmath>
#include <map>

#include "base/units.h"
#include "report/report.h"

namespace vigil::report {
namespace {

constexpr int kManyRestarts = 3;        // a program restarted this often
constexpr double kLowUptime = 90.0;     // % of the period
constexpr double kFullSoonDays = 30.0;  // a filesystem full within this
constexpr double kNearlyFull = 95.0;    // % used, growing or not
constexpr int kOftenBad = 3;            // incidents of one check or program
constexpr double kBusy = 90.0;          // CPU and memory, 95th percentile
constexpr double kSwapped = 50.0;       // swap, maximum
constexpr double kLoaded = 1.0;         // load per CPU, 95th percentile

std::string Percent(double v) { return fmt::format("{:.1f}%", v); }

void Resources(const Report& r, std::vector<std::string>* out) {
  for (const ResourceLine& l : r.resources) {
    const Summary& s = l.summary;
    if (l.metric == "system.cpu" && s.p95 >= kBusy) {
      out->push_back(
          fmt::format("CPU was at {} or more for 5% of the time (average {}): look for the programs "
                      "that use it (vigil top) or a runaway process, or give the machine more CPU.",
                      Percent(s.p95), Percent(s.avg)));
    } else if (l.metric == "system.memory" && s.p95 >= kBusy) {
      out->push_back(
          fmt::format("Memory was {} used or more for 5% of the time (at most {}): find the program "
                      "that grows (vigil top), set a memory_limit on it, or add memory.",
                      Percent(s.p95), Percent(s.max)));
    } else if (l.metric == "system.swap" && s.max >= kSwapped) {
      out->push_back(fmt::format("Swap use reached {}: the machine was short of memory at times.", Percent(s.max)));
    } else if (l.metric == "system.load" && s.p95 >= kLoaded) {
      out->push_back(
          fmt::format("The load per CPU was {:.2f} or more for 5% of the time: more work was waiting "
                      "than the CPUs could do.",
                      s.p95));
    }
  }
}

void Disks(const Report& r, std::vector<std::string>* out) {
  for (const DiskLine& d : r.disks) {
    const Growth& g = d.growth;
    if (g.days_until_full && *g.days_until_full <= kFullSoonDays) {
      out->push_back(
          fmt::format("Disk {} will be full in about {} days at the current rate ({:.1f} points a day, "
                      "{} used now): add a cleanup task (action = \"cleanup\"), remove old data, or add "
                      "space.",
                      d.mount, std::max(1L, std::lround(*g.days_until_full)), g.per_day, Percent(g.used_now)));
    } else if (g.used_now >= kNearlyFull) {
      out->push_back(
          fmt::format("Disk {} is {} full: free some space before it fills up.", d.mount, Percent(g.used_now)));
    }
  }
}

void Programs(const Report& r, std::vector<std::string>* out) {
  for (const ProgramLine& p : r.programs) {
    if (p.restarts >= kManyRestarts) {
      std::string most = p.exit_reasons.empty() ? "" : fmt::format(" (most often: {})", p.exit_reasons.front().first);
      out->push_back(
          fmt::format("{} restarted {} times{}: look at why it exits: vigil logs {}, vigil events "
                      "--program {}.",
                      p.name, p.restarts, most, p.name, p.name));
    } else if (p.processes > 0 && p.uptime_percent < kLowUptime) {
      out->push_back(
          fmt::format("{} was up {} of the time: if it should run all the time, see vigil events "
                      "--program {}.",
                      p.name, Percent(p.uptime_percent), p.name));
    }
  }
}

void Incidents(const Report& r, std::vector<std::string>* out) {
  struct Tally {
    int count = 0;
    int crit = 0;
    base::Duration total{0};
    std::string category;
  };
  std::map<std::string, Tally> by_subject;
  for (const Incident& i : r.incidents) {
    Tally& t = by_subject[i.subject];
    ++t.count;
    t.crit += i.severity == "crit";
    t.total += i.duration;
    t.category = i.category;
    if (!i.end) {
      out->push_back(fmt::format("{} {} is still {} (since {} ago): see vigil health and vigil findings.", i.category,
                                 i.subject, i.severity == "crit" ? "critical" : "bad",
                                 base::FormatDuration(i.duration)));
    }
  }
  for (const auto& [subject, t] : by_subject) {
    if (t.count < kOftenBad) continue;
    out->push_back(
        fmt::format("{} {} was bad {} times ({} critical, {} in all): find the cause, or adjust its "
                    "levels if they are too tight.",
                    t.category, subject, t.count, t.crit, base::FormatDuration(t.total)));
  }
}

void Actions(const Report& r, std::vector<std::string>* out) {
  std::map<std::string, int> gave_up;
  for (const ActionLine& a : r.actions) {
    if (a.severity != "info") ++gave_up[a.subject];
  }
  for (const auto& [subject, n] : gave_up) {
    out->push_back(fmt::format("The actions of {} gave up {} {}: self-healing did not help, this needs a person.",
                               subject, n, n == 1 ? "time" : "times"));
  }
}

void Tasks(const Report& r, std::vector<std::string>* out) {
  for (const TaskLine& t : r.tasks) {
    if (t.failed == 0) continue;
    out->push_back(
        fmt::format("Task {} failed {} of {} runs: see vigil history {}.", t.name, t.failed, t.runs, t.name));
  }
  if (r.updates_found > r.updates_applied) {
    out->push_back(fmt::format("{} {} found but only {} applied.", r.updates_found,
                               r.updates_found == 1 ? "update was" : "updates were", r.updates_applied));
  }
}

}  // namespace

std::vector<std::string> Recommend(const Report& r) {
  std::vector<std::string> out;
  Disks(r, &out);
  Incidents(r, &out);
  Programs(r, &out);
  Actions(r, &out);
  Resources(r, &out);
  Tasks(r, &out);
  if (out.empty()) out.push_back("Nothing needs attention.");
  return out;
}

}  // namespace vigil::report
