// SPDX-License-Identifier: MIT
// The WebSocket transport of GET /v1/stream with Beast (see websocket_connection.h).
// Plain completion handlers, no coroutines (g++ 12 miscompiles some co_await temporaries).
// Timers are the loop's (event/loop.h), not Beast's own timeout option, so an idle vigild
// with no client keeps no Asio timer.
#include "api/websocket_connection.h"

#include <algorithm>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/beast/websocket/stream.hpp>

#include "api/shielded.h"
#include "tls/server_context.h"

namespace vigil::api {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using ErrorCode = boost::system::error_code;

// One connection on `Stream`: Socket or TlsSocket.
template <typename Stream>
class Connection final : public WebSocketConnection,
                         public WebSocketSink,
                         public std::enable_shared_from_this<Connection<Stream>> {
 public:
  Connection(Stream stream, std::shared_ptr<tls::ServerContext> context, event::Loop& loop, WebSocketPeerPtr peer,
             WebSocketOptions options, std::function<void()> on_gone)
      : ws_(std::move(stream)),
        tls_context_(std::move(context)),
        loop_(loop),
        peer_(std::move(peer)),
        options_(options),
        on_gone_(std::move(on_gone)) {}

  // A completion handler that keeps the connection alive and ends it if `fn` throws.
  template <typename Fn>
  auto Guarded(Fn fn) {
    return [self = this->shared_from_this(), fn = std::move(fn)](auto&&... args) mutable {
      if (!RunShielded([&] { fn(*self, std::forward<decltype(args)>(args)...); })) self->Gone();
    };
  }

  void Start(const Request& request) {
    http::request<http::empty_body> upgrade{http::verb::get, request.target, 11};
    upgrade.set(http::field::host, request.headers.host);
    upgrade.set(http::field::connection, "Upgrade");
    upgrade.set(http::field::upgrade, "websocket");
    upgrade.set(http::field::sec_websocket_key, request.headers.websocket_key);
    upgrade.set(http::field::sec_websocket_version, request.headers.websocket_version);
    ws_.read_message_max(options_.max_message_bytes);
    ws_.auto_fragment(false);
    ws_.control_callback([this](websocket::frame_type kind, beast::string_view) {
      if (kind == websocket::frame_type::pong) answered_ = true;
    });
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& response) { response.set(http::field::server, "vigild"); }));
    ArmTimer(options_.close_timeout * 5);  // the handshake must not linger either
    ws_.async_accept(upgrade, Guarded([](Connection& self, ErrorCode ec) { self.OnAccepted(ec); }));
  }

  // WebSocketConnection
  void Shutdown(uint16_t code, std::string_view reason) override { Close(code, reason); }

  // WebSocketSink
  void Send(std::string text) override {
    if (gone_ || closing_) return;
    out_ = std::move(text);
    writing_ = true;
    ++writes_;
    ws_.text(true);
    ws_.async_write(asio::buffer(out_), Guarded([](Connection& self, ErrorCode ec, size_t) {
                      self.writing_ = false;
                      if (self.gone_) return;
                      if (ec) return self.Gone();
                      std::string().swap(self.out_);
                      if (!self.closing_) self.peer_->OnWritten();
                    }));
  }
  bool writing() const override { return writing_; }
  void Close(uint16_t code, std::string_view reason) override {
    if (gone_ || closing_) return;
    closing_ = true;
    // The close frame waits behind a write in progress; a client that reads nothing never
    // gets it, so the socket goes after close_timeout either way.
    ArmTimer(options_.close_timeout);
    websocket::close_reason why(static_cast<websocket::close_code>(code));
    why.reason.assign(reason.data(), std::min(reason.size(), why.reason.max_size()));
    ws_.async_close(why, Guarded([](Connection& self, ErrorCode) { self.Gone(); }));
  }

 private:
  void OnAccepted(ErrorCode ec) {
    timer_.reset();
    if (gone_) return;
    if (ec) return Gone();
    open_ = true;
    peer_->OnOpen(*this);
    if (gone_) return;
    Read();
    ArmPing();
  }

  void Read() {
    ws_.async_read(buffer_, Guarded([](Connection& self, ErrorCode ec, size_t) {
                     if (self.gone_) return;
                     if (ec) return self.Gone();  // closed by the client, too big (Beast sent 1009), or reset
                     self.answered_ = true;
                     if (!self.ws_.got_text()) return self.Close(kCloseBinary, "binary messages are not understood");
                     const auto data = self.buffer_.cdata();
                     std::string_view text(static_cast<const char*>(data.data()), data.size());
                     if (!self.closing_) self.peer_->OnMessage(text);
                     self.buffer_.consume(self.buffer_.size());
                     if (!self.gone_) self.Read();
                   }));
  }

  void ArmPing() {
    ping_timer_ = loop_.AddTimer(options_.ping_interval, [this] {
      if (!RunShielded([&] { OnPingTime(); })) Gone();
    });
  }

  void OnPingTime() {
    if (gone_ || closing_) return;
    if (writing_ && writes_ == writes_at_last_ping_) {
      return Close(kCloseSlowConsumer, "the client did not read for too long");
    }
    if (!answered_) return Close(kCloseNoPong, "pings were not answered");
    writes_at_last_ping_ = writes_;
    answered_ = false;
    if (!pinging_) {
      pinging_ = true;
      ws_.async_ping({}, Guarded([](Connection& self, ErrorCode ec) {
                       self.pinging_ = false;
                       if (ec && !self.gone_ && !self.closing_) self.Gone();
                     }));
    }
    ArmPing();
  }

  void ArmTimer(base::Duration after) {
    timer_ = loop_.AddTimer(after, [this] { Gone(); });
  }

  // The end, whichever way it came: the socket closes, the peer and the server hear once.
  void Gone() noexcept {
    if (gone_) return;
    gone_ = true;
    auto keep_alive = this->shared_from_this();
    timer_.reset();
    ping_timer_.reset();
    ErrorCode ignored;
    beast::get_lowest_layer(ws_).shutdown(Socket::shutdown_both, ignored);
    beast::get_lowest_layer(ws_).close(ignored);
    if (open_) RunShielded([&] { peer_->OnClosed(); });
    peer_.reset();
    if (auto gone = std::exchange(on_gone_, nullptr)) RunShielded(gone);
  }

  websocket::stream<Stream> ws_;
  std::shared_ptr<tls::ServerContext> tls_context_;  // TLS: what the stream was made with
  event::Loop& loop_;
  WebSocketPeerPtr peer_;
  WebSocketOptions options_;
  std::function<void()> on_gone_;
  beast::flat_buffer buffer_;
  std::string out_;
  event::HandlePtr timer_;       // handshake or close deadline
  event::HandlePtr ping_timer_;
  uint64_t writes_ = 0;          // messages started, to see a write that makes no progress
  uint64_t writes_at_last_ping_ = 0;
  bool answered_ = true;         // a pong or a message since the last ping
  bool pinging_ = false;
  bool writing_ = false;
  bool open_ = false;
  bool closing_ = false;
  bool gone_ = false;
};

}  // namespace

