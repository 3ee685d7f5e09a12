// SPDX-License-Identifier: MIT
// api::WebSocketPeer and api::WebSocketSink: the two sides of one WebSocket connection
// (GET /v1/stream, docs/api.md), kept free of Beast so that the stream module never sees
// the transport. The transport (websocket_connection.cc) owns the socket, answers pings,
// and writes one message at a time; the peer decides what to send next, which is where
// queues are bounded and slow readers lose log lines instead of growing vigild.
// Thread rule: loop thread only, like the rest of the API.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace vigil::api {

// Close codes vigild sends (docs/api.md, "WebSocket /v1/stream").
inline constexpr uint16_t kCloseNormal = 1000;
inline constexpr uint16_t kCloseGoingAway = 1001;      // vigild shuts down
inline constexpr uint16_t kCloseBinary = 1003;         // a binary message: only text is understood
inline constexpr uint16_t kCloseBadMessage = 1008;     // not a JSON object, an unknown op
inline constexpr uint16_t kCloseTooBig = 1009;         // a client message over the limit
inline constexpr uint16_t kCloseSlowConsumer = 4001;   // a write made no progress in time
inline constexpr uint16_t kCloseNoPong = 4002;         // pings went unanswered
inline constexpr uint16_t kCloseSessionEnded = 4003;   // its browser session logged out, or its token was replaced

// What the transport offers the peer.
class WebSocketSink {
 public:
  virtual ~WebSocketSink() = default;
  // Starts writing `text` as one text message. Only when !writing(): the peer keeps its
  // own queue and sends the next message from OnWritten().
  virtual void Send(std::string text) = 0;
  // A message is being written.
  virtual bool writing() const = 0;
  // Sends a close frame with `code` and `reason`, then drops the connection; OnClosed()
  // follows. Idempotent.
  virtual void Close(uint16_t code, std::string_view reason) = 0;
};

// What the application provides. The sink passed to OnOpen() stays valid until OnClosed().
class WebSocketPeer {
 public:
  virtual ~WebSocketPeer() = default;
  virtual void OnOpen(WebSocketSink& sink) = 0;
  // One complete text message from the client.
  virtual void OnMessage(std::string_view text) = 0;
  // The last Send() has been written: the peer may send the next message.
  virtual void OnWritten() = 0;
  // The connection is gone (either side closed it, or it failed); nothing follows.
  virtual void OnClosed() = 0;
  // Asks the peer to close its connection with `code` (its credentials ended).
  virtual void Disconnect(uint16_t code, std::string_view reason) = 0;
};

using WebSocketPeerPtr = std::shared_ptr<WebSocketPeer>;

}  // namespace vigil::api
