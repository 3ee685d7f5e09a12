// SPDX-License-Identifier: MIT
// StreamHub and StreamSession against a fake controller and a fake WebSocket sink: the
// messages of each topic, coalesced status, bounded queues with `dropped` reports, log
// history with seqs, level filters, bad requests, and the hub going away first.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "api/fake_controller_test_util.h"
#include "event/loop.h"
#include "stream/stream_hub.h"
#include "stream/stream_session.h"
#include "stream/stream_test_util.h"

namespace vigil::stream {
namespace {

using nlohmann::json;

class StreamSessionTest : public ::testing::Test {
 protected:
  StreamSessionTest() {
    fake_.programs = {Program("web", "RUNNING"), Program("worker", "STOPPED")};
  }

  static api::ProgramInfo Program(const std::string& name, const std::string& state) {
    api::ProgramInfo p;
    p.name = name;
    p.state = state;
    return p;
  }

  StreamHub& Hub(StreamLimits limits = {}) {
    hub_ = std::make_unique<StreamHub>(
        StreamPorts{loop_, fake_,
                    [this](const std::filesystem::path& path, size_t n) -> base::Result<std::vector<std::string>> {
                      tail_asked_ = path.string();
                      std::vector<std::string> lines = tail_;
                      if (lines.size() > n) lines.erase(lines.begin(), lines.end() - static_cast<long>(n));
                      return lines;
                    },
                    [this](api::TopDoneFn done) { samples_.push_back(std::move(done)); },
                    [] { return int64_t{1700000000000}; }, "testhost"},
        limits);
    return *hub_;
  }

  // Runs the posted work: what the hub is told leaves on a later loop turn.
  void Settle() {
    while (loop_.Poll() > 0) {
    }
  }

  // A connected client.
  std::shared_ptr<api::WebSocketPeer> Connect(FakeSink& sink) {
    auto peer = hub_->Open();
    sink.peer = peer.get();
    peer->OnOpen(sink);
    return peer;
  }

  event::Loop loop_;
  api::FakeController fake_;
  std::vector<std::string> tail_;
  std::string tail_asked_;
  std::vector<api::TopDoneFn> samples_;
  std::unique_ptr<StreamHub> hub_;
};

TEST_F(StreamSessionTest, SaysHelloThenAcksAndSendsEveryProgram) {
  Hub();
  FakeSink sink;
  auto peer = Connect(sink);
  peer->OnMessage(R"({"op":"subscribe","topic":"status","id":7})");
  auto messages = sink.Messages();
  ASSERT_EQ(messages.size(), 3u);
  EXPECT_EQ(messages[0], (json{{"type", "hello"}, {"version", 1}, {"host", "testhost"}}));
  EXPECT_EQ(messages[1], (json{{"type", "ack"}, {"op", "subscribe"}, {"topic", "status"}, {"id", 7}}));
  EXPECT_EQ(messages[2]["type"], "status");
  EXPECT_EQ(messages[2]["full"], true);
  ASSERT_EQ(messages[2]["programs"].size(), 2u);
  EXPECT_EQ(messages[2]["programs"][0]["name"], "web");
  EXPECT_EQ(hub_->connections(), 1u);
}

TEST_F(StreamSessionTest, StatusChangesAreCoalescedToTheLatest) {
  Hub();
  FakeSink sink;
  auto peer = Connect(sink);
  peer->OnMessage(R"({"op":"subscribe","topic":"status"})");
  sink.hold = true;
  sink.sent.clear();
  // One message goes out and stays unwritten; meanwhile web changes three times.
  fake_.programs[1].state = "STARTING";
  hub_->ProgramChanged("worker");
  Settle();
  for (const char* state : {"STOPPING", "STOPPED", "STARTING"}) {
    fake_.programs[0].state = state;
    hub_->ProgramChanged("web");
  }
  fake_.programs.pop_back();  // worker leaves the config
  hub_->ProgramChanged("worker");
  Settle();
  sink.Drain();
  auto statuses = sink.OfType("status");
  ASSERT_EQ(statuses.size(), 2u);
  EXPECT_EQ(statuses[0]["programs"][0]["name"], "worker");
  ASSERT_EQ(statuses[1]["programs"].size(), 1u);
  EXPECT_EQ(statuses[1]["programs"][0]["state"], "STARTING");
  EXPECT_EQ(statuses[1]["removed"], json::array({"worker"}));
}

TEST_F(StreamSessionTest, EventsRunsAndFindingsReachOnlySubscribers) {
  Hub();
  FakeSink events_sink, other_sink;
  auto a = Connect(events_sink);
  auto b = Connect(other_sink);
  a->OnMessage(R"({"op":"subscribe","topic":"events"})");
  b->OnMessage(R"({"op":"subscribe","topic":"runs"})");
  hub_->EventRecorded(api::EventInfo{5, 1000, "state", "web", "RUNNING -> STOPPED", R"({"pid":3})"});
  api::RunInfo run;
  run.id = 9;
  run.task = "backup";
  run.result = "running";
  hub_->RunChanged(run);
  hub_->FindingRecorded(api::FindingInfo{1, 2, "warn", "check", "disk", "disk almost full", 0});
  Settle();
  auto events = events_sink.OfType("event");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0]["event"]["message"], "RUNNING -> STOPPED");
  EXPECT_TRUE(events_sink.OfType("run").empty());
  auto runs = other_sink.OfType("run");
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0]["run"]["task"], "backup");
  EXPECT_TRUE(other_sink.OfType("finding").empty());
  a->OnMessage(R"({"op":"unsubscribe","topic":"events"})");
  hub_->EventRecorded(api::EventInfo{6, 1001, "note", "web", "x", "{}"});
  Settle();
  EXPECT_EQ(events_sink.OfType("event").size(), 1u);
}

