// SPDX-License-Identifier: MIT
// LogFeed: a program stream's live log as numbered, levelled lines (see log_feed.h).
#include "stream/log_feed.h"

#include <algorithm>

namespace vigil::stream {

class LogFeed::ListenHandle final : public event::Handle {
 public:
  ListenHandle(std::shared_ptr<LogFeed> feed, std::shared_ptr<Listener> listener)
      : feed_(std::move(feed)), listener_(std::move(listener)) {}
  ~ListenHandle() override {
    listener_->alive = false;
    // Erased now unless a fan-out is walking its own copy of the list: it skips the dead.
    auto& list = feed_->listeners_;
    list.erase(std::remove(list.begin(), list.end(), listener_), list.end());
  }

 private:
  std::shared_ptr<LogFeed> feed_;  // the feed lives while anyone listens
  std::shared_ptr<Listener> listener_;
};

LogFeed::LogFeed(LevelDetector detector, int64_t next_seq, std::function<int64_t()> now_ms)
    : detector_(std::move(detector)), next_seq_(next_seq), now_ms_(std::move(now_ms)) {}

base::Status LogFeed::Start(
    const std::function<base::Result<event::HandlePtr>(std::function<void(std::string_view)>,
                                                       std::function<void(std::string_view)>)>& follow) {
  // The log file's callbacks end with follow_, which this feed owns.
  auto handle = follow([this](std::string_view data) { OnData(data); },
                       [this](std::string_view reason) { OnEnd(reason); });
  if (!handle) return handle.error();
  follow_ = std::move(handle).value();
  return base::Status::Ok();
}

event::HandlePtr LogFeed::Listen(LineFn on_line, EndFn on_end) {
  auto listener = std::make_shared<Listener>(Listener{std::move(on_line), std::move(on_end)});
  listeners_.push_back(listener);
  return std::make_unique<ListenHandle>(shared_from_this(), std::move(listener));
}

void LogFeed::OnData(std::string_view data) {
  while (!data.empty()) {
    const size_t newline = data.find('\n');
    const std::string_view piece = data.substr(0, newline);
    if (!cut_) {
      const size_t room = kMaxLineBytes - partial_.size();
      partial_.append(piece.substr(0, room));
      cut_ = piece.size() > room;
    }
    if (newline == std::string_view::npos) return;
    Emit(partial_);
    partial_.clear();
    cut_ = false;
    data.remove_prefix(newline + 1);
  }
}

void LogFeed::Emit(std::string_view text) {
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  LogLine line{next_seq_++, now_ms_(), detector_.Detect(text), text};
  // A listener may drop its handle (or another's) while we walk: walk a copy, keep the
  // feed alive, skip the dead.
  auto keep = shared_from_this();
  const auto listeners = listeners_;
  for (const auto& listener : listeners) {
    if (listener->alive) listener->on_line(line);
  }
}

void LogFeed::OnEnd(std::string_view reason) {
  if (ended_) return;
  ended_ = true;
  // follow_ stays: this runs inside its callback. A partial last line is not a line the
  // log file counted, so it gets no seq and is not sent.
  partial_.clear();
  auto keep = shared_from_this();
  const auto listeners = listeners_;
  const std::string why(reason);
  for (const auto& listener : listeners) {
    if (listener->alive && listener->on_end) listener->on_end(why);
  }
}

}  // namespace vigil::stream
