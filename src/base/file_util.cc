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

// Writes all of `text` to `fd`; false with errno set when a write fails.
bool WriteAll(int fd, std::string_view text) {
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
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
  if (!WriteAll(fd.get(), text)) return failed(tmp);
  if (::close(fd.release()) != 0 || ::rename(tmp.c_str(), file.c_str()) != 0) return failed(file);
  return Status::Ok();
}

Status ReplaceFileAtomically(const std::filesystem::path& file, std::string_view text) {
  std::error_code ec;
  const std::filesystem::path target = std::filesystem::canonical(file, ec);
  if (ec) return Status::IoError("cannot write " + file.string() + ": " + ec.message());
  struct stat old {};
  if (::stat(target.c_str(), &old) != 0)
    return Status::IoError("cannot write " + target.string() + ": " + std::strerror(errno));

  std::string tmp = target.string() + ".XXXXXX";
  UniqueFd fd(::mkostemp(tmp.data(), O_CLOEXEC));
  if (!fd.valid()) return Status::IoError("cannot write " + tmp + ": " + std::strerror(errno));
  auto failed = [&](std::string_view what) {
    const int error = errno;
    ::unlink(tmp.c_str());
    return Status::IoError("cannot write " + target.string() + ": " + std::string(what) + std::strerror(error));
  };
  struct stat made {};
  if (::fstat(fd.get(), &made) != 0) return failed("");
  // fchown(2) before fchmod(2): a change of owner may clear the set-user-ID bit.
  if ((made.st_uid != old.st_uid || made.st_gid != old.st_gid) && ::fchown(fd.get(), old.st_uid, old.st_gid) != 0) {
    return failed("cannot give the new file its owner and group: ");
  }
  if (::fchmod(fd.get(), old.st_mode & 07777) != 0) return failed("cannot give the new file its mode: ");
  if (!WriteAll(fd.get(), text) || ::fsync(fd.get()) != 0) return failed("");
  if (::close(fd.release()) != 0 || ::rename(tmp.c_str(), target.c_str()) != 0) return failed("");
  // The rename is done: a directory fsync that fails (some filesystems refuse one) leaves
  // the new file in place, so it is not reported as a failure to write it.
  UniqueFd dir(::open(target.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.valid()) ::fsync(dir.get());
  return Status::Ok();
}

}  // namespace vigil::base
