// SPDX-License-Identifier: MIT
// Reads a secret from a file, refusing files others could read (docs/alerts.md).
#include "alert/secret_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "base/unique_fd.h"

namespace vigil::alert {

base::Result<std::string> ReadSecretFile(const std::string& path, std::string_view what) {
  std::string name = std::string(what) + " " + path;
  // O_NONBLOCK: a FIFO put there by mistake must not make the open wait for a writer.
  base::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
  if (!fd.valid()) return base::ErrnoStatus(name, errno);
  // fstat(2) on the descriptor read below, so the checks and the read see the same file.
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return base::ErrnoStatus(name, errno);
  if (!S_ISREG(st.st_mode)) return base::Status::InvalidArgument(name + ": not a regular file");
  if ((st.st_mode & 0007) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof(mode), "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return base::Status::InvalidArgument(name + ": other users can access it (mode " + mode +
                                         "); restrict it with chmod o-rwx");
  }
  if (st.st_size > static_cast<off_t>(kMaxSecretBytes)) {
    return base::Status::InvalidArgument(name + ": larger than 64 KB, which is not a secret");
  }
  std::string content;
  char buffer[4096];
  while (content.size() <= kMaxSecretBytes) {
    ssize_t n = ::read(fd.get(), buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return base::ErrnoStatus(name, errno);
    if (n == 0) break;
    content.append(buffer, static_cast<size_t>(n));
  }
  if (content.size() > kMaxSecretBytes) {
    return base::Status::InvalidArgument(name + ": larger than 64 KB, which is not a secret");
  }
  auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  size_t begin = 0;
  size_t end = content.size();
  while (begin < end && is_space(content[begin])) ++begin;
  while (end > begin && is_space(content[end - 1])) --end;
  content = content.substr(begin, end - begin);
  if (content.empty()) return base::Status::InvalidArgument(name + ": empty");
  for (char c : content) {
    auto byte = static_cast<unsigned char>(c);
    if ((byte < 0x20 && c != '\t') || byte == 0x7f) {
      return base::Status::InvalidArgument(name + ": must hold one line, without control characters");
    }
  }
  return content;
}

}  // namespace vigil::alert
