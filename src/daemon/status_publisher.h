// SPDX-License-Identifier: MIT
// daemon::StatusPublisher: keeps the status file and systemd's STATUS= line current.
// Told that something changed (a program's state, a task's next run, vigild's own state),
// it waits a short moment so that a burst of changes (a thousand programs starting, a
// reload) makes one write, then takes a snapshot and publishes it: the file through a
// write to FILE.tmp and a rename, so a reader never sees half of it. Nothing changes, nothing
// is written, and no timer runs.
// Thread rule: loop thread only.
#pragma once

#include <filesystem>
#include <functional>
#include <string>

#include "base/clock.h"
#include "daemon/status_report.h"
#include "event/loop.h"

namespace vigil::daemon {

class StatusPublisher {
 public:
  struct Ports {
    event::Loop& loop;
    std::function<StatusSnapshot()> snapshot;
    std::function<void(const std::string& summary)> summary;  // to systemd; may be empty
    std::function<void(const std::string& line)> log;          // the event log
  };
  // `file` empty = no status file (only the summary is published).
  StatusPublisher(Ports ports, std::filesystem::path file, base::Duration coalesce);

  void Changed();
  // Publishes now (start-up, shutdown), cancelling a pending write.
  void PublishNow();
  const std::filesystem::path& file() const { return file_; }
  // Why the last write failed; "" once one succeeds.
  const std::string& problem() const { return problem_; }
  int writes() const { return writes_; }

 private:
  Ports ports_;
  std::filesystem::path file_;
  base::Duration coalesce_;
  event::HandlePtr pending_;
  std::string problem_;
  int writes_ = 0;
};

}  // namespace vigil::daemon
