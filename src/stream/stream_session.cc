// SPDX-License-Identifier: MIT
// StreamSession: one client of GET /v1/stream (see stream_session.h).
#include "stream/stream_session.h"

#include <nlohmann/json.hpp>

#include "api/json_codec.h"
#include "stream/stream_hub.h"
#include "stream/stream_messages.h"

namespace vigil::stream {

using nlohmann::json;

namespace {

// Bytes a queued log line is charged beyond its text (the entry, the deque's share).
constexpr size_t kEntryOverhead = 64;

constexpr std::string_view kTopicNames[] = {"status", "events", "runs", "findings", "metrics"};

std::optional<Topic> TopicNamed(std::string_view name) {
  for (size_t i = 0; i < std::size(kTopicNames); ++i) {
    if (kTopicNames[i] == name) return static_cast<Topic>(i);
  }
  return std::nullopt;
}

std::string_view StreamName(api::Stream stream) { return stream == api::Stream::kStdout ? "stdout" : "stderr"; }

std::string FollowKey(const std::string& program, api::Stream stream) {
  return program + "\n" + std::string(StreamName(stream));
}

// A string field of a request, or `fallback` when absent; nullopt when not a string.
std::optional<std::string> StringField(const json& request, const char* key, std::string fallback) {
  auto it = request.find(key);
  if (it == request.end()) return fallback;
  if (!it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

}  // namespace

StreamSession::StreamSession(StreamHub& hub) : hub_(&hub) {}

StreamSession::~StreamSession() {
  if (hub_ != nullptr) hub_->Forget(this);
}

void StreamSession::Detach() {
  follows_.clear();  // before the hub's feeds go
  hub_ = nullptr;
  topics_ = 0;
  if (sink_ != nullptr) sink_->Close(api::kCloseGoingAway, "vigild is shutting down");
}

void StreamSession::OnOpen(api::WebSocketSink& sink) {
  sink_ = &sink;
  if (hub_ == nullptr) return sink.Close(api::kCloseGoingAway, "vigild is shutting down");
  Answer(json{{"type", "hello"}, {"version", 1}, {"host", hub_->ports().host}});
}

void StreamSession::OnClosed() {
  sink_ = nullptr;
  follows_.clear();
  queue_.clear();
  topics_ = 0;
  if (StreamHub* hub = std::exchange(hub_, nullptr)) hub->Forget(this);
}

void StreamSession::OnWritten() { Pump(); }

void StreamSession::Disconnect(uint16_t code, std::string_view reason) {
  if (sink_ != nullptr) sink_->Close(code, reason);
}

void StreamSession::OnMessage(std::string_view text) {
  if (hub_ == nullptr || sink_ == nullptr) return;
  const json request = json::parse(text, nullptr, /*allow_exceptions=*/false);
  const auto op = request.is_object() ? request.find("op") : request.end();
  if (!request.is_object() || op == request.end() || !op->is_string() ||
      (*op != "subscribe" && *op != "unsubscribe")) {
    return sink_->Close(api::kCloseBadMessage, R"(expected {"op": "subscribe" or "unsubscribe", "topic": ...})");
  }
  if (*op == "subscribe") {
    Subscribe(request);
  } else {
    Unsubscribe(request);
  }
}

void StreamSession::Subscribe(const json& request) {
  json ack{{"type", "ack"}, {"op", "subscribe"}};
  if (auto id = request.find("id"); id != request.end()) ack["id"] = *id;
  auto fail = [&](const std::string& message) {
    ack["type"] = "error";
    ack.erase("op");
    ack["message"] = message;
    Answer(std::move(ack));
  };
  const auto topic_name = StringField(request, "topic", "");
  if (!topic_name) return fail("topic must be a string");
  ack["topic"] = *topic_name;
  if (*topic_name == "logs") {
    const auto program = StringField(request, "program", "");
    const auto stream = StringField(request, "stream", "stdout");
    const auto level_word = StringField(request, "level", "ALL");
    if (!program || program->empty()) return fail("logs: program must name a program");
    if (!stream || (*stream != "stdout" && *stream != "stderr" && *stream != "both")) {
      return fail("logs: stream must be stdout, stderr or both");
    }
    const auto level = level_word ? ParseLevelFilter(*level_word) : std::nullopt;
    if (!level) return fail("logs: level must be ALL, DEBUG, INFO, WARNING or ERROR");
    size_t last = 0;
    if (auto it = request.find("last"); it != request.end()) {
      if (!it->is_number_unsigned() || it->get<uint64_t>() > hub_->limits().max_last_lines) {
        return fail("logs: last must be a number from 0 to " + std::to_string(hub_->limits().max_last_lines));
      }
      last = it->get<size_t>();
    }
    ack["program"] = *program;
    ack["stream"] = *stream;
    std::vector<api::Stream> streams;
    if (*stream != "stderr") streams.push_back(api::Stream::kStdout);
    if (*stream != "stdout") streams.push_back(api::Stream::kStderr);
    size_t adding = 0;
    for (api::Stream s : streams) adding += follows_.count(FollowKey(*program, s)) == 0 ? 1 : 0;
    if (follows_.size() + adding > hub_->limits().max_log_follows) {
      return fail("logs: at most " + std::to_string(hub_->limits().max_log_follows) +
                  " program streams can be followed at once; unsubscribe from one first");
    }
    // Every feed first: a subscription is refused whole (an unknown program), never
    // acknowledged and then half followed.
    std::vector<std::shared_ptr<LogFeed>> feeds;
    for (api::Stream s : streams) {
      auto feed = hub_->Feed(*program, s);
      if (!feed) return fail(feed.error().message());
      feeds.push_back(std::move(feed).value());
    }
    // The acknowledgement goes before the history, which follows in the queues.
    Answer(ack);
    for (size_t i = 0; i < streams.size(); ++i) FollowLogs(*program, streams[i], feeds[i], *level, last);
    Pump();
    return;
  }
  const auto topic = TopicNamed(*topic_name);
  if (!topic) return fail("unknown topic: " + *topic_name + " (status, events, runs, findings, metrics or logs)");
  topics_ |= Bit(*topic);
  Answer(std::move(ack));
  if (*topic == Topic::kStatus) {
    status_full_ = true;
    status_dirty_.clear();
  }
  if (*topic == Topic::kMetrics) {
    if (auto last = hub_->last_metrics()) metrics_ = last;
    hub_->MetricsInterestChanged();
  }
  Pump();
}

void StreamSession::Unsubscribe(const json& request) {
  json ack{{"type", "ack"}, {"op", "unsubscribe"}};
  if (auto id = request.find("id"); id != request.end()) ack["id"] = *id;
  const auto topic_name = StringField(request, "topic", "");
  if (topic_name && *topic_name == "logs") {
    const auto program = StringField(request, "program", "");
    if (!program) return Answer(json{{"type", "error"}, {"message", "logs: program must be a string"}});
    for (api::Stream s : {api::Stream::kStdout, api::Stream::kStderr}) follows_.erase(FollowKey(*program, s));
    ack["topic"] = "logs";
    ack["program"] = *program;
    return Answer(std::move(ack));
  }
  const auto topic = topic_name ? TopicNamed(*topic_name) : std::nullopt;
  if (!topic) return Answer(json{{"type", "error"}, {"message", "unknown topic: " + topic_name.value_or("")}});
  topics_ &= static_cast<uint8_t>(~Bit(*topic));
  if (*topic == Topic::kStatus) {
    status_dirty_.clear();
    status_full_ = false;
  }
  if (*topic == Topic::kMetrics) {
    metrics_.reset();
    hub_->MetricsInterestChanged();
  }
  ack["topic"] = *topic_name;
  Answer(std::move(ack));
}

void StreamSession::FollowLogs(const std::string& program, api::Stream stream, const std::shared_ptr<LogFeed>& feed,
                               LogLevel min_level, size_t last) {
  const std::string key = FollowKey(program, stream);
  follows_.erase(key);  // a new subscription replaces the old one, history and all
  LogFollow& follow = follows_[key];
  follow.program = program;
  follow.stream = stream;
  follow.min_level = min_level;
  const StreamPorts& ports = hub_->ports();
  if (last > 0) {
    // The file's last lines end at its line count: they get the seqs just before the live ones.
    auto path = ports.programs.LogPath(program, stream);
    auto lines = path ? ports.tail(*path, last) : base::Result<std::vector<std::string>>(path.error());
    if (lines) {
      const auto count = static_cast<int64_t>(ports.programs.LogLineCount(program, stream));
      int64_t seq = count - static_cast<int64_t>(lines->size()) + 1;
      for (const std::string& line : *lines) {
        Queue(follow, seq++, 0, feed->detector().Detect(line), line);
      }
    }
  }
  follow.listen = feed->Listen([this, &follow](const LogLine& line) { OnLine(follow, line); },
                                  [this, program, stream](std::string_view reason) {
                                    Answer(json{{"type", "log_end"},
                                                {"program", program},
                                                {"stream", StreamName(stream)},
                                                {"reason", reason}});
                                  });
}

void StreamSession::OnLine(LogFollow& follow, const LogLine& line) {
  Queue(follow, line.seq, line.time_ms, line.level, line.text);
  PumpSoon();
}

void StreamSession::Queue(LogFollow& follow, int64_t seq, int64_t time_ms, LogLevel level, std::string_view text) {
  if (follow.min_level != LogLevel::kNone && level < follow.min_level) return;
  const size_t cost = text.size() + kEntryOverhead;
  if (follow.queued_bytes + cost > hub_->limits().max_log_queue_bytes) {
    hub_->CountDropped(1);
    if (!follow.queue.empty() && follow.queue.back().gap_count > 0) {
      follow.queue.back().gap_to = seq;
      ++follow.queue.back().gap_count;
    } else {
      follow.queue.push_back(LogEntry{seq, 0, LogLevel::kNone, {}, seq, 1});
      follow.queued_bytes += kEntryOverhead;
    }
    return;
  }
  follow.queue.push_back(LogEntry{seq, time_ms, level, std::string(text), 0, 0});
  follow.queued_bytes += cost;
}

void StreamSession::ProgramChanged(const std::string& name) {
  if (status_full_) return;  // the full list goes next anyway
  status_dirty_.insert(name);
  PumpSoon();
}

void StreamSession::Publish(Topic topic, const std::shared_ptr<const std::string>& message) {
  if (queue_.size() >= hub_->limits().max_queued_messages) {
    ++dropped_messages_[topic];
    return;
  }
  queue_.push_back(message);
  PumpSoon();
}

void StreamSession::SetMetrics(std::shared_ptr<const std::string> message) {
  metrics_ = std::move(message);  // an older one not yet sent is replaced: only the latest matters
  PumpSoon();
}

void StreamSession::Answer(json message) {
  // Answers are few (one per request) and never dropped.
  queue_.push_back(Shared(message));
  Pump();
}

// What the hub tells a session comes from inside someone else's work (a log file's
// write, a program's note, an event being recorded): the message is built on a later loop
// turn, so that reading a program's state never happens while it changes, and so that a
// burst of lines in one turn leaves as one message.
void StreamSession::PumpSoon() {
  if (pump_posted_ || hub_ == nullptr) return;
  pump_posted_ = true;
  hub_->ports().loop.Post([weak = weak_from_this()] {
    if (auto self = weak.lock()) {
      self->pump_posted_ = false;
      self->Pump();
    }
  });
}

void StreamSession::Pump() {
  if (sink_ == nullptr || hub_ == nullptr || sink_->writing()) return;
  std::string next = NextMessage();
  if (!next.empty()) sink_->Send(std::move(next));
}

std::string StreamSession::NextMessage() {
  if (!dropped_messages_.empty()) {
    auto it = dropped_messages_.begin();
    json message{{"type", "dropped"}, {"topic", kTopicNames[static_cast<size_t>(it->first)]}, {"count", it->second}};
    dropped_messages_.erase(it);
    return Dump(message);
  }
  if (Wants(Topic::kStatus) && (status_full_ || !status_dirty_.empty())) return StatusMessage();
  if (!queue_.empty()) {
    std::string message = *queue_.front();
    queue_.pop_front();
    return message;
  }
  if (metrics_) {
    std::string message = *metrics_;
    metrics_.reset();
    return message;
  }
  // Round robin: the follow after the one served last, so one flooding program cannot
  // starve another.
  if (follows_.empty()) return {};
  auto start = follows_.upper_bound(next_follow_);
  for (size_t i = 0; i < follows_.size(); ++i, ++start) {
    if (start == follows_.end()) start = follows_.begin();
    if (!start->second.queue.empty()) {
      next_follow_ = start->first;
      return LogMessage(start->second);
    }
  }
  return {};
}

std::string StreamSession::StatusMessage() {
  api::ProgramController& programs = hub_->ports().programs;
  json message{{"type", "status"}};
  if (status_full_) {
    status_full_ = false;
    status_dirty_.clear();
    json list = json::array();
    for (const api::ProgramInfo& info : programs.ListPrograms()) list.push_back(api::ToJson(info));
    message["programs"] = std::move(list);
    message["full"] = true;
    return Dump(message);
  }
  json list = json::array();
  json removed = json::array();
  for (const std::string& name : status_dirty_) {
    auto info = programs.GetProgram(name);
    if (info) {
      list.push_back(api::ToJson(*info));
    } else {
      removed.push_back(name);
    }
  }
  status_dirty_.clear();
  message["programs"] = std::move(list);
  if (!removed.empty()) message["removed"] = std::move(removed);
  return Dump(message);
}

std::string StreamSession::LogMessage(LogFollow& follow) {
  LogEntry& front = follow.queue.front();
  if (front.gap_count > 0) {
    json message{{"type", "dropped"},     {"program", follow.program}, {"stream", StreamName(follow.stream)},
                 {"from_seq", front.seq}, {"to_seq", front.gap_to},    {"count", front.gap_count}};
    follow.queued_bytes -= kEntryOverhead;
    follow.queue.pop_front();
    return Dump(message);
  }
  json lines = json::array();
  size_t bytes = 0;
  while (!follow.queue.empty() && follow.queue.front().gap_count == 0 &&
         (bytes == 0 || bytes + follow.queue.front().text.size() <= hub_->limits().max_message_bytes)) {
    LogEntry& entry = follow.queue.front();
    const size_t size = entry.text.size();
    bytes += size + 48;
    json line{{"seq", entry.seq}, {"level", LogLevelName(entry.level)}, {"text", std::move(entry.text)}};
    if (entry.time_ms > 0) line["time_ms"] = entry.time_ms;
    lines.push_back(std::move(line));
    follow.queued_bytes -= std::min(follow.queued_bytes, size + kEntryOverhead);
    follow.queue.pop_front();
  }
  return Dump(json{{"type", "logs"}, {"program", follow.program}, {"stream", StreamName(follow.stream)},
                   {"lines", std::move(lines)}});
}

}  // namespace vigil::stream