TEST_F(StreamSessionTest, AFullMessageQueueDropsAndSaysHowMany) {
  StreamLimits limits;
  limits.max_queued_messages = 3;
  Hub(limits);
  FakeSink sink;
  auto peer = Connect(sink);
  peer->OnMessage(R"({"op":"subscribe","topic":"events"})");
  sink.hold = true;
  hub_->EventRecorded(api::EventInfo{0, 0, "note", "vigild", "0", "{}"});
  Settle();  // the first goes out and stays unwritten
  for (int i = 1; i < 10; ++i) hub_->EventRecorded(api::EventInfo{i, 0, "note", "vigild", std::to_string(i), "{}"});
  Settle();
  sink.Drain();
  auto dropped = sink.OfType("dropped");
  ASSERT_EQ(dropped.size(), 1u);
  EXPECT_EQ(dropped[0]["topic"], "events");
  // The first event was being written; three queued behind it; six had no room.
  EXPECT_EQ(dropped[0]["count"], 6);
  EXPECT_EQ(sink.OfType("event").size(), 4u);
}

TEST_F(StreamSessionTest, LogHistoryThenLiveLinesWithSeqsAndLevels) {
  Hub();
  fake_.log_lines = 10;
  tail_ = {"old INFO one", "ERROR two", "plain three"};
  FakeSink sink;
  auto peer = Connect(sink);
  peer->OnMessage(R"({"op":"subscribe","topic":"logs","program":"web","last":2})");
  EXPECT_EQ(tail_asked_, "/logs/web.out");
  fake_.Emit("INFO live\nno level\r\npart");
  fake_.Emit("ial\n");
  Settle();
  std::vector<json> lines;
  for (auto& m : sink.OfType("logs")) {
    EXPECT_EQ(m["program"], "web");
    EXPECT_EQ(m["stream"], "stdout");
    for (auto& l : m["lines"]) lines.push_back(l);
  }
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_EQ(lines[0], (json{{"seq", 9}, {"level", "ERROR"}, {"text", "ERROR two"}}));
  EXPECT_EQ(lines[1]["seq"], 10);
  EXPECT_EQ(lines[1]["level"], "");
  EXPECT_EQ(lines[2], (json{{"seq", 11}, {"level", "INFO"}, {"text", "INFO live"}, {"time_ms", 1700000000000}}));
  EXPECT_EQ(lines[3]["text"], "no level");
  EXPECT_EQ(lines[4]["seq"], 13);
  EXPECT_EQ(lines[4]["text"], "partial");
}

