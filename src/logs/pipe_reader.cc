// SPDX-License-Identifier: MIT
// PipeReader: non-blocking, budgeted reads from a pipe on the event loop.
#include "logs/pipe_reader.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <memory>

namespace vigil::logs {

namespace {

constexpr int kPipeBytes = 1 << 20;
constexpr size_t kReadBytes = 256 * 1024;
// Per wakeup; a flooding Child yields the loop after this much.
constexpr size_t kBudgetBytes = 1 << 20;

// One read buffer for all readers on the loop thread: on_data consumes each chunk before
// the next read, so sharing it saves 256 KiB per stream.
char* ReadBuffer() {
  thread_local std::unique_ptr<char[]> buf(new char[kReadBytes]);
  return buf.get();
}

}  // namespace

PipeReader::PipeReader(event::Loop& loop, base::UniqueFd fd,
                       std::function<void(std::string_view)> on_data, std::function<void()> on_eof)
    : loop_(loop), fd_(std::move(fd)), on_data_(std::move(on_data)), on_eof_(std::move(on_eof)) {
  int flags = ::fcntl(fd_.get(), F_GETFL);
  if (flags >= 0) ::fcntl(fd_.get(), F_SETFL, flags | O_NONBLOCK);
  // fcntl(2): F_SETPIPE_SZ fails with EPERM above /proc/sys/fs/pipe-max-size for
  // unprivileged users; the default 64 KiB pipe still works, only with more wakeups.
  ::fcntl(fd_.get(), F_SETPIPE_SZ, kPipeBytes);
}

base::Result<std::unique_ptr<PipeReader>> PipeReader::Start(event::Loop& loop, base::UniqueFd fd,
                                                            std::function<void(std::string_view)> on_data,
                                                            std::function<void()> on_eof) {
  std::unique_ptr<PipeReader> reader(new PipeReader(loop, std::move(fd), std::move(on_data), std::move(on_eof)));
  PipeReader* raw = reader.get();
  auto watch = loop.WatchReadable(raw->fd_.get(), [raw] { raw->Drain(); });
  if (!watch) return watch.error();
  raw->watch_ = std::move(watch).value();
  return reader;
}

PipeReader::~PipeReader() = default;

void PipeReader::Drain() {
  resume_.reset();
  if (!fd_.valid()) return;
  char* buf = ReadBuffer();
  size_t total = 0;
  while (total < kBudgetBytes) {
    ssize_t n = ::read(fd_.get(), buf, kReadBytes);
    if (n > 0) {
      total += static_cast<size_t>(n);
      on_data_(std::string_view(buf, static_cast<size_t>(n)));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    Finish();  // EOF, or an error that no retry will fix
    return;
  }
  // The loop's fd watch is edge-triggered (EPOLLET), so data left in the
  // pipe would not wake us again: queue a zero-delay timer behind the other ready work.
  resume_ = loop_.AddTimer(base::Duration(0), [this] { Drain(); });
}

void PipeReader::Finish() {
  watch_.reset();
  resume_.reset();
  fd_.reset();
  std::function<void()> on_eof = std::move(on_eof_);
  on_eof_ = nullptr;
  if (on_eof) on_eof();  // may destroy *this; nothing below touches members
}

}  // namespace vigil::logs
