// SPDX-License-Identifier: MIT
// TailLines: walks the stream backwards, newest bytes first, until n lines are seen.
#include "logs/tail.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "base/unique_fd.h"
#include "logs/rotated_files.h"

namespace vigil::logs {
namespace fs = std::filesystem;

namespace {

constexpr size_t kBlockBytes = 64 * 1024;

// Collects the stream's suffix, fed newest chunk first, until it holds `n` lines.
class Collector {
 public:
  explicit Collector(size_t n) : n_(n) {}

  bool done() const { return done_; }
  // How many more line ends are needed before the suffix is complete.
  size_t needed() const { return n_ - found_; }

  // Prepends `chunk`, the bytes just before those already collected.
  void Prepend(std::string_view chunk) {
    if (done_ || chunk.empty()) return;
    if (!seen_any_) {
      seen_any_ = true;
      // A final '\n' ends the last line; it does not start an empty one.
      if (chunk.back() == '\n') {
        parts_.emplace_back("\n");
        chunk.remove_suffix(1);
      }
    }
    // Line ends from the back of the chunk: the n-th one marks where the tail begins.
    size_t end = chunk.size();
    while (end > 0) {
      const void* nl = ::memrchr(chunk.data(), '\n', end);
      if (nl == nullptr) break;
      end = static_cast<size_t>(static_cast<const char*>(nl) - chunk.data());
      if (++found_ == n_) {
        parts_.emplace_back(chunk.substr(end + 1));
        done_ = true;
        return;
      }
    }
    parts_.emplace_back(chunk);
  }

  std::vector<std::string> Lines() const {
    std::vector<std::string> lines;
    if (!seen_any_ || n_ == 0) return lines;
    std::string suffix;
    for (auto it = parts_.rbegin(); it != parts_.rend(); ++it) suffix += *it;
    std::string_view s = suffix;
    if (!s.empty() && s.back() == '\n') s.remove_suffix(1);
    size_t pos = 0;
    for (;;) {
      size_t nl = s.find('\n', pos);
      if (nl == std::string_view::npos) {
        lines.emplace_back(s.substr(pos));
        break;
      }
      lines.emplace_back(s.substr(pos, nl - pos));
      pos = nl + 1;
    }
    return lines;
  }

 private:
  const size_t n_;
  size_t found_ = 0;
  bool seen_any_ = false;
  bool done_ = false;
  std::vector<std::string> parts_;  // the suffix, newest part first
};

base::Status FeedPlain(int fd, uint64_t size, const fs::path& path, Collector* c) {
  std::string block;
  uint64_t end = size;
  while (end > 0 && !c->done()) {
    uint64_t begin = end > kBlockBytes ? end - kBlockBytes : 0;
    block.resize(static_cast<size_t>(end - begin));
    size_t got = 0;
    while (got < block.size()) {
      ssize_t r = ::pread(fd, block.data() + got, block.size() - got, static_cast<off_t>(begin + got));
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) return base::ErrnoStatus("cannot read " + path.string(), errno);
      if (r == 0) break;  // truncated under us: use what we have
      got += static_cast<size_t>(r);
    }
    c->Prepend(std::string_view(block).substr(0, got));
    end = begin;
  }
  return base::Status::Ok();
}

// gzip cannot be read backwards: decompress forward, keeping a window that always holds
// at least the last needed()+1 line ends, and hand the window over at the end.
base::Status FeedGzip(const fs::path& path, Collector* c) {
  gzFile gz = ::gzopen(path.c_str(), "rb");
  if (gz == nullptr) {
    if (errno == ENOENT) return base::Status::Ok();  // pruned meanwhile
    return base::ErrnoStatus("cannot open " + path.string(), errno);
  }
  const size_t keep_lines = c->needed() + 1;
  std::string window;
  size_t trim_at = 4 * kBlockBytes;
  std::string buf(kBlockBytes, '\0');
  base::Status status;
  for (;;) {
    int r = ::gzread(gz, buf.data(), static_cast<unsigned>(buf.size()));
    if (r < 0) {
      int zerr = 0;
      status = base::Status::IoError("cannot read " + path.string() + ": " + ::gzerror(gz, &zerr));
      break;
    }
    if (r == 0) break;
    window.append(buf.data(), static_cast<size_t>(r));
    if (window.size() >= trim_at) {
      size_t end = window.size();
      size_t seen = 0;
      while (end > 0 && seen <= keep_lines) {
        const void* nl = ::memrchr(window.data(), '\n', end);
        if (nl == nullptr) break;
        end = static_cast<size_t>(static_cast<const char*>(nl) - window.data());
        ++seen;
      }
      if (seen > keep_lines) window.erase(0, end + 1);
      trim_at = std::max(4 * kBlockBytes, 2 * window.size());
    }
  }
  ::gzclose(gz);
  if (!status.ok()) return status;
  c->Prepend(window);
  return base::Status::Ok();
}

}  // namespace

base::Result<std::vector<std::string>> TailLines(const fs::path& current, size_t n) {
  Collector collector(n);
  if (n == 0) return collector.Lines();
  // Open the current file before listing rotated ones: if it rotates in between, its
  // inode shows up in the list and is skipped rather than read twice.
  struct stat cur_st {};
  bool have_current = false;
  base::UniqueFd fd(::open(current.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.valid()) {
    if (::fstat(fd.get(), &cur_st) != 0) return base::ErrnoStatus("cannot stat " + current.string(), errno);
    have_current = true;
    base::Status s = FeedPlain(fd.get(), static_cast<uint64_t>(cur_st.st_size), current, &collector);
    if (!s.ok()) return s;
  } else if (errno != ENOENT) {
    return base::ErrnoStatus("cannot open " + current.string(), errno);
  }
  if (collector.done()) return collector.Lines();

  auto files = RotatedFiles(current);
  if (!files.has_value()) return files.error();
  for (auto it = files->rbegin(); it != files->rend() && !collector.done(); ++it) {
    if (it->gzipped) {
      base::Status s = FeedGzip(it->path, &collector);
      if (!s.ok()) return s;
      continue;
    }
    base::UniqueFd rfd(::open(it->path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!rfd.valid()) {
      if (errno == ENOENT) continue;  // compressed or pruned meanwhile
      return base::ErrnoStatus("cannot open " + it->path.string(), errno);
    }
    struct stat st {};
    if (::fstat(rfd.get(), &st) != 0) return base::ErrnoStatus("cannot stat " + it->path.string(), errno);
    if (have_current && st.st_dev == cur_st.st_dev && st.st_ino == cur_st.st_ino) continue;
    base::Status s = FeedPlain(rfd.get(), static_cast<uint64_t>(st.st_size), it->path, &collector);
    if (!s.ok()) return s;
  }
  return collector.Lines();
}

}  // namespace vigil::logs