TEST_F(StreamSessionTest, LevelFilterIsAMinimumAndHidesLinesWithoutLevel) {
  Hub();
  FakeSink sink;
  auto peer = Connect(sink);
  peer->OnMessage(R"({"op":"subscribe","topic":"logs","program":"web","level":"WARNING"})");
  fake_.Emit("DEBUG a\nINFO b\nWARNING c\nERROR d\nnothing e\n");
  Settle();
  std::vector<std::string> texts;
  for (auto& m : sink.OfType("logs"))
    for (auto& l : m["lines"]) texts.push_back(l["text"]);
  EXPECT_EQ(texts, (std::vector<std::string>{"WARNING c", "ERROR d"}));
}

TEST_F(StreamSessionTest, ASlowClientLosesLinesAsOneDroppedRangeAndMemoryStaysBounded) {
  StreamLimits limits;
  limits.max_log_queue_bytes = 4096;
  Hub(limits);
  FakeSink sink;
  auto peer = Connect(sink);
  peer->OnMessage(R"({"op":"subscribe","topic":"logs","program":"web"})");
  sink.hold = true;
  std::string flood;
  for (int i = 2; i <= 1001; ++i) flood += "line " + std::to_string(i) + " " + std::string(50, 'x') + "\n";
  fake_.Emit("line 0\n");
  Settle();  // one message goes out and stays unwritten
  fake_.Emit(flood);
  Settle();
  sink.Drain();
  fake_.Emit("after the flood\n");
  Settle();
  int64_t expected = 1;
  uint64_t dropped = 0;
  for (auto& m : sink.Messages()) {
    if (m["type"] == "logs") {
      for (auto& l : m["lines"]) EXPECT_EQ(l["seq"], expected++);
    } else if (m["type"] == "dropped") {
      EXPECT_EQ(m["from_seq"], expected);
      EXPECT_EQ(m["to_seq"].get<int64_t>() - m["from_seq"].get<int64_t>() + 1, m["count"].get<int64_t>());
      dropped += m["count"].get<uint64_t>();
      expected = m["to_seq"].get<int64_t>() + 1;
    }
  }
  EXPECT_EQ(expected, 1003);  // every seq accounted for, the last line after the gap
  EXPECT_GT(dropped, 900u);
  EXPECT_EQ(hub_->dropped_lines(), dropped);
}

TEST_F(StreamSessionTest, BadRequestsAreAnsweredOrClosed) {
  Hub();
  FakeSink sink;
  auto peer = Connect(sink);
  peer->OnMessage(R"({"op":"subscribe","topic":"weather"})");
  peer->OnMessage(R"({"op":"subscribe","topic":"logs","program":"nosuch"})");
  peer->OnMessage(R"({"op":"subscribe","topic":"logs","program":"web","level":"LOUD"})");
  peer->OnMessage(R"({"op":"subscribe","topic":"logs","program":"web","last":-1})");
  auto errors = sink.OfType("error");
  ASSERT_EQ(errors.size(), 4u);
  EXPECT_NE(errors[0]["message"].get<std::string>().find("unknown topic: weather"), std::string::npos);
  EXPECT_NE(errors[1]["message"].get<std::string>().find("nosuch"), std::string::npos);
  EXPECT_NE(errors[2]["message"].get<std::string>().find("level must be"), std::string::npos);
  EXPECT_NE(errors[3]["message"].get<std::string>().find("last must be"), std::string::npos);
  // Refused whole: no acknowledgement came before the error of an unknown program.
  EXPECT_TRUE(sink.OfType("ack").empty()) << "acks: " << sink.OfType("ack").size();
  EXPECT_EQ(fake_.follower_count(), 0u);
  EXPECT_EQ(sink.close_code, 0);
  peer->OnMessage("not json");
  EXPECT_EQ(sink.close_code, api::kCloseBadMessage);
}

