// SPDX-License-Identifier: MIT
// EventLog: formats event lines and writes them to vigild.log (and stderr).
#include "daemon/event_log.h"

#include <unistd.h>

#include "base/clock.h"
#include "daemon/history.h"

namespace vigil::daemon {

EventLog::EventLog(event::Loop& loop, const std::filesystem::path& path, config::LogSpec spec,
                   logs::Compressor* compressor, bool echo_to_stderr)
    : echo_(echo_to_stderr) {
  spec.timestamps = true;
  file_ = std::make_unique<logs::LogFile>(loop, path, spec, compressor);
}

void EventLog::Write(const std::string& subject, const std::string& message, base::EventType type,
                     const std::string& details_json) {
  const base::WallTime now = std::chrono::system_clock::now();
  const int64_t id = history_ ? history_->RecordEvent(type, subject, message, details_json, now) : 0;
  if (listener_) listener_(id, now, type, subject, message, details_json);
  std::string line = subject + ": " + message + "\n";
  file_->Write(line);
  if (echo_) {
    std::string out = base::FormatIso8601(std::chrono::system_clock::now()) + " " + line;
    // stderr may be a closed pipe or a full tty; losing the echo never matters, the file has it.
    ssize_t ignored = ::write(STDERR_FILENO, out.data(), out.size());
    (void)ignored;
  }
}

}  // namespace vigil::daemon
