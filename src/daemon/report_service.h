// SPDX-License-Identifier: MIT
// daemon::ReportService: the health report (docs/health.md#the-health-report). Gathers a
// period's history from the store (metric rollups, process lifetimes, findings, task runs),
// builds the report with report::Build, and for the `report` task action saves it under
// state_dir/reports/ (pruning the old ones) and hands it to the alert channels.
// Thread rule: loop thread only; the store's reads are synchronous, as the API's are.
#pragma once

#include <filesystem>
#include <functional>
#include <string>

#include "base/clock.h"
#include "base/status.h"
#include "daemon/history.h"
#include "event/clock.h"
#include "report/report.h"

namespace vigil::daemon {

class ReportService {
 public:
  struct Ports {
    event::Clock& clock;
    History& history;
    std::filesystem::path reports_dir;  // state_dir/reports
    std::string host;
    // The action of a configured task ("cleanup", "command", ...); "" if unknown.
    std::function<std::string(const std::string& task)> action_of;
    // Sends a report through the alert channels that take reports; returns how many.
    std::function<int(const std::string& title, const std::string& text, base::WallTime time)> send;
    // How long saved reports are kept ([vigil] history_retention): as long as the history
    // they sum up.
    base::Duration retention = base::Duration::max();
  };
  // Saved reports beyond this many are deleted, however young: a bound on the directory
  // for a report task scheduled far more often than weekly.
  static constexpr size_t kMaxSavedReports = 1000;
  explicit ReportService(Ports ports);

  // The report of [now - period, now). Unavailable (with the reason) when vigild keeps no
  // history or a read fails.
  base::Result<report::Report> Make(base::Duration period);

  // The `report` task action: Make, save as reports_dir/TIME.txt and TIME.json, prune
  // (PruneReports: older than `retention`, beyond kMaxSavedReports), send. Returns the
  // run's output (where it was saved, what was pruned, the summary line, the channels);
  // fails when the report cannot be made or saved, never for a report it cannot delete.
  base::Result<std::string> RunTask(base::Duration period);

 private:
  Ports ports_;
};

// What PruneReports did: how many reports it deleted (a .txt and its .json are one), and
// the first deletion that failed, or "".
struct PruneOutcome {
  int removed = 0;
  std::string problem;
};

// Deletes the saved reports in `dir` whose period ended before `cutoff`, and those beyond
// the newest `max_reports`. Only files named as reports (YYYYMMDDTHHMMSSZ.txt and .json,
// the time the period ended) are touched: anything else a user keeps there stays. The time
// is read from the name, not the mtime, so a copied or restored file keeps its age.
PruneOutcome PruneReports(const std::filesystem::path& dir, base::WallTime cutoff, size_t max_reports);

// The step of the metric history a report of `period` reads: 1-minute buckets for a day
// or less, 5-minute up to 14 days (the 1-minute rollups' retention), else 1-hour.
std::chrono::seconds ReportStep(base::Duration period);

}  // namespace vigil::daemon
