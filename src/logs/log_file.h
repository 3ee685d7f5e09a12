// SPDX-License-Identifier: MIT
// logs::LogFile: one output stream (a program's stdout or stderr, or vigild's own event
// log) written to a size-rotated file. Never loses or duplicates a byte: a rotation
// happens only at a line boundary (or mid-line when one line alone exceeds max_bytes),
// and when the disk is full the bytes wait in a bounded memory buffer; what overflows it
// is counted and reported, never dropped silently.
// Thread rule: loop thread only. Compression of rotated files runs on the Compressor's
// worker thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"
#include "config/spec.h"
#include "event/loop.h"

namespace vigil::logs {

class Compressor;

class LogFile {
 public:
  // Opens (creating or appending to) `path` when the first byte arrives, so that a
  // thousand quiet programs hold neither descriptors nor buffers (with `compress` on, at
  // once, to queue rotated files an earlier run left uncompressed). Never fails: an open
  // error is reported by problem() and retried on a back-off timer (1 s doubling to
  // 30 s), or at once by Reopen() and RotateNow().
  LogFile(event::Loop& loop, std::filesystem::path path, config::LogSpec spec, Compressor* compressor);
  ~LogFile();  // ends the followers ("the log was closed")
  LogFile(const LogFile&) = delete;  // the open file refers back to its settings here
  LogFile& operator=(const LogFile&) = delete;

  // Appends `bytes` (any chunking: partial lines, many lines, megabyte lines). With
  // timestamps on, each line is prefixed with "2026-11-22T21:45:03.123Z " when its first
  // byte arrives.
  void Write(std::string_view bytes);

  // Closes and reopens the file at the same path (SIGUSR1, after external logrotate);
  // nothing to do if nothing was written yet.
  void Reopen();
  // Rotates now, even if max_bytes is not reached (empty files are not rotated).
  void RotateNow();
  // Applies new settings (reload); rotation/keep take effect from the next write.
  void SetSpec(const config::LogSpec& spec);

  // Delivers every byte written to the file from now on (with timestamps, if on) to
  // `on_data`, until the handle is destroyed or the log ends. When the log ends
  // (EndFollowers(), or the LogFile is destroyed), `on_end` is called once with the reason,
  // on a later loop turn, and nothing more after it.
  event::HandlePtr Subscribe(std::function<void(std::string_view)> on_data,
                             std::function<void(std::string_view reason)> on_end = nullptr);
  // Ends every current subscription with `reason` ("web was removed from the config").
  void EndFollowers(const std::string& reason);

  // Called with a plain-language message when writing starts failing (once per episode)
  // and when it works again, for the event log. Not for the event log's own file. Called
  // on a later loop turn, never from inside Write() (the listener may well write to a log).
  void SetProblemListener(std::function<void(const std::string&)> fn);

  std::filesystem::path path() const;
  // path() as the string it was made from, without building a std::filesystem::path.
  const std::string& path_name() const { return path_; }
  // Empty when healthy (or nothing was written yet); otherwise a plain-language problem such as
  // "cannot write /var/log/vigil/web.out.log: No space left on device (4096 bytes waiting, 0 dropped)".
  std::string problem() const;
  uint64_t dropped_bytes() const;
  // Newlines written since this LogFile was made: the sequence number of the last complete
  // line, for the live stream and for fetching the lines a slow stream client missed.
  uint64_t lines_written() const { return lines_written_; }

 private:
  class Impl;
  Impl& Opened();  // the open file, opened on first use

  event::Loop& loop_;
  // A plain string: fs::path keeps a parsed component list, which costs hundreds of bytes
  // per stream with a thousand programs.
  const std::string path_;
  config::LogSpec spec_;
  Compressor* const compressor_;
  std::function<void(const std::string&)> listener_;
  std::unique_ptr<Impl> impl_;  // null until the first byte (or Subscribe, RotateNow)
  uint64_t lines_written_ = 0;
};

}  // namespace vigil::logs
