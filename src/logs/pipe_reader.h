// SPDX-License-Identifier: MIT
// logs::PipeReader: drains one output pipe of a Child into a callback, in large chunks,
// without letting one flooding Child starve the event loop.
// Thread rule: loop thread only. Owned by whoever owns the stream (usually per Child).
#pragma once

#include <functional>
#include <memory>
#include <string_view>

#include "base/status.h"
#include "base/unique_fd.h"
#include "event/loop.h"

namespace vigil::logs {

class PipeReader {
 public:
  // Takes the read end `fd`, makes it non-blocking, asks for a 1 MiB pipe buffer (a
  // failure there only costs throughput) and watches it on the loop. `on_data` receives
  // each chunk read; the view is valid only during the call, and `on_data` must not destroy
  // the reader. `on_eof` is called once, at end of file or on a read error; after it the fd
  // is closed and nothing more is called, so `on_eof` may destroy the reader.
  // Fails when the loop cannot watch the fd (then `fd` is closed and nothing is called):
  // the writer would block on a full pipe, so the caller must not leave it running.
  static base::Result<std::unique_ptr<PipeReader>> Start(event::Loop& loop, base::UniqueFd fd,
                                                         std::function<void(std::string_view)> on_data,
                                                         std::function<void()> on_eof);
  ~PipeReader();
  PipeReader(const PipeReader&) = delete;
  PipeReader& operator=(const PipeReader&) = delete;

  bool at_eof() const { return !fd_.valid(); }

 private:
  PipeReader(event::Loop& loop, base::UniqueFd fd, std::function<void(std::string_view)> on_data,
             std::function<void()> on_eof);
  void Drain();
  void Finish();

  event::Loop& loop_;
  base::UniqueFd fd_;
  std::function<void(std::string_view)> on_data_;
  std::function<void()> on_eof_;
  event::HandlePtr watch_;
  event::HandlePtr resume_;  // set when a wakeup hit its budget with data left
};

}  // namespace vigil::logs
