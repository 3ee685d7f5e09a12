// SPDX-License-Identifier: MIT
// vigild --daemon: the classic double fork, with one promise on top: the command that
// started the daemon exits 0 only once the daemon serves (its socket listens and the
// autostart programs were launched), and otherwise exits non-zero with the daemon's own
// error. A pipe carries that word from the daemon to the waiting launcher.
// Thread rule: call before any thread exists (fork keeps only the caller).
#pragma once

#include <string>
#include <string_view>

#include "base/unique_fd.h"

namespace vigil::daemon {

// The daemon's end of the pipe. Ready() or Failed() says the one word the launcher waits
// for; whichever comes first closes the pipe. A daemon that dies first closes it too,
// which the launcher reports as such. Without a pipe (foreground) both do nothing.
class StartupReport {
 public:
  StartupReport() = default;
  explicit StartupReport(base::UniqueFd fd) : fd_(std::move(fd)) {}
  void Ready(std::string_view what);
  void Failed(std::string_view error);
  bool pending() const { return fd_.valid(); }

 private:
  base::UniqueFd fd_;
};

// Forks twice: the launcher waits for the daemon's word and exits with it (this function
// does not return in the launcher), the middle child starts a new session and exits, and
// the daemon returns here with its StartupReport, after umask(022), chdir("/") and its
// standard streams pointed at /dev/null. On a fork failure it prints the error and exits 1.
StartupReport Daemonize();

// How the launcher puts the daemon's word to the user: the exit status and the line for
// stdout (success) or stderr (failure). `word` is what came through the pipe, possibly
// nothing (the daemon died before it said anything).
struct LauncherVerdict {
  int exit_code = 1;
  std::string line;
};
LauncherVerdict VerdictOf(const std::string& word);

}  // namespace vigil::daemon
