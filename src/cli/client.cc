// SPDX-License-Identifier: MIT
// The unix-socket HTTP client, on Boost.Beast; the CLI's only Asio/Beast translation unit.
#include "cli/client.h"

#include <sys/un.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <cstdint>
#include <limits>
#include <utility>

#include "cli/version.h"

namespace vigil::cli {
namespace {

namespace net = boost::asio;
namespace http = boost::beast::http;
using boost::system::error_code;
using Clock = std::chrono::steady_clock;
using Deadline = std::optional<Clock::time_point>;

// Blocking Asio operations cannot time out: on a blocking socket asio polls forever after
// EAGAIN, so SO_RCVTIMEO is swallowed. Each step is therefore started asynchronously and
// this class runs its private io_context until the step completes or the deadline passes,
// which gives the caller a synchronous call with a timeout and no threads.
class Connection {
 public:
  Connection() : socket_(ioc_) {}

  // Starts `initiate(handler)` and runs it to completion. Returns the operation's error,
  // or net::error::timed_out (after closing the socket) if `deadline` passed first.
  template <typename Initiate>
  error_code Run(Initiate&& initiate, Deadline deadline) {
    error_code result;
    bool done = false;
    initiate([&result, &done](error_code ec, auto&&...) {
      result = ec;
      done = true;
    });
    ioc_.restart();
    if (deadline) {
      ioc_.run_until(*deadline);
    } else {
      ioc_.run();
    }
    if (!done) {
      // Closing makes the pending operation complete with operation_aborted; run again so
      // its handler (which refers to this frame) finishes before we return.
      error_code ignored;
      socket_.close(ignored);
      ioc_.restart();
      ioc_.run();
      return net::error::timed_out;
    }
    return result;
  }

  net::local::stream_protocol::socket& socket() { return socket_; }
  boost::beast::flat_buffer& buffer() { return buffer_; }

 private:
  net::io_context ioc_{1};
  net::local::stream_protocol::socket socket_;
  boost::beast::flat_buffer buffer_;
};

Deadline DeadlineAfter(std::optional<std::chrono::milliseconds> timeout) {
  if (!timeout) return std::nullopt;
  return Clock::now() + *timeout;
}

std::string TimeoutText(std::optional<std::chrono::milliseconds> timeout) {
  return timeout ? std::to_string(timeout->count() / 1000) + "s" : "";
}

http::request<http::string_body> BuildRequest(const HttpRequest& request) {
  http::verb verb = request.method == HttpMethod::kPost ? http::verb::post : http::verb::get;
  http::request<http::string_body> req{verb, request.target, 11};
  req.set(http::field::host, "localhost");
  req.set(http::field::user_agent, std::string("vigil/") + kVersion);
  req.keep_alive(false);
  if (request.method == HttpMethod::kPost) {
    req.set(http::field::content_type, "application/json");
    req.body() = request.body;
  }
  req.prepare_payload();
  return req;
}

// A reply may be a long log listing or, when following, an endless stream; Beast's default
// limit (8 MB for responses) would cut it off.
void RemoveBodyLimit(http::response_parser<http::string_body>& parser) {
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());
}

class UnixSocketClient final : public Client {
 public:
  explicit UnixSocketClient(std::filesystem::path socket) : socket_path_(std::move(socket)) {}

  base::Result<HttpResponse> Send(const HttpRequest& request) override {
    Connection conn;
    Deadline deadline = DeadlineAfter(request.timeout);
    if (base::Status s = ConnectAndWrite(conn, request, deadline); !s.ok()) return s;

    http::response_parser<http::string_body> parser;
    RemoveBodyLimit(parser);
    error_code ec = conn.Run(
        [&](auto handler) { http::async_read(conn.socket(), conn.buffer(), parser, handler); },
        deadline);
    if (ec == net::error::timed_out) {
      return base::Status::IoError("no reply from vigild within " + TimeoutText(request.timeout));
    }
    if (ec) return base::Status::IoError("reading reply from vigild: " + ec.message());
    return HttpResponse{static_cast<int>(parser.get().result_int()),
                        std::move(parser.get().body())};
  }