bool IsWebSocketUpgrade(const Request& request) {
  return request.method == "GET" && beast::iequals(request.headers.upgrade, "websocket") &&
         !request.headers.websocket_key.empty();
}

namespace {

template <typename Stream>
std::shared_ptr<WebSocketConnection> Accept(Stream stream, std::shared_ptr<tls::ServerContext> context,
                                            event::Loop& loop, const Request& request, WebSocketPeerPtr peer,
                                            WebSocketOptions options, std::function<void()> on_gone) {
  auto connection = std::make_shared<Connection<Stream>>(std::move(stream), std::move(context), loop, std::move(peer),
                                                         options, std::move(on_gone));
  connection->Start(request);
  return connection;
}

}  // namespace

std::shared_ptr<WebSocketConnection> AcceptWebSocket(Socket socket, event::Loop& loop, const Request& request,
                                                     WebSocketPeerPtr peer, WebSocketOptions options,
                                                     std::function<void()> on_gone) {
  return Accept(std::move(socket), nullptr, loop, request, std::move(peer), options, std::move(on_gone));
}

std::shared_ptr<WebSocketConnection> AcceptWebSocket(TlsSocket socket, std::shared_ptr<tls::ServerContext> context,
                                                     event::Loop& loop, const Request& request,
                                                     WebSocketPeerPtr peer, WebSocketOptions options,
                                                     std::function<void()> on_gone) {
  return Accept(std::move(socket), std::move(context), loop, request, std::move(peer), options, std::move(on_gone));
}

}  // namespace vigil::api
