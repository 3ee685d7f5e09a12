// SPDX-License-Identifier: MIT
// FindingJournal: the findings journal, what vigil noticed and did in one plain sentence
// each ("CPU at 93.1% (critical at 90.0%). Look for a runaway process: vigil top."), with
// its severity, category and subject, and for a recovery the finding it ends. Each finding
// goes to the history database (`vigil findings`, GET /v1/findings) and to
// log_dir/findings.log in a block a person can read; without a database the newest ones
// are kept in memory, so the list still works.
// Thread rule: loop thread only.
#pragma once

#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "api/health_controller.h"
#include "base/clock.h"
#include "daemon/history.h"
#include "event/loop.h"
#include "logs/log_file.h"

namespace vigil::daemon {

enum class Severity { kInfo, kWarn, kCrit };
// "info", "warn", "crit".
std::string_view SeverityName(Severity severity);

// The block findings.log holds for one finding:
//   2026-12-01T15:40:09.417Z  CRIT  check cpu  (#12)
//     CPU at 93.1% (critical at 90.0%). Look for a runaway process: vigil top.
// and, for a recovery, "(#13, ends #12)". Pure, for tests.
std::string FindingBlock(const api::FindingInfo& finding);

class FindingJournal {
 public:
  // Without a database, this many of the newest findings are kept in memory.
  static constexpr size_t kMemoryFindings = 1000;

  FindingJournal(event::Loop& loop, History& history, const std::filesystem::path& log_file);
  ~FindingJournal();

  // Records one finding and returns its id (for a later recovery's `raise_id`).
  int64_t Record(Severity severity, const std::string& category, const std::string& subject,
                 const std::string& text, int64_t raise_id = 0);

  base::Result<std::vector<api::FindingInfo>> List(const api::FindingQuery& query) const;

  // Told of every finding (the alerts), on a later loop turn, in order: never from inside
  // Record(), whose caller may be in the middle of a change of its own (AlertService giving
  // up on a delivery records a finding). A listener cleared hears nothing more.
  void SetListener(std::function<void(const api::FindingInfo&)> listener) { listener_ = std::move(listener); }

 private:
  event::Loop& loop_;
  History& history_;
  std::unique_ptr<logs::LogFile> file_;
  std::deque<api::FindingInfo> recent_;  // only without a database
  int64_t next_local_id_ = 1;
  std::function<void(const api::FindingInfo&)> listener_;
  std::shared_ptr<char> alive_ = std::make_shared<char>();  // guards posted listener calls
};

}  // namespace vigil::daemon
