// SPDX-License-Identifier: MIT
// stream::StreamSession: one client of GET /v1/stream. Reads its subscribe and
// unsubscribe messages, and decides what to write next whenever the transport is free:
// answers, then program status (coalesced: only the latest of each program), then events,
// runs and findings (a bounded queue), then metrics (only the latest), then log lines
// (a bounded queue per followed stream; lines that do not fit are dropped and reported as
// one `dropped` range). So a slow client costs bounded memory and never slows a program.
// Thread rule: loop thread only.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "api/websocket.h"
#include "stream/log_feed.h"
#include "stream/stream_hub.h"

namespace vigil::stream {

class StreamSession final : public api::WebSocketPeer, public std::enable_shared_from_this<StreamSession> {
 public:
  explicit StreamSession(StreamHub& hub);
  ~StreamSession() override;

  // The hub is going away: drop everything that refers to it and close.
  void Detach();
  bool Wants(Topic topic) const { return (topics_ & Bit(topic)) != 0; }

  // From the hub.
  void ProgramChanged(const std::string& name);
  void Publish(Topic topic, const std::shared_ptr<const std::string>& message);
  void SetMetrics(std::shared_ptr<const std::string> message);

  // api::WebSocketPeer
  void OnOpen(api::WebSocketSink& sink) override;
  void OnMessage(std::string_view text) override;
  void OnWritten() override;
  void OnClosed() override;
  void Disconnect(uint16_t code, std::string_view reason) override;

 private:
  // One queued log entry: a line, or a range of lines dropped for want of room.
  struct LogEntry {
    int64_t seq = 0;
    int64_t time_ms = 0;
    LogLevel level = LogLevel::kNone;
    std::string text;
    int64_t gap_to = 0;   // > 0: a gap from seq to gap_to
    uint64_t gap_count = 0;
  };
  struct LogFollow {
    std::string program;
    api::Stream stream = api::Stream::kStdout;
    LogLevel min_level = LogLevel::kNone;
    event::HandlePtr listen;
    std::deque<LogEntry> queue;
    size_t queued_bytes = 0;
  };

  static uint8_t Bit(Topic topic) { return static_cast<uint8_t>(1u << static_cast<unsigned>(topic)); }

  void Subscribe(const nlohmann::json& request);
  void Unsubscribe(const nlohmann::json& request);
  // Follows `feed` (the program's `stream`), its `last` lines of history first.
  void FollowLogs(const std::string& program, api::Stream stream, const std::shared_ptr<LogFeed>& feed,
                  LogLevel min_level, size_t last);
  void OnLine(LogFollow& follow, const LogLine& line);
  void Queue(LogFollow& follow, int64_t seq, int64_t time_ms, LogLevel level, std::string_view text);
  void Answer(nlohmann::json message);
  void Pump();
  void PumpSoon();
  std::string NextMessage();
  std::string StatusMessage();
  std::string LogMessage(LogFollow& follow);

  StreamHub* hub_;
  api::WebSocketSink* sink_ = nullptr;
  uint8_t topics_ = 0;
  std::deque<std::shared_ptr<const std::string>> queue_;  // answers, events, runs, findings
  std::map<Topic, uint64_t> dropped_messages_;            // per topic, not yet reported
  bool status_full_ = false;
  std::set<std::string> status_dirty_;
  std::shared_ptr<const std::string> metrics_;
  std::map<std::string, LogFollow> follows_;  // "program\nstream"
  std::string next_follow_;                   // round robin among the follows
  bool pump_posted_ = false;
};

}  // namespace vigil::stream
