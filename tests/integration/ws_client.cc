// SPDX-License-Identifier: MIT
// WsClient with Beast (see ws_client.h). Reads are asynchronous on a private io_context
// run for at most the caller's timeout, so a read that times out stays pending and the
// next Read() picks it up.
#include "ws_client.h"

#include <sys/socket.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/generic/stream_protocol.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/websocket/stream.hpp>

namespace vigil::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using Socket = asio::generic::stream_protocol::socket;

struct WsClient::Impl {
  asio::io_context io;
  websocket::stream<Socket> ws{io};
  beast::flat_buffer buffer;
  bool reading = false;
  bool done = false;  // the pending read completed
  boost::system::error_code read_error;
  bool closed = false;
};

namespace {

WsClient::Result Upgrade(std::unique_ptr<WsClient::Impl> impl, const asio::generic::stream_protocol::endpoint& endpoint,
                         const std::string& host, const std::string& target, const WsClient::Options& options,
                         std::function<WsClient*(std::unique_ptr<WsClient::Impl>)> make) {
  WsClient::Result result;
  boost::system::error_code ec;
  Socket& socket = impl->ws.next_layer();
  socket.open(endpoint.protocol(), ec);
  if (!ec && options.receive_buffer > 0) socket.set_option(asio::socket_base::receive_buffer_size(options.receive_buffer), ec);
  if (!ec) socket.connect(endpoint, ec);
  if (ec) {
    result.error = "connect: " + ec.message();
    return result;
  }
  impl->ws.set_option(websocket::stream_base::decorator([headers = options.headers](websocket::request_type& req) {
    for (const auto& [name, value] : headers) req.set(name, value);
  }));
  impl->ws.read_message_max(64 << 20);
  websocket::response_type response;
  impl->ws.handshake(response, host, target, ec);
  result.status = static_cast<int>(response.result_int());
  if (ec) {
    result.error = "handshake: " + ec.message() + ": " + response.body();
    return result;
  }
  result.client.reset(make(std::move(impl)));
  return result;
}

}  // namespace

WsClient::WsClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
WsClient::~WsClient() {
  if (!impl_->closed) {
    boost::system::error_code ignored;
    beast::get_lowest_layer(impl_->ws).close(ignored);
  }
}

WsClient::Result WsClient::ConnectUnix(const std::filesystem::path& socket, const std::string& target,
                                       const Options& options) {
  auto impl = std::make_unique<Impl>();
  asio::generic::stream_protocol::endpoint endpoint{asio::local::stream_protocol::endpoint(socket.string())};
  return Upgrade(std::move(impl), endpoint, "localhost", target, options,
                 [](std::unique_ptr<Impl> i) { return new WsClient(std::move(i)); });
}

WsClient::Result WsClient::ConnectTcp(int port, const std::string& target, const Options& options) {
  auto impl = std::make_unique<Impl>();
  asio::generic::stream_protocol::endpoint endpoint{
      asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port))};
  return Upgrade(std::move(impl), endpoint, "127.0.0.1:" + std::to_string(port), target, options,
                 [](std::unique_ptr<Impl> i) { return new WsClient(std::move(i)); });
}

void WsClient::Send(const nlohmann::json& message) {
  boost::system::error_code ec;
  impl_->ws.text(true);
  impl_->ws.write(asio::buffer(message.dump()), ec);
}

std::optional<nlohmann::json> WsClient::Read(std::chrono::milliseconds timeout) {
  if (impl_->closed) return std::nullopt;
  if (!impl_->reading) {
    impl_->reading = true;
    impl_->done = false;
    impl_->ws.async_read(impl_->buffer, [impl = impl_.get()](boost::system::error_code ec, size_t) {
      impl->done = true;
      impl->read_error = ec;
    });
  }
  impl_->io.restart();
  impl_->io.run_for(timeout);
  if (!impl_->done) return std::nullopt;
  impl_->reading = false;
  if (impl_->read_error) {
    impl_->closed = true;
    return std::nullopt;
  }
  std::string text = beast::buffers_to_string(impl_->buffer.data());
  impl_->buffer.consume(impl_->buffer.size());
  return nlohmann::json::parse(text);
}

std::optional<nlohmann::json> WsClient::ReadUntil(const std::function<bool(const nlohmann::json&)>& match,
                                                  std::chrono::milliseconds deadline,
                                                  const std::function<void(const nlohmann::json&)>& seen) {
  const auto end = std::chrono::steady_clock::now() + deadline;
  while (std::chrono::steady_clock::now() < end && !impl_->closed) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now());
    auto message = Read(std::max(left, std::chrono::milliseconds(1)));
    if (!message) continue;
    if (seen) seen(*message);
    if (match(*message)) return message;
  }
  return std::nullopt;
}

bool WsClient::closed() const { return impl_->closed; }
int WsClient::close_code() const { return static_cast<int>(impl_->ws.reason().code); }

}  // namespace vigil::testing
