// SPDX-License-Identifier: MIT
// Gathering, saving and sending the health report (see report_service.h).
#include "daemon/report_service.h"

#include <fmt/format.h>

#include <functional>
#include <map>
#include <system_error>

#include "base/file_util.h"
#include "base/units.h"
#include "report/render.h"

namespace vigil::daemon {
namespace {

// Rows read per kind: a bound for a period with a runaway crash loop, far above a normal week.
constexpr int kMaxRows = 100000;

// "20261201T090000Z": report files sort by time.
std::string FileStamp(base::WallTime t) {
  return base::FormatUtc(t, "%Y%m%dT%H%M%SZ");
}

// "20261201T090000Z" from "20261201T090000Z.txt" or ".json"; "" for any other name.
std::string ReportStamp(const std::string& name) {
  constexpr size_t kStampSize = 16;  // YYYYMMDDTHHMMSSZ
  const size_t dot = name.find('.');
  if (dot != kStampSize) return "";
  const std::string_view ext = std::string_view(name).substr(dot);
  if (ext != ".txt" && ext != ".json") return "";
  for (size_t i = 0; i < kStampSize; ++i) {
    const char c = name[i];
    const bool ok = i == 8 ? c == 'T' : i == 15 ? c == 'Z' : c >= '0' && c <= '9';
    if (!ok) return "";
  }
  return name.substr(0, kStampSize);
}

}  // namespace

PruneOutcome PruneReports(const std::filesystem::path& dir, base::WallTime cutoff, size_t max_reports) {
  // Invariant: stamps are fixed-width UTC times, so their string order is their time order.
  std::map<std::string, std::vector<std::filesystem::path>, std::greater<>> reports;  // newest first
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code type_ec;
    if (!it->is_regular_file(type_ec)) continue;
    if (std::string stamp = ReportStamp(it->path().filename().string()); !stamp.empty()) {
      reports[stamp].push_back(it->path());
    }
  }
  PruneOutcome out;
  if (ec) {
    out.problem = fmt::format("cannot list {}: {}", dir.string(), ec.message());
    return out;
  }
  const std::string oldest_kept = FileStamp(cutoff);
  size_t rank = 0;
  for (const auto& [stamp, files] : reports) {
    if (rank++ < max_reports && stamp >= oldest_kept) continue;
    bool removed = false;
    for (const std::filesystem::path& file : files) {
      std::error_code rm_ec;
      if (std::filesystem::remove(file, rm_ec)) removed = true;
      if (rm_ec && out.problem.empty()) {
        out.problem = fmt::format("cannot delete {}: {}", file.string(), rm_ec.message());
      }
    }
    out.removed += removed ? 1 : 0;
  }
  return out;
}

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
  // Kept as long as the history they sum up; a retention reaching back before 1970 keeps all.
  const base::WallTime cutoff =
      std::chrono::duration_cast<base::Duration>(r.until.time_since_epoch()) > ports_.retention
          ? r.until - ports_.retention
          : base::WallTime{};
  const PruneOutcome pruned = PruneReports(ports_.reports_dir, cutoff, kMaxSavedReports);
  std::string pruned_line;
  if (pruned.removed > 0) {
    pruned_line = fmt::format("deleted {} old report{} (kept: the last {}, at most {})\n", pruned.removed,
                              pruned.removed == 1 ? "" : "s", base::FormatDuration(ports_.retention),
                              kMaxSavedReports);
  }
  if (!pruned.problem.empty()) pruned_line += "old reports not deleted: " + pruned.problem + "\n";
  const int channels = ports_.send ? ports_.send(report::Title(r), text, r.until) : 0;
  return fmt::format("saved {} (and .json)\n{}{}\nsent through {} alert channel{}\n", text_path.string(),
                     pruned_line, r.summary, channels, channels == 1 ? "" : "s");
}

}  // namespace vigil::daemon
