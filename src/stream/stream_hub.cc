// SPDX-License-Identifier: MIT
// StreamHub: fans what vigild does out to the clients of GET /v1/stream (see stream_hub.h).
#include "stream/stream_hub.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "api/json_codec.h"
#include "stream/stream_messages.h"
#include "stream/stream_session.h"

namespace vigil::stream {

using nlohmann::json;

StreamHub::StreamHub(StreamPorts ports, StreamLimits limits) : ports_(std::move(ports)), limits_(limits) {}

StreamHub::~StreamHub() {
  metrics_timer_.reset();
  auto sessions = std::move(sessions_);
  sessions_.clear();
  for (StreamSession* session : sessions) session->Detach();
}

api::WebSocketPeerPtr StreamHub::Open() {
  auto session = std::make_shared<StreamSession>(*this);
  sessions_.push_back(session.get());
  return session;
}

void StreamHub::Forget(StreamSession* session) {
  sessions_.erase(std::remove(sessions_.begin(), sessions_.end(), session), sessions_.end());
  MetricsInterestChanged();
}

// Walks a copy: a session may leave while it is told something (its connection failing).
template <typename Fn>
void StreamHub::ForEachSession(Fn&& fn) {
  const auto sessions = sessions_;
  for (StreamSession* session : sessions) {
    if (std::find(sessions_.begin(), sessions_.end(), session) != sessions_.end()) fn(*session);
  }
}

bool StreamHub::Wants(Topic topic) const {
  return std::any_of(sessions_.begin(), sessions_.end(), [topic](const StreamSession* s) { return s->Wants(topic); });
}

void StreamHub::ProgramChanged(const std::string& name) {
  if (sessions_.empty()) return;
  ForEachSession([&](StreamSession& s) {
    if (s.Wants(Topic::kStatus)) s.ProgramChanged(name);
  });
}

void StreamHub::EventRecorded(const api::EventInfo& event) {
  if (sessions_.empty()) return;
  std::shared_ptr<const std::string> message;
  ForEachSession([&](StreamSession& s) {
    if (!s.Wants(Topic::kEvents)) return;
    if (!message) message = Shared(json{{"type", "event"}, {"event", api::ToJson(event)}});
    s.Publish(Topic::kEvents, message);
  });
}

void StreamHub::RunChanged(const api::RunInfo& run) {
  if (sessions_.empty()) return;
  std::shared_ptr<const std::string> message;
  ForEachSession([&](StreamSession& s) {
    if (!s.Wants(Topic::kRuns)) return;
    if (!message) message = Shared(json{{"type", "run"}, {"run", api::ToJson(run)}});
    s.Publish(Topic::kRuns, message);
  });
}

void StreamHub::FindingRecorded(const api::FindingInfo& finding) {
  if (sessions_.empty()) return;
  std::shared_ptr<const std::string> message;
  ForEachSession([&](StreamSession& s) {
    if (!s.Wants(Topic::kFindings)) return;
    if (!message) message = Shared(json{{"type", "finding"}, {"finding", api::ToJson(finding)}});
    s.Publish(Topic::kFindings, message);
  });
}

base::Result<std::shared_ptr<LogFeed>> StreamHub::Feed(const std::string& program, api::Stream stream) {
  const std::string key = program + (stream == api::Stream::kStdout ? "\nstdout" : "\nstderr");
  if (auto it = feeds_.find(key); it != feeds_.end()) {
    if (auto feed = it->second.lock(); feed && !feed->ended()) return feed;
    feeds_.erase(it);
  }
  // A program whose regex is refused by the config loader never gets here; should one
  // slip through, the built-in detection stands in.
  auto detector = LevelDetector::Make(ports_.programs.LogLevelRegex(program));
  const auto next_seq = static_cast<int64_t>(ports_.programs.LogLineCount(program, stream)) + 1;
  auto feed = std::make_shared<LogFeed>(detector ? std::move(detector).value() : LevelDetector(), next_seq,
                                        ports_.now_ms);
  auto& programs = ports_.programs;
  auto started = feed->Start([&](std::function<void(std::string_view)> on_data, std::function<void(std::string_view)> on_end) {
    return programs.FollowLog(program, stream, std::move(on_data), std::move(on_end));
  });
  if (!started.ok()) return started;
  // Forget feeds nobody holds any more, so the map does not grow with every program ever followed.
  std::erase_if(feeds_, [](const auto& entry) { return entry.second.expired(); });
  feeds_[key] = feed;
  return feed;
}

void StreamHub::MetricsInterestChanged() {
  if (!Wants(Topic::kMetrics)) {
    metrics_timer_.reset();
    return;
  }
  if (!metrics_timer_ && !sampling_) SampleNow();
}

void StreamHub::SampleNow() {
  metrics_timer_.reset();
  sampling_ = true;
  ports_.sample([this, alive = std::weak_ptr<char>(alive_)](base::Result<api::TopView> view) {
    if (!alive.expired()) OnSample(std::move(view));
  });
}

void StreamHub::OnSample(base::Result<api::TopView> view) {
  sampling_ = false;
  bool wanted = false;
  if (view) {
    last_metrics_ = Shared(MetricsMessage(*view, ports_.now_ms()));
    ForEachSession([&](StreamSession& s) {
      if (!s.Wants(Topic::kMetrics)) return;
      wanted = true;
      s.SetMetrics(last_metrics_);
    });
  } else {
    wanted = Wants(Topic::kMetrics);
  }
  if (wanted) metrics_timer_ = ports_.loop.AddTimer(kMetricsInterval, [this] { SampleNow(); });
}

}  // namespace vigil::stream