TEST_F(StreamSessionTest, TooManyFollowsIsRefused) {
  StreamLimits limits;
  limits.max_log_follows = 2;
  Hub(limits);
  FakeSink sink;
  auto peer = Connect(sink);
  peer->OnMessage(R"({"op":"subscribe","topic":"logs","program":"web","stream":"both"})");
  peer->OnMessage(R"({"op":"subscribe","topic":"logs","program":"worker"})");
  auto errors = sink.OfType("error");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0]["message"].get<std::string>().find("at most 2"), std::string::npos);
  peer->OnMessage(R"({"op":"unsubscribe","topic":"logs","program":"web"})");
  EXPECT_EQ(fake_.follower_count(), 0u);
}

TEST_F(StreamSessionTest, FeedsAreSharedAndEndWithTheirLastListener) {
  Hub();
  FakeSink a_sink, b_sink;
  auto a = Connect(a_sink);
  auto b = Connect(b_sink);
  a->OnMessage(R"({"op":"subscribe","topic":"logs","program":"web"})");
  b->OnMessage(R"({"op":"subscribe","topic":"logs","program":"web"})");
  EXPECT_EQ(fake_.follower_count(), 1u);
  a->OnClosed();
  EXPECT_EQ(fake_.follower_count(), 1u);
  b->OnMessage(R"({"op":"unsubscribe","topic":"logs","program":"web"})");
  EXPECT_EQ(fake_.follower_count(), 0u);
  EXPECT_EQ(hub_->connections(), 1u);
}

TEST_F(StreamSessionTest, LogEndIsReported) {
  Hub();
  FakeSink sink;
  auto peer = Connect(sink);
  peer->OnMessage(R"({"op":"subscribe","topic":"logs","program":"web"})");
  fake_.EndFollows("web was removed from the config");
  auto ends = sink.OfType("log_end");
  ASSERT_EQ(ends.size(), 1u);
  EXPECT_EQ(ends[0]["reason"], "web was removed from the config");
}

TEST_F(StreamSessionTest, MetricsAreSampledOnlyWhileSomeoneWatches) {
  Hub();
  FakeSink sink;
  auto peer = Connect(sink);
  EXPECT_TRUE(samples_.empty());
  peer->OnMessage(R"({"op":"subscribe","topic":"metrics"})");
  ASSERT_EQ(samples_.size(), 1u);
  api::TopView view;
  view.system.cpus = 2;
  view.system.cpu_percent = 12.345;
  api::ProgramUsage usage;
  usage.name = "web";
  usage.cpu_percent = 1.5;
  usage.memory_bytes = 4096;
  view.programs.push_back(usage);
  samples_[0](view);
  Settle();
  auto metrics = sink.OfType("metrics");
  ASSERT_EQ(metrics.size(), 1u);
  EXPECT_EQ(metrics[0]["system"]["cpu_percent"], 12.35);
  EXPECT_EQ(metrics[0]["programs"]["web"]["memory_bytes"], 4096);
  // The next sample is on a timer; unsubscribing cancels it, so nothing more is asked.
  peer->OnMessage(R"({"op":"unsubscribe","topic":"metrics"})");
  loop_.Poll();
  EXPECT_EQ(samples_.size(), 1u);
}

TEST_F(StreamSessionTest, HubGoingFirstClosesClientsAndLeavesThemSafe) {
  Hub();
  FakeSink sink;
  auto peer = Connect(sink);
  peer->OnMessage(R"({"op":"subscribe","topic":"logs","program":"web"})");
  hub_.reset();
  EXPECT_EQ(sink.close_code, api::kCloseGoingAway);
  EXPECT_EQ(fake_.follower_count(), 0u);
  peer->OnMessage(R"({"op":"subscribe","topic":"status"})");  // ignored, no crash
  peer->OnWritten();
  peer->OnClosed();
}

}  // namespace
}  // namespace vigil::stream
