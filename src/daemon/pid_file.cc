// SPDX-License-Identifier: MIT
// PidFile: open, flock, read the previous owner's pid, write our own.
#include "daemon/pid_file.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>

#include <fmt/format.h>

namespace vigil::daemon {
namespace {

std::string ReadAll(int fd) {
  std::string text;
  char buf[64];
  off_t at = 0;
  for (;;) {
    ssize_t n = ::pread(fd, buf, sizeof buf, at);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0 || text.size() > 4096) return text;
    text.append(buf, static_cast<size_t>(n));
    at += n;
  }
}

}  // namespace

pid_t ParsePid(const std::string& text) {
  size_t begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string::npos) return 0;
  pid_t pid = 0;
  auto [end, ec] = std::from_chars(text.data() + begin, text.data() + text.size(), pid);
  if (ec != std::errc() || pid <= 0) return 0;
  for (const char* p = end; p != text.data() + text.size(); ++p) {
    if (*p != '\n' && *p != '\r' && *p != ' ') return 0;
  }
  return pid;
}

base::Result<PidFile> PidFile::Acquire(const std::filesystem::path& path) {
  // A vigild that exits removes its file while it still holds the lock; whoever opened the
  // old file just before then locks a file that no longer has a name, so it opens again.
  for (int attempt = 0;; ++attempt) {
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0) return base::ErrnoStatus("cannot open the PID file " + path.string(), errno);
    base::UniqueFd owned(fd);
    int rc;
    do rc = ::flock(fd, LOCK_EX | LOCK_NB);
    while (rc != 0 && errno == EINTR);
    if (rc != 0) {
      if (errno != EWOULDBLOCK) return base::ErrnoStatus("cannot lock the PID file " + path.string(), errno);
      const pid_t holder = ParsePid(ReadAll(fd));
      // The holder may be between taking the lock and writing its pid: still a refusal.
      return base::Status::Conflict(
          holder > 0 ? fmt::format("vigild is already running (pid {}, PID file {})", holder, path.string())
                     : fmt::format("vigild is already running (PID file {} is locked)", path.string()));
    }
    struct stat opened {}, named {};
    if (::fstat(fd, &opened) == 0 && ::stat(path.c_str(), &named) == 0 &&
        (opened.st_dev != named.st_dev || opened.st_ino != named.st_ino) && attempt < 3) {
      continue;
    }
    PidFile file(path, std::move(owned));
    const pid_t previous = ParsePid(ReadAll(fd));
    if (previous > 0 && previous != ::getpid()) file.stale_pid_ = previous;
    return file;
  }
}

PidFile::~PidFile() {
  if (fd_.valid() && written_by_ == ::getpid()) ::unlink(path_.c_str());
}

base::Status PidFile::WritePid(pid_t pid) {
  const std::string text = fmt::format("{}\n", pid);
  if (::ftruncate(fd_.get(), 0) != 0 ||
      ::pwrite(fd_.get(), text.data(), text.size(), 0) != static_cast<ssize_t>(text.size())) {
    return base::ErrnoStatus("cannot write the PID file " + path_.string(), errno);
  }
  written_by_ = ::getpid();
  return base::Status::Ok();
}

void PidFile::Release() {
  written_by_ = 0;
  fd_.reset();
}

}  // namespace vigil::daemon
