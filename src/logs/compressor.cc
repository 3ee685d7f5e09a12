// SPDX-License-Identifier: MIT
// Compressor's worker thread and the gzip-to-temp-then-rename routine it runs.
#include "logs/compressor.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <vector>

#include "base/unique_fd.h"
#include "logs/rotated_files.h"

namespace vigil::logs {
namespace fs = std::filesystem;

namespace {

constexpr size_t kChunkBytes = 256 * 1024;

ssize_t ReadRetrying(int fd, char* buf, size_t n) {
  for (;;) {
    ssize_t r = ::read(fd, buf, n);
    if (r >= 0 || errno != EINTR) return r;
  }
}

}  // namespace

base::Status GzipFile(const fs::path& from, const fs::path& to) {
  base::UniqueFd in(::open(from.c_str(), O_RDONLY | O_CLOEXEC));
  if (!in.valid()) return base::ErrnoStatus("cannot open " + from.string(), errno);
  const fs::path tmp = to.string() + ".tmp";
  base::UniqueFd out(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640));
  if (!out.valid()) return base::ErrnoStatus("cannot create " + tmp.string(), errno);
  // gzclose() closes the descriptor it was given; keep our own for the fsync below.
  int gz_fd = ::dup(out.get());
  if (gz_fd < 0) return base::ErrnoStatus("dup", errno);
  gzFile gz = ::gzdopen(gz_fd, "wb");
  if (gz == nullptr) {
    ::close(gz_fd);
    ::unlink(tmp.c_str());
    return base::Status::Internal("gzdopen failed for " + tmp.string());
  }
  ::gzbuffer(gz, kChunkBytes);
  std::vector<char> buf(kChunkBytes);
  base::Status status;
  for (;;) {
    ssize_t n = ReadRetrying(in.get(), buf.data(), buf.size());
    if (n == 0) break;
    if (n < 0) {
      status = base::ErrnoStatus("cannot read " + from.string(), errno);
      break;
    }
    if (::gzwrite(gz, buf.data(), static_cast<unsigned>(n)) != static_cast<int>(n)) {
      int zerr = 0;
      const char* msg = ::gzerror(gz, &zerr);
      status = zerr == Z_ERRNO ? base::ErrnoStatus("cannot write " + tmp.string(), errno)
                               : base::Status::IoError("cannot write " + tmp.string() + ": " + msg);
      break;
    }
  }
  int close_rc = ::gzclose(gz);
  if (status.ok() && close_rc != Z_OK) {
    status = base::Status::IoError("cannot finish " + tmp.string() + " (gzclose " +
                                   std::to_string(close_rc) + ")");
  }
  // The original is deleted right after the rename: the copy must be on disk first.
  if (status.ok() && ::fsync(out.get()) != 0) {
    status = base::ErrnoStatus("cannot fsync " + tmp.string(), errno);
  }
  if (status.ok() && ::rename(tmp.c_str(), to.c_str()) != 0) {
    status = base::ErrnoStatus("cannot rename " + tmp.string(), errno);
  }
  if (!status.ok()) ::unlink(tmp.c_str());
  return status;
}

Compressor::~Compressor() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  work_cv_.notify_all();
  if (worker_.joinable()) worker_.join();
}

void Compressor::Enqueue(Job job) {
  {
    std::lock_guard lock(mu_);
    jobs_.push_back(std::move(job));
    if (!worker_.joinable()) worker_ = std::thread([this] { Run(); });
  }
  work_cv_.notify_one();
}

void Compressor::WaitIdle() {
  std::unique_lock lock(mu_);
  idle_cv_.wait(lock, [this] { return jobs_.empty() && !busy_; });
}

void Compressor::Run() {
  std::unique_lock lock(mu_);
  for (;;) {
    work_cv_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
    if (jobs_.empty()) return;  // stopping, and nothing left to finish
    Job job = std::move(jobs_.front());
    jobs_.pop_front();
    busy_ = true;
    lock.unlock();
    base::Status status = Execute(job);
    if (job.done) job.done(status);
    lock.lock();
    busy_ = false;
    if (jobs_.empty()) idle_cv_.notify_all();
  }
}

base::Status Compressor::Execute(const Job& job) {
  auto files = RotatedFiles(job.current);
  if (!files.has_value()) return files.error();
  size_t keep = job.keep < 0 ? 0 : static_cast<size_t>(job.keep);
  size_t first_kept = files->size() > keep ? files->size() - keep : 0;
  bool kept = false;
  for (size_t i = first_kept; i < files->size(); ++i) {
    if ((*files)[i].path.filename() == job.file.filename()) kept = true;
  }
  base::Status status;
  if (kept) {
    status = GzipFile(job.file, job.file.string() + ".gz");
    if (status.ok() && ::unlink(job.file.c_str()) != 0 && errno != ENOENT) {
      status = base::ErrnoStatus("cannot delete " + job.file.string(), errno);
    }
  } else if (::unlink(job.file.c_str()) != 0 && errno != ENOENT) {
    status = base::ErrnoStatus("cannot delete old log " + job.file.string(), errno);
  }
  base::Status pruned = PruneRotated(job.current, job.keep);
  return status.ok() ? pruned : status;
}

}  // namespace vigil::logs
