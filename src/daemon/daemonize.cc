// SPDX-License-Identifier: MIT
// Daemonize: fork, setsid, fork; the launcher reads the daemon's word from a pipe.
#include "daemon/daemonize.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace vigil::daemon {
namespace {

constexpr std::string_view kReady = "ready ";
constexpr std::string_view kFailed = "error ";

void WriteAll(int fd, std::string_view text) {
  while (!text.empty()) {
    ssize_t n = ::write(fd, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // the launcher is gone: nobody left to tell
    text.remove_prefix(static_cast<size_t>(n));
  }
}

std::string ReadAll(int fd) {
  std::string out;
  char buf[512];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return out;
    out.append(buf, static_cast<size_t>(n));
  }
}

[[noreturn]] void Die(const char* step) {
  std::fprintf(stderr, "vigild: cannot start the daemon: %s: %s\n", step, std::strerror(errno));
  std::exit(1);
}

void StdioToDevNull() {
  int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null < 0) return;
  for (int fd : {STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO}) ::dup2(null, fd);
  if (null > STDERR_FILENO) ::close(null);
}

}  // namespace

void StartupReport::Ready(std::string_view what) {
  if (!fd_.valid()) return;
  WriteAll(fd_.get(), std::string(kReady) + std::string(what) + "\n");
  fd_.reset();
}

void StartupReport::Failed(std::string_view error) {
  if (!fd_.valid()) return;
  WriteAll(fd_.get(), std::string(kFailed) + std::string(error) + "\n");
  fd_.reset();
}

LauncherVerdict VerdictOf(const std::string& word) {
  std::string text = word;
  while (!text.empty() && text.back() == '\n') text.pop_back();
  if (text.rfind(kReady, 0) == 0) return {0, "vigild: " + text.substr(kReady.size())};
  if (text.rfind(kFailed, 0) == 0) return {1, "vigild: " + text.substr(kFailed.size())};
  return {1, "vigild: the daemon exited before it was ready (its event log, vigild.log, may say why)"};
}

StartupReport Daemonize() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) Die("pipe");
  std::fflush(nullptr);
  pid_t middle = ::fork();
  if (middle < 0) Die("fork");
  if (middle > 0) {
    // The launcher: the pipe closes when the daemon has spoken or died.
    ::close(fds[1]);
    const std::string word = ReadAll(fds[0]);
    int status = 0;
    while (::waitpid(middle, &status, 0) < 0 && errno == EINTR) {
    }
    const LauncherVerdict verdict = VerdictOf(word);
    std::fprintf(verdict.exit_code == 0 ? stdout : stderr, "%s\n", verdict.line.c_str());
    std::fflush(nullptr);
    ::_exit(verdict.exit_code);
  }
  ::close(fds[0]);
  // The middle child: a new session without a controlling terminal, then a second fork so
  // that the daemon is not a session leader and can never acquire one again.
  if (::setsid() < 0) Die("setsid");
  pid_t daemon = ::fork();
  if (daemon < 0) Die("fork");
  if (daemon > 0) ::_exit(0);
  ::umask(022);
  if (::chdir("/") != 0) Die("chdir /");
  StdioToDevNull();
  return StartupReport(base::UniqueFd(fds[1]));
}

}  // namespace vigil::daemon
