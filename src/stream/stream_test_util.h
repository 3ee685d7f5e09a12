// SPDX-License-Identifier: MIT
// Test helpers of the stream module: a WebSocket sink that keeps what is sent and lets
// the test decide when a write completes (a slow client is one that never completes).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "api/websocket.h"

namespace vigil::stream {

class FakeSink : public api::WebSocketSink {
 public:
  // With hold, a Send() stays in progress until Finish(); otherwise it completes at once.
  bool hold = false;
  std::vector<std::string> sent;
  int close_code = 0;
  std::string close_reason;
  api::WebSocketPeer* peer = nullptr;

  void Send(std::string text) override {
    sent.push_back(std::move(text));
    writing_ = true;
    if (!hold) Finish();
  }
  bool writing() const override { return writing_; }
  void Close(uint16_t code, std::string_view reason) override {
    if (close_code == 0) {
      close_code = code;
      close_reason = std::string(reason);
    }
  }
  // Completes the write in progress: the peer sends its next message.
  void Finish() {
    writing_ = false;
    if (peer != nullptr) peer->OnWritten();
  }
  // Completes writes until the peer has nothing more to send.
  void Drain() {
    hold = false;
    if (writing_) Finish();
  }
  std::vector<nlohmann::json> Messages() const {
    std::vector<nlohmann::json> out;
    for (const auto& s : sent) out.push_back(nlohmann::json::parse(s));
    return out;
  }
  std::vector<nlohmann::json> OfType(const std::string& type) const {
    std::vector<nlohmann::json> out;
    for (auto& m : Messages())
      if (m["type"] == type) out.push_back(m);
    return out;
  }

 private:
  bool writing_ = false;
};

}  // namespace vigil::stream
