// SPDX-License-Identifier: MIT
// stream::StreamHub: the live side of the API, GET /v1/stream (docs/api.md, "WebSocket
// /v1/stream"). The daemon tells it what happens (a program changed, an event, a task
// run, a finding); it fans that out to the connected clients that subscribed, each
// serialised once however many clients there are. It shares one LogFeed per followed
// program stream and samples usage for the metrics topic only while someone watches it,
// so with no client it costs nothing and wakes nothing.
// Thread rule: loop thread only. Owned by the daemon; outlives nothing it is given.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "api/event_controller.h"
#include "api/health_controller.h"
#include "api/program_controller.h"
#include "api/router.h"
#include "api/task_controller.h"
#include "api/websocket.h"
#include "base/clock.h"
#include "event/loop.h"
#include "stream/log_feed.h"

namespace vigil::stream {

class StreamSession;

// What a client may subscribe to besides logs.
enum class Topic : uint8_t { kStatus, kEvents, kRuns, kFindings, kMetrics };

struct StreamPorts {
  event::Loop& loop;
  api::ProgramController& programs;
  api::TailFn tail;
  // Measures the machine and every program (UsageService::Sample without disks).
  std::function<void(api::TopDoneFn)> sample;
  std::function<int64_t()> now_ms;  // wall clock, Unix milliseconds
  std::string host;
};

// Limits of one connection (documented in docs/api.md).
struct StreamLimits {
  size_t max_log_queue_bytes = 1024 * 1024;  // per followed program stream
  size_t max_log_follows = 32;              // program streams followed at once
  size_t max_queued_messages = 1000;        // events, runs, findings, answers
  size_t max_message_bytes = 256 * 1024;    // log lines batched into one message up to this
  size_t max_last_lines = 10000;            // "last" of a logs subscription
};

class StreamHub {
 public:
  static constexpr base::Duration kMetricsInterval = std::chrono::seconds(5);

  explicit StreamHub(StreamPorts ports, StreamLimits limits = {});
  ~StreamHub();  // detaches every session: their connections close as vigild does
  StreamHub(const StreamHub&) = delete;
  StreamHub& operator=(const StreamHub&) = delete;

  // A new client: the transport runs it (api::Response::websocket).
  api::WebSocketPeerPtr Open();

  // What happened; each is cheap when nobody listens.
  void ProgramChanged(const std::string& name);
  void EventRecorded(const api::EventInfo& event);
  void RunChanged(const api::RunInfo& run);
  void FindingRecorded(const api::FindingInfo& finding);

  // Whether any client subscribed to `topic`: what is told to no one need not be built.
  bool Wants(Topic topic) const;

  // For /metrics.
  size_t connections() const { return sessions_.size(); }
  uint64_t dropped_lines() const { return dropped_lines_; }

  // --- for sessions ---
  const StreamPorts& ports() const { return ports_; }
  const StreamLimits& limits() const { return limits_; }
  // The feed of `program`'s `stream`, shared; NotFound for an unknown program.
  base::Result<std::shared_ptr<LogFeed>> Feed(const std::string& program, api::Stream stream);
  // A session's subscriptions changed: start or stop sampling for the metrics topic.
  void MetricsInterestChanged();
  void CountDropped(uint64_t lines) { dropped_lines_ += lines; }
  void Forget(StreamSession* session);
  // The latest metrics message, if any was made yet.
  std::shared_ptr<const std::string> last_metrics() const { return last_metrics_; }

 private:
  template <typename Fn>
  void ForEachSession(Fn&& fn);
  void SampleNow();
  void OnSample(base::Result<api::TopView> view);

  StreamPorts ports_;
  StreamLimits limits_;
  std::vector<StreamSession*> sessions_;
  std::map<std::string, std::weak_ptr<LogFeed>> feeds_;  // "program\nstdout"
  event::HandlePtr metrics_timer_;
  bool sampling_ = false;
  std::shared_ptr<const std::string> last_metrics_;
  uint64_t dropped_lines_ = 0;
  std::shared_ptr<char> alive_ = std::make_shared<char>();  // for the sampler's late answer
};

}  // namespace vigil::stream
