// SPDX-License-Identifier: MIT
// ProcRoot (see proc_root.h): bounded reads and directory walks under a /proc tree.
#include "metrics/proc_root.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <memory>

#include "base/check.h"
#include "base/unique_fd.h"

namespace vigil::metrics {
namespace {

// A process that ends takes its /proc files with it: opening them then fails with ENOENT,
// and reading one already open with ESRCH (proc(5)). Callers skip those processes, so
// they get their own code instead of the IoError of real failures.
base::Status ProcErrnoStatus(const std::filesystem::path& file, int errno_value) {
  if (errno_value == ENOENT || errno_value == ESRCH) {
    return base::Status::NotFound(file.string() + ": " + std::strerror(errno_value));
  }
  return base::ErrnoStatus(file.string(), errno_value);
}

struct DirCloser {
  void operator()(DIR* dir) const { closedir(dir); }
};
using UniqueDir = std::unique_ptr<DIR, DirCloser>;

}  // namespace

ProcRoot::ProcRoot(std::filesystem::path root) : root_(std::move(root)) {}

base::Result<std::string> ProcRoot::Read(std::string_view relative) const {
  VIGIL_CHECK(!std::filesystem::path(relative).is_absolute(), "ProcRoot::Read takes a path below the root");
  const std::filesystem::path file = root_ / relative;
  base::UniqueFd fd(open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
  if (!fd.valid()) return ProcErrnoStatus(file, errno);
  // /proc files report st_size 0 (proc(5)), so only end of file tells their size.
  std::string text;
  char buffer[16384];
  for (;;) {
    const ssize_t n = read(fd.get(), buffer, sizeof buffer);
    if (n == 0) return text;
    if (n < 0) {
      if (errno == EINTR) continue;
      return ProcErrnoStatus(file, errno);
    }
    if (text.size() + static_cast<size_t>(n) > kMaxProcFileBytes) {
      return base::Status::IoError(file.string() + ": larger than the 1 MB a /proc file may be");
    }
    text.append(buffer, static_cast<size_t>(n));
  }
}

std::vector<ProcRoot::PidEntry> ProcRoot::ListPidEntries() const {
  std::vector<PidEntry> entries;
  UniqueDir dir(opendir(root_.c_str()));
  if (!dir) return entries;
  while (const dirent* entry = readdir(dir.get())) {
    const std::string_view name = entry->d_name;
    // A leading zero would name a file that is not "PID/..." when read back.
    if (name[0] < '1' || name[0] > '9') continue;
    int pid = 0;
    const auto [ptr, ec] = std::from_chars(name.data(), name.data() + name.size(), pid);
    if (ec == std::errc() && ptr == name.data() + name.size()) entries.push_back({pid, entry->d_ino});
  }
  std::sort(entries.begin(), entries.end(), [](const PidEntry& a, const PidEntry& b) { return a.pid < b.pid; });
  return entries;
}

std::vector<int> ProcRoot::ListPids() const {
  std::vector<int> pids;
  for (const PidEntry& entry : ListPidEntries()) pids.push_back(entry.pid);
  return pids;
}

base::Result<base::UniqueFd> ProcRoot::Open(std::string_view relative) const {
  VIGIL_CHECK(!std::filesystem::path(relative).is_absolute(), "ProcRoot::Open takes a path below the root");
  const std::filesystem::path file = root_ / relative;
  base::UniqueFd fd(open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
  if (!fd.valid()) return ProcErrnoStatus(file, errno);
  return fd;
}

base::Result<std::string_view> ProcRoot::ReadAgain(const base::UniqueFd& file, std::string_view name, char* buffer,
                                                   size_t size) {
  // One pread from the start: the kernel renders a /proc file afresh for a read at offset
  // 0. A file that fills the buffer may have more, which a caller must not take as whole.
  for (;;) {
    const ssize_t n = pread(file.get(), buffer, size, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ProcErrnoStatus(std::string(name), errno);
    if (static_cast<size_t>(n) >= size) {
      return base::Status::IoError(std::string(name) + ": larger than the " + std::to_string(size) +
                                   " bytes expected");
    }
    return std::string_view(buffer, static_cast<size_t>(n));
  }
}

base::Result<int> ProcRoot::CountOpenFds(int pid) const {
  const std::filesystem::path fd_dir = root_ / std::to_string(pid) / "fd";
  UniqueDir dir(opendir(fd_dir.c_str()));
  if (!dir) return ProcErrnoStatus(fd_dir, errno);
  int count = 0;
  for (;;) {
    // readdir(3): only errno tells the end of the directory from a failure.
    errno = 0;
    const dirent* entry = readdir(dir.get());
    if (entry == nullptr) break;
    const std::string_view name = entry->d_name;
    if (name != "." && name != "..") ++count;
  }
  if (errno != 0) return ProcErrnoStatus(fd_dir, errno);
  return count;
}

}  // namespace vigil::metrics
