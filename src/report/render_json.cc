// SPDX-License-Identifier: MIT
// The report as one JSON object (docs/api.md#health-report). nlohmann does not throw on
// building or dumping these values (error_handler::replace for bytes that are not UTF-8).
#include <nlohmann/json.hpp>

#include "report/render.h"

namespace vigil::report {
namespace {

using nlohmann::json;

json Time(base::WallTime t) { return base::UnixMs(t); }

json SummaryJson(const Summary& s) {
  return json{{"avg", s.avg}, {"p95", s.p95}, {"max", s.max}, {"samples", s.samples}};
}

json Optional(const std::optional<Summary>& s) { return s ? SummaryJson(*s) : json(nullptr); }

}  // namespace

std::string RenderJson(const Report& r) {
  json resources = json::array();
  for (const ResourceLine& l : r.resources) {
    json j = SummaryJson(l.summary);
    j["metric"] = l.metric;
    j["label"] = l.label;
    j["unit"] = l.unit;
    resources.push_back(std::move(j));
  }
  json disks = json::array();
  for (const DiskLine& d : r.disks) {
    disks.push_back({{"mount", d.mount},
                     {"used_percent", d.growth.used_now},
                     {"growth_per_day", d.growth.per_day},
                     {"enough_data", d.growth.enough_data},
                     {"days_until_full", d.growth.days_until_full ? json(*d.growth.days_until_full) : json(nullptr)}});
  }
  json incidents = json::array();
  for (const Incident& i : r.incidents) {
    incidents.push_back({{"id", i.id},
                         {"start_ms", Time(i.start)},
                         {"end_ms", i.end ? Time(*i.end) : json(nullptr)},
                         {"duration_ms", i.duration.count()},
                         {"severity", i.severity},
                         {"category", i.category},
                         {"subject", i.subject},
                         {"text", i.text}});
  }
  json actions = json::array();
  for (const ActionLine& a : r.actions) {
    actions.push_back({{"time_ms", Time(a.time)}, {"severity", a.severity}, {"subject", a.subject}, {"text", a.text}});
  }
  json programs = json::array();
  for (const ProgramLine& p : r.programs) {
    json reasons = json::array();
    for (const auto& [why, n] : p.exit_reasons) reasons.push_back({{"exit", why}, {"count", n}});
    programs.push_back({{"name", p.name},
                        {"uptime_percent", p.uptime_percent},
                        {"restarts", p.restarts},
                        {"processes", p.processes},
                        {"exit_reasons", std::move(reasons)},
                        {"cpu_percent", Optional(p.cpu)},
                        {"memory_bytes", Optional(p.memory)}});
  }
  json tasks = json::array();
  for (const TaskLine& t : r.tasks) {
    tasks.push_back({{"name", t.name},
                     {"runs", t.runs},
                     {"succeeded", t.succeeded},
                     {"failed", t.failed},
                     {"running", t.running},
                     {"bytes_freed", t.freed_known ? json(t.bytes_freed) : json(nullptr)},
                     {"updates_found", t.updates_known ? json(t.updates_found) : json(nullptr)},
                     {"updates_applied", t.updates_known ? json(t.updates_applied) : json(nullptr)}});
  }
  json out{
      {"title", Title(r)},
      {"host", r.host},
      {"since_ms", Time(r.since)},
      {"until_ms", Time(r.until)},
      {"summary", r.summary},
      {"resources", std::move(resources)},
      {"disks", std::move(disks)},
      {"incidents", std::move(incidents)},
      {"actions", std::move(actions)},
      {"programs", std::move(programs)},
      {"tasks", std::move(tasks)},
      {"totals",
       {{"bytes_freed", r.bytes_freed}, {"updates_found", r.updates_found}, {"updates_applied", r.updates_applied}}},
      {"recommendations", r.recommendations}};
  return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace vigil::report
