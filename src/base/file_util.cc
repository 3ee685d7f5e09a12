// SPDX-License-Identifier: MIT
// Whole-file reads (see file_util.h).
#include "base/file_util.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <limits>

#include "base/unique_fd.h"
#include "base/units.h"

namespace vigil::base {
namespace {

// Appends what `fd` holds to *text until end of file, or until *text holds more than
// `max_bytes` (it then holds max_bytes + 1 at most, and false is returned).
Result<bool> ReadAll(int fd, const std::filesystem::path& file, uint64_t max_bytes, std::string* text) {
  char buffer[65536];
  while (text->size() <= max_bytes) {
    // Invariant: text->size() <= max_bytes, so the "+ 1" cannot overflow.
    const uint64_t room = max_bytes - text->size();
    const size_t want = room < sizeof buffer ? static_cast<size_t>(room) + 1 : sizeof buffer;
    const ssize_t n = read(fd, buffer, want);
    if (n == 0) return true;
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(file.string(), errno);
    }
    text->append(buffer, static_cast<size_t>(n));
  }
  return false;
}

}  // namespace

Result<std::string> ReadFile(const std::filesystem::path& file) {
  UniqueFd fd(open(file.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return ErrnoStatus(file.string(), errno);
  std::string text;
  auto complete = ReadAll(fd.get(), file, std::numeric_limits<uint64_t>::max() - 1, &text);
  if (!complete) return complete.error();
  return text;
}

Result<std::string> ReadRegularFile(const std::filesystem::path& file, uint64_t max_bytes, std::string_view what) {
  // open(2): O_NONBLOCK keeps a FIFO from blocking the open until a writer comes; it has
  // no effect on a regular file, the only kind read below. O_NOCTTY: a terminal named by
  // mistake must not become vigild's controlling terminal.
  UniqueFd fd(open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
  if (fd.get() < 0) return ErrnoStatus(file.string(), errno);
  struct stat st {};
  if (fstat(fd.get(), &st) != 0) return ErrnoStatus(file.string(), errno);
  if (!S_ISREG(st.st_mode)) return Status::InvalidArgument(file.string() + ": not a regular file");
  const std::string limit = FormatSize(max_bytes) + " " + std::string(what) + " may be";
  const auto size = static_cast<uint64_t>(st.st_size);
  if (size > max_bytes) {
    return Status::InvalidArgument(file.string() + ": " + FormatSize(size) + " is larger than the " + limit);
  }
  std::string text;
  text.reserve(size);
  auto complete = ReadAll(fd.get(), file, max_bytes, &text);
  if (!complete) return complete.error();
  if (!*complete) return Status::InvalidArgument(file.string() + ": larger than the " + limit);
  return text;
}

Status WriteFileAtomically(const std::filesystem::path& file, std::string_view text, mode_t mode) {
  const std::filesystem::path tmp = file.string() + ".tmp";
  auto failed = [&](const std::filesystem::path& named) {
    const Status error = Status::IoError("cannot write " + named.string() + ": " + std::strerror(errno));
    ::unlink(tmp.c_str());
    return error;
  };
  UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode));
  if (!fd.valid()) return failed(tmp);
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd.get(), text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return failed(tmp);
    done += static_cast<size_t>(n);
  }
  if (::close(fd.release()) != 0 || ::rename(tmp.c_str(), file.c_str()) != 0) return failed(file);
  return Status::Ok();
}

}  // namespace vigil::base
