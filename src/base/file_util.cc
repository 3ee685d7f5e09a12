// SPDX-License-Identifier: MIT
// Whole-file reads (see file_util.h).
#include "base/file_util.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "base/unique_fd.h"

namespace vigil::base {

Result<std::string> ReadFile(const std::filesystem::path& file) {
  UniqueFd fd(open(file.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return ErrnoStatus(file.string(), errno);
  std::string text;
  char buffer[65536];
  while (true) {
    const ssize_t n = read(fd.get(), buffer, sizeof buffer);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(file.string(), errno);
    }
    text.append(buffer, static_cast<size_t>(n));
  }
  return text;
}

}  // namespace vigil::base
