// SPDX-License-Identifier: MIT
// api::AcceptWebSocket: takes over an HTTP connection whose request was a WebSocket
// upgrade and runs it as a WebSocket (RFC 6455) with Beast: the handshake, reads of
// client messages up to a size limit (over TLS too), one write at a time for the peer, pings on a loop
// timer, and a close code when the client stops reading or answering. Internal to the
// transport: http_server.cc hands it the socket; Beast's websocket stays in the .cc.
// Thread rule: loop thread only.
#pragma once

#include <boost/asio/generic/stream_protocol.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "api/request_parser.h"
#include "api/websocket.h"
#include "event/loop.h"

namespace vigil::tls {
class ServerContext;
}

namespace vigil::api {

// A connection of the API: a unix or TCP socket, or TLS over a TCP one.
using Socket = boost::asio::generic::stream_protocol::socket;
using TlsSocket = boost::beast::ssl_stream<Socket>;

struct WebSocketOptions {
  // Largest message a client may send; larger closes with 1009.
  size_t max_message_bytes = 64 * 1024;
  // A ping goes out this often. A message still unwritten at two pings in a row (the
  // client stopped reading) closes with 4001; a ping unanswered by the next closes with 4002.
  base::Duration ping_interval = std::chrono::seconds(15);
  // How long a close handshake may take before the socket is simply closed.
  base::Duration close_timeout = std::chrono::seconds(2);
};

// One WebSocket connection as the server sees it.
class WebSocketConnection {
 public:
  virtual ~WebSocketConnection() = default;
  // Closes with `code` (the server is closing: kCloseGoingAway).
  virtual void Shutdown(uint16_t code, std::string_view reason) = 0;
};

// Answers the upgrade in `request` on `socket` and runs the connection for `peer`.
// `on_gone` runs once when the connection has ended (after peer->OnClosed()).
std::shared_ptr<WebSocketConnection> AcceptWebSocket(Socket socket, event::Loop& loop, const Request& request,
                                                     WebSocketPeerPtr peer, WebSocketOptions options,
                                                     std::function<void()> on_gone);
// The same over TLS (the handshake done); the connection keeps `context` while it lives.
std::shared_ptr<WebSocketConnection> AcceptWebSocket(TlsSocket socket, std::shared_ptr<tls::ServerContext> context,
                                                     event::Loop& loop, const Request& request,
                                                     WebSocketPeerPtr peer, WebSocketOptions options,
                                                     std::function<void()> on_gone);

// Whether `request` asks for a WebSocket upgrade that AcceptWebSocket can answer.
bool IsWebSocketUpgrade(const Request& request);

}  // namespace vigil::api
