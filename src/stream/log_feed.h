// SPDX-License-Identifier: MIT
// stream::LogFeed: one program stream's live log as numbered lines, shared by every
// WebSocket client that follows it (one subscription to the log file, one split into
// lines and one level detection per line, however many clients watch). A line's seq is
// the log file's count of complete lines (logs::LogFile::lines_written), so a client can
// fetch lines it missed over REST by seq.
// Thread rule: loop thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "api/program_controller.h"
#include "event/loop.h"
#include "stream/log_level.h"

namespace vigil::stream {

struct LogLine {
  int64_t seq = 0;
  int64_t time_ms = 0;  // when vigild received it; 0 for lines read back from the file
  LogLevel level = LogLevel::kNone;
  std::string_view text;  // without the newline; valid during the call only
};

class LogFeed : public std::enable_shared_from_this<LogFeed> {
 public:
  // A line longer than this is cut for the stream (the file keeps it whole).
  static constexpr size_t kMaxLineBytes = 16 * 1024;

  using LineFn = std::function<void(const LogLine& line)>;
  using EndFn = std::function<void(std::string_view reason)>;

  // `next_seq` is the seq of the first line to arrive (lines_written + 1).
  LogFeed(LevelDetector detector, int64_t next_seq, std::function<int64_t()> now_ms);

  // Starts following: `follow` is ProgramController::FollowLog bound to this stream.
  base::Status Start(const std::function<base::Result<event::HandlePtr>(std::function<void(std::string_view)>,
                                                                        std::function<void(std::string_view)>)>& follow);

  // Delivers every line from now on to `on_line` until the handle is destroyed; when the
  // log ends (its program left the config), `on_end` once. The feed lives while any
  // handle does.
  event::HandlePtr Listen(LineFn on_line, EndFn on_end);

  const LevelDetector& detector() const { return detector_; }
  bool ended() const { return ended_; }

  // For tests: feed bytes as the log file would.
  void OnData(std::string_view data);
  void OnEnd(std::string_view reason);

 private:
  struct Listener {
    LineFn on_line;
    EndFn on_end;
    bool alive = true;
  };
  class ListenHandle;

  void Emit(std::string_view text);

  LevelDetector detector_;
  int64_t next_seq_;
  std::function<int64_t()> now_ms_;
  event::HandlePtr follow_;
  std::string partial_;
  bool cut_ = false;  // the partial line was cut at kMaxLineBytes
  bool ended_ = false;
  std::vector<std::shared_ptr<Listener>> listeners_;
};

}  // namespace vigil::stream
