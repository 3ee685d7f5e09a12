// SPDX-License-Identifier: MIT
// daemon::EventLog: vigild's own log of everything it does (state changes with reasons,
// restarts with exit statuses, signals sent, reloads) in log_dir/vigild.log, rotated like
// program logs, and echoed to stderr so a foreground vigild shows it (and journald keeps it).
// Thread rule: loop thread only.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "base/clock.h"
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
  // Told of every event once it is recorded, with its id in the history (the live stream);
  // nullptr to stop. The parts, not an api::EventInfo: most events have nobody to tell,
  // and copying them into one would cost every event.
  using Listener = std::function<void(int64_t id, base::WallTime time, base::EventType type, const std::string& subject,
                                      const std::string& message, const std::string& details_json)>;
  void SetListener(Listener listener) { listener_ = std::move(listener); }
  logs::LogFile& file() { return *file_; }

 private:
  std::unique_ptr<logs::LogFile> file_;
  bool echo_;
  History* history_ = nullptr;
  Listener listener_;
};

}  // namespace vigil::daemon
