// SPDX-License-Identifier: MIT
// Build(): the sections of a health report from the period's history (see report.h).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "base/units.h"
#include "report/report.h"
#include "report/task_output.h"

namespace vigil::report {
namespace {

constexpr std::string_view kDiskSpace = "disk.space:";
constexpr std::string_view kDiskInodes = "disk.inodes:";
constexpr std::string_view kProgramCpu = "program.cpu:";
constexpr std::string_view kProgramMemory = "program.memory:";

bool StartsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// The machine's figures in a fixed order, then the filesystems by mount point.
int Order(const std::string& name) {
  static const char* const kFirst[] = {"system.cpu", "system.memory", "system.swap", "system.load"};
  for (size_t i = 0; i < std::size(kFirst); ++i) {
    if (name == kFirst[i]) return static_cast<int>(i);
  }
  return 100;
}

// The label and unit of a machine-wide metric; nullopt for any other (program metrics).
std::optional<std::pair<std::string, std::string>> LabelOf(const std::string& name) {
  if (name == "system.cpu") return std::pair{std::string("CPU"), std::string("%")};
  if (name == "system.memory") return std::pair{std::string("memory"), std::string("%")};
  if (name == "system.swap") return std::pair{std::string("swap"), std::string("%")};
  if (name == "system.load") return std::pair{std::string("load per CPU"), std::string()};
  if (StartsWith(name, kDiskSpace))
    return std::pair{"disk " + name.substr(kDiskSpace.size()) + " space", std::string("%")};
  if (StartsWith(name, kDiskInodes)) {
    return std::pair{"disk " + name.substr(kDiskInodes.size()) + " inodes", std::string("%")};
  }
  return std::nullopt;
}

void AddResources(const Input& in, Report* r) {
  std::vector<const MetricSeries*> series;
  for (const MetricSeries& s : in.metrics) series.push_back(&s);
  std::stable_sort(series.begin(), series.end(), [](const MetricSeries* a, const MetricSeries* b) {
    return std::pair(Order(a->name), a->name) < std::pair(Order(b->name), b->name);
  });
  for (const MetricSeries* s : series) {
    auto label = LabelOf(s->name);
    if (!label) continue;
    auto summary = Summarize(s->points);
    if (!summary) continue;
    r->resources.push_back({s->name, label->first, label->second, *summary});
    if (StartsWith(s->name, kDiskSpace)) r->disks.push_back({s->name.substr(kDiskSpace.size()), FitGrowth(s->points)});
  }
}

bool IsRaise(const Finding& f) {
  return (f.severity == "warn" || f.severity == "crit") && (f.category == "check" || f.category == "program");
}

void AddIncidents(const Input& in, Report* r) {
  std::map<int64_t, const Finding*> by_id;
  std::map<int64_t, const Finding*> ended_by;  // raise id -> the finding that ends it
  for (const Finding& f : in.findings) {
    by_id[f.id] = &f;
    if (f.raise_id > 0) ended_by.emplace(f.raise_id, &f);
  }
  for (const auto& [id, f] : by_id) {
    if (!IsRaise(*f)) continue;
    // A raise that ends an earlier raise of the period continues its incident.
    if (f->raise_id > 0) {
      auto prev = by_id.find(f->raise_id);
      if (prev != by_id.end() && IsRaise(*prev->second)) continue;
    }
    Incident inc;
    inc.id = f->id;
    inc.start = f->time;
    inc.severity = f->severity;
    inc.category = f->category;
    inc.subject = f->subject;
    inc.text = f->text;
    const Finding* last = f;
    std::set<int64_t> seen{f->id};
    for (;;) {
      auto next = ended_by.find(last->id);
      if (next == ended_by.end() || !seen.insert(next->second->id).second) break;
      last = next->second;
      if (!IsRaise(*last)) {
        inc.end = last->time;
        break;
      }
      if (last->severity == "crit") inc.severity = "crit";
    }
    inc.duration = std::chrono::duration_cast<base::Duration>(inc.end.value_or(in.until) - inc.start);
    r->incidents.push_back(std::move(inc));
  }
  std::stable_sort(r->incidents.begin(), r->incidents.end(),
                   [](const Incident& a, const Incident& b) { return a.start < b.start; });
}

void AddActions(const Input& in, Report* r) {
  for (const Finding& f : in.findings) {
    if (f.category == "action") r->actions.push_back({f.time, f.severity, f.subject, f.text});
  }
  std::stable_sort(r->actions.begin(), r->actions.end(),
                   [](const ActionLine& a, const ActionLine& b) { return a.time < b.time; });
}

void AddPrograms(const Input& in, Report* r) {
  std::map<std::string, std::vector<Lifetime>> lives;
  for (const Lifetime& l : in.lifetimes) lives[l.program].push_back(l);
  std::map<std::string, ProgramLine> lines;
  for (const auto& [name, list] : lives) {
    ProgramLine& p = lines[name];
    p.name = name;
    p.uptime_percent = UptimePercent(list, in.since, in.until);
    p.restarts = Restarts(list, in.since, in.until);
    p.processes = static_cast<int>(list.size());
    p.exit_reasons = ExitReasons(list, in.since, in.until);
  }
  for (const MetricSeries& s : in.metrics) {
    const bool cpu = StartsWith(s.name, kProgramCpu);
    if (!cpu && !StartsWith(s.name, kProgramMemory)) continue;
    const std::string name = s.name.substr(cpu ? kProgramCpu.size() : kProgramMemory.size());
    auto summary = Summarize(s.points);
    if (!summary) continue;
    ProgramLine& p = lines[name];
    p.name = name;
    (cpu ? p.cpu : p.memory) = summary;
  }
  for (auto& [name, line] : lines) r->programs.push_back(std::move(line));
}

bool Failed(const TaskRun& run) {
  return run.interrupted || run.timed_out || (run.ended && (run.exit_code != 0 || run.signal));
}

void AddTasks(const Input& in, Report* r) {
  std::map<std::string, TaskLine> lines;
  for (const TaskRun& run : in.runs) {
    TaskLine& t = lines[run.task];
    t.name = run.task;
    ++t.runs;
    if (Failed(run)) {
      ++t.failed;
    } else if (run.ended) {
      ++t.succeeded;
    } else {
      ++t.running;
    }
    if (run.action == "cleanup") {
      if (auto bytes = CleanupBytesFreed(run.output_tail)) {
        t.bytes_freed += *bytes;
        t.freed_known = true;
      }
    }
    const Updates u = UpdatesIn(run.output_tail);
    if (u.found || u.applied) t.updates_known = true;
    t.updates_found += u.found.value_or(0);
    t.updates_applied += u.applied.value_or(0);
  }
  for (auto& [name, t] : lines) {
    r->bytes_freed += t.bytes_freed;
    r->updates_found += t.updates_found;
    r->updates_applied += t.updates_applied;
    r->tasks.push_back(std::move(t));
  }
}

std::string Plural(int64_t n, std::string_view one, std::string_view many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

std::string SummaryLine(const Report& r) {
  int crit = 0, open = 0, restarts = 0, runs = 0, failed = 0;
  for (const Incident& i : r.incidents) {
    crit += i.severity == "crit";
    open += !i.end;
  }
  for (const ProgramLine& p : r.programs) restarts += p.restarts;
  for (const TaskLine& t : r.tasks) {
    runs += t.runs;
    failed += t.failed;
  }
  std::string incidents = Plural(static_cast<int64_t>(r.incidents.size()), "incident", "incidents");
  std::vector<std::string> notes;
  if (crit > 0) notes.push_back(fmt::format("{} critical", crit));
  if (open > 0) notes.push_back(fmt::format("{} still open", open));
  if (!notes.empty()) incidents += " (" + fmt::format("{}", fmt::join(notes, ", ")) + ")";
  std::string line = fmt::format(
      "{} on {}: {}, {}, {} of {}, {}",
      base::FormatDuration(std::chrono::duration_cast<base::Duration>(r.until - r.since)),
      r.host.empty() ? "this machine" : r.host, incidents,
      Plural(static_cast<int64_t>(r.actions.size()), "self-healing action", "self-healing actions"),
      Plural(restarts, "restart", "restarts"), Plural(static_cast<int64_t>(r.programs.size()), "program", "programs"),
      Plural(runs, "task run", "task runs"));
  if (failed > 0) line += fmt::format(" ({} failed)", failed);
  std::optional<std::pair<double, std::string>> soonest;
  for (const DiskLine& d : r.disks) {
    if (d.growth.days_until_full && (!soonest || *d.growth.days_until_full < soonest->first)) {
      soonest = std::pair{*d.growth.days_until_full, d.mount};
    }
  }
  if (soonest && soonest->first <= 90) {
    line += fmt::format("; disk {} full in about {} days", soonest->second, std::lround(soonest->first));
  }
  return line + ".";
}

}  // namespace

Report Build(const Input& input) {
  Report r;
  r.since = input.since;
  r.until = input.until;
  r.host = input.host;
  AddResources(input, &r);
  AddIncidents(input, &r);
  AddActions(input, &r);
  AddPrograms(input, &r);
  AddTasks(input, &r);
  r.summary = SummaryLine(r);
  r.recommendations = Recommend(r);
  return r;
}

}  // namespace vigil::report
