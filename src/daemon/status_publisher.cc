// SPDX-License-Identifier: MIT
// StatusPublisher: one coalescing timer, one atomic write, one summary.
#include "daemon/status_publisher.h"

#include "base/file_util.h"

namespace vigil::daemon {

StatusPublisher::StatusPublisher(Ports ports, std::filesystem::path file, base::Duration coalesce)
    : ports_(std::move(ports)), file_(std::move(file)), coalesce_(coalesce) {}

void StatusPublisher::Changed() {
  if (pending_) return;
  pending_ = ports_.loop.AddTimer(coalesce_, [this] {
    pending_.reset();
    PublishNow();
  });
}

void StatusPublisher::PublishNow() {
  pending_.reset();
  const StatusSnapshot snapshot = ports_.snapshot();
  if (ports_.summary) ports_.summary(SummaryLine(snapshot));
  if (file_.empty()) return;
  // 0644: scripts and monitoring agents running as other users read it; it holds nothing
  // the API would not show them (no environment, no command lines).
  base::Status s = base::WriteFileAtomically(file_, RenderStatusJson(snapshot), 0644);
  ++writes_;
  if (s.ok()) {
    if (!problem_.empty() && ports_.log) ports_.log("the status file is written again: " + file_.string());
    problem_.clear();
    return;
  }
  // Said once per distinct reason: a full disk would otherwise fill the event log too.
  if (s.message() != problem_ && ports_.log) ports_.log("cannot write the status file: " + s.message());
  problem_ = s.message();
}

}  // namespace vigil::daemon
