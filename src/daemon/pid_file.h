// SPDX-License-Identifier: MIT
// daemon::PidFile: vigild's PID file (--pidfile), held with flock(2) for the daemon's whole
// life. The lock, not the number in the file, says whether a vigild runs: a second one
// fails to take it and names the pid inside; a file left by a vigild that died (killed,
// crashed, the machine lost power) has no lock, so it is taken over with a notice.
// Thread rule: any thread; one owner.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>

#include "base/status.h"
#include "base/unique_fd.h"

namespace vigil::daemon {

class PidFile {
 public:
  // Opens (creating, mode 0644) and locks `path`. Conflict "vigild is already running
  // (pid 123, PID file FILE)" when another process holds it; IoError naming the file for
  // anything else (a missing directory, no permission). The file's content is left as is
  // until WritePid(): the launcher of --daemon takes the lock before it forks, and the
  // daemon it forks writes its own pid. The lock is on the open file description, so it
  // passes to the children that inherit the descriptor.
  static base::Result<PidFile> Acquire(const std::filesystem::path& path);

  PidFile(PidFile&&) = default;
  PidFile& operator=(PidFile&&) = default;
  // Removes the file if this process wrote it, then releases the lock.
  ~PidFile();

  // Replaces the content with `pid` and a newline.
  base::Status WritePid(pid_t pid);
  // For a launcher that forked: closes its copy without removing the file, which the
  // daemon now owns.
  void Release();

  // The pid the file held when it was taken: a vigild that ended without removing it (it
  // no longer held the lock); 0 for a new or empty file. For the takeover notice.
  pid_t stale_pid() const { return stale_pid_; }
  const std::filesystem::path& path() const { return path_; }

 private:
  PidFile(std::filesystem::path path, base::UniqueFd fd) : path_(std::move(path)), fd_(std::move(fd)) {}

  std::filesystem::path path_;
  base::UniqueFd fd_;
  pid_t stale_pid_ = 0;
  pid_t written_by_ = 0;  // the process that wrote its pid, which removes the file
};

// The pid written in a PID file's text ("123\n"); 0 when there is none.
pid_t ParsePid(const std::string& text);

}  // namespace vigil::daemon
