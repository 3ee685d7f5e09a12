// SPDX-License-Identifier: MIT
// Gathering, saving and sending the health report (see report_service.h).
#include "daemon/report_service.h"

#include <fmt/format.h>

#include <map>

#include "base/file_util.h"
#include "report/render.h"

namespace vigil::daemon {
namespace {

// Rows read per kind: a bound for a period with a runaway crash loop, far above a normal week.
constexpr int kMaxRows = 100000;

// "20261201T090000Z": report files sort by time.
std::string FileStamp(base::WallTime t) {
  return base::FormatUtc(t, "%Y%m%dT%H%M%SZ");
}

}  // namespace

std::chrono::seconds ReportStep(base::Duration period) {
  if (period <= std::chrono::hours(24)) return std::chrono::seconds(60);
  if (period <= std::chrono::hours(24 * 14)) return std::chrono::seconds(300);
  return std::chrono::seconds(3600);
}

ReportService::ReportService(Ports ports) : ports_(std::move(ports)) {}

base::Result<report::Report> ReportService::Make(base::Duration period) {
  store::Store* store = ports_.history.store();
  if (store == nullptr) {
    const std::string why = ports_.history.problem();
    return base::Status::Unavailable("no health report: vigild keeps no history" +
                                     (why.empty() ? "" : " (" + why + ")"));
  }
  report::Input in;
  in.until = ports_.clock.Now();
  in.since = in.until - period;
  in.host = ports_.host;
  auto failed = [](const base::Status& s) { return base::Status::Unavailable("no health report: " + s.message()); };

  auto names = store->MetricNames();
  if (!names) return failed(names.error());
  for (const std::string& name : *names) {
    auto points = store->QueryMetrics(name, in.since, in.until, ReportStep(period));
    if (!points) return failed(points.error());
    if (points->empty()) continue;
    report::MetricSeries series{name, {}};
    for (const store::MetricPoint& p : *points) series.points.push_back({p.time, p.count, p.avg, p.max});
    in.metrics.push_back(std::move(series));
  }

  auto lives = store->QueryLifetimes(in.since, in.until, kMaxRows);
  if (!lives) return failed(lives.error());
  for (store::Lifetime& l : *lives) {
    in.lifetimes.push_back({std::move(l.program), l.started, l.ended, std::move(l.exit_status), std::move(l.reason)});
  }

  store::FindingFilter filter;
  filter.since = in.since;
  filter.limit = kMaxRows;
  auto findings = store->QueryFindings(filter);
  if (!findings) return failed(findings.error());
  for (store::Finding& f : *findings) {
    if (f.time >= in.until) continue;
    in.findings.push_back({f.id, f.time, std::move(f.severity), std::move(f.category), std::move(f.subject),
                           std::move(f.text), f.raise_id});
  }

  auto runs = store->QueryRunsBetween(in.since, in.until, kMaxRows);
  if (!runs) return failed(runs.error());
  std::map<std::string, std::string> actions;  // asked once per task
  for (store::TaskRun& r : *runs) {
    auto known = actions.find(r.task);
    if (known == actions.end()) {
      known = actions.emplace(r.task, ports_.action_of ? ports_.action_of(r.task) : std::string()).first;
    }
    std::string action = known->second;
    in.runs.push_back({std::move(r.task), std::move(action), r.started, r.ended, r.exit_code, r.signal, r.timed_out,
                       r.interrupted, std::move(r.output_tail)});
  }
  return report::Build(in);
}

base::Result<std::string> ReportService::RunTask(base::Duration period) {
  auto made = Make(period);
  if (!made) return made.error();
  const report::Report& r = *made;
  std::error_code ec;
  std::filesystem::create_directories(ports_.reports_dir, ec);
  if (ec) {
    return base::Status::IoError(
        fmt::format("cannot create directory {}: {}", ports_.reports_dir.string(), ec.message()));
  }
  const std::string text = report::RenderText(r);
  const std::filesystem::path base = ports_.reports_dir / FileStamp(r.until);
  const std::filesystem::path text_path = base.string() + ".txt";
  if (base::Status s = base::WriteFileAtomically(text_path, text, 0640); !s.ok()) return s;
  if (base::Status s = base::WriteFileAtomically(base.string() + ".json", report::RenderJson(r) + "\n", 0640); !s.ok()) return s;
  const int channels = ports_.send ? ports_.send(report::Title(r), text, r.until) : 0;
  return fmt::format("saved {} (and .json)\n{}\nsent through {} alert channel{}\n", text_path.string(), r.summary,
                     channels, channels == 1 ? "" : "s");
}

}  // namespace vigil::daemon
