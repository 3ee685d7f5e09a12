// SPDX-License-Identifier: MIT
// daemon::EventLog: vigild's own log of everything it does (state changes with reasons,
// restarts with exit statuses, signals sent, reloads) in log_dir/vigild.log, rotated like
// program logs, and echoed to stderr so a foreground vigild shows it (and journald keeps it).
// Thread rule: loop thread only.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "api/event_controller.h"
#include "base/event_type.h"
#include "logs/log_file.h"

namespace vigil::daemon {

class History;

class EventLog {
 public:
  EventLog(event::Loop& loop, const std::filesystem::path& path, config::LogSpec spec,
           logs::Compressor* compressor, bool echo_to_stderr);
  // One line, "SUBJECT: MESSAGE" (subject "vigild" for the daemon itself), also recorded
  // as an event of `type` in the history, when there is one.
  void Write(const std::string& subject, const std::string& message, base::EventType type = base::EventType::kNote,
             const std::string& details_json = "{}");
  void SetHistory(History* history) { history_ = history; }
  // Told of every event once it is recorded (the live stream); nullptr to stop.
  void SetListener(std::function<void(const api::EventInfo&)> listener) { listener_ = std::move(listener); }
  logs::LogFile& file() { return *file_; }

 private:
  std::unique_ptr<logs::LogFile> file_;
  bool echo_;
  History* history_ = nullptr;
  std::function<void(const api::EventInfo&)> listener_;
};

}  // namespace vigil::daemon