  base::Result<HttpResponse> Stream(const std::string& target,
                                    const std::function<void(std::string_view)>& on_data) override {
    constexpr std::chrono::seconds kHeaderTimeout{30};
    Connection conn;
    HttpRequest request{HttpMethod::kGet, target, "", kHeaderTimeout};
    Deadline deadline = DeadlineAfter(kHeaderTimeout);
    if (base::Status s = ConnectAndWrite(conn, request, deadline); !s.ok()) return s;

    http::response_parser<http::string_body> parser;
    RemoveBodyLimit(parser);
    error_code ec = conn.Run(
        [&](auto handler) {
          http::async_read_header(conn.socket(), conn.buffer(), parser, handler);
        },
        deadline);
    if (ec == net::error::timed_out) {
      return base::Status::IoError("no reply from vigild within " + TimeoutText(kHeaderTimeout));
    }
    if (ec) return base::Status::IoError("reading reply from vigild: " + ec.message());

    int status = static_cast<int>(parser.get().result_int());
    bool streaming = status == 200 && parser.chunked();
    // With a chunk-body callback Beast hands each piece here instead of storing it, so a
    // log follow holds no more than one read buffer in memory.
    auto on_chunk = [&on_data](std::uint64_t, std::string_view piece, error_code&) {
      on_data(piece);
      return piece.size();
    };
    if (streaming) parser.on_chunk_body(on_chunk);

    ec = conn.Run(
        [&](auto handler) { http::async_read(conn.socket(), conn.buffer(), parser, handler); },
        std::nullopt);
    if (streaming) {
      // vigild closing mid-stream ends a follow as the daemon intended; only the caller
      // can say whether that deserves a remark.
      bool closed = ec == http::error::partial_message || ec == http::error::end_of_stream ||
                    ec == net::error::eof;
      if (ec && !closed) {
        return base::Status::IoError("reading log stream from vigild: " + ec.message());
      }
      return HttpResponse{status, "", closed};
    }
    if (ec) return base::Status::IoError("reading reply from vigild: " + ec.message());
    if (status == 200) {
      on_data(parser.get().body());
      return HttpResponse{status, ""};
    }
    return HttpResponse{status, std::move(parser.get().body())};
  }

 private:
  base::Status ConnectAndWrite(Connection& conn, const HttpRequest& request, Deadline deadline) {
    const std::string& path = socket_path_.native();
    // asio's endpoint constructor throws on an over-long path; sun_path needs room for NUL.
    if (path.size() >= sizeof(sockaddr_un::sun_path)) {
      return base::Status::Unavailable("socket path is longer than " +
                                       std::to_string(sizeof(sockaddr_un::sun_path) - 1) +
                                       " bytes");
    }
    net::local::stream_protocol::endpoint endpoint(path);
    error_code ec =
        conn.Run([&](auto handler) { conn.socket().async_connect(endpoint, handler); }, deadline);
    if (ec == net::error::timed_out) return base::Status::Unavailable("connect timed out");
    if (ec) return base::Status::Unavailable(ec.message());

    http::request<http::string_body> req = BuildRequest(request);
    ec = conn.Run([&](auto handler) { http::async_write(conn.socket(), req, handler); }, deadline);
    if (ec == net::error::timed_out) {
      return base::Status::IoError("sending request to vigild timed out");
    }
    if (ec) return base::Status::IoError("sending request to vigild: " + ec.message());
    return base::Status::Ok();
  }

  std::filesystem::path socket_path_;
};

}  // namespace

std::unique_ptr<Client> MakeUnixSocketClient(std::filesystem::path socket) {
  return std::make_unique<UnixSocketClient>(std::move(socket));
}

}  // namespace vigil::cli
