// SPDX-License-Identifier: MIT
// HttpProber: a ConnectAttempt that, once connected (and through a TLS handshake for
// https), sends the request and reads the answer with Beast. Plain completion handlers,
// no coroutines (g++ 12 miscompiles some co_await temporaries; see shared/STACK.md).
#include "probe/http_probe.h"

#include <algorithm>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <cmath>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "probe/connect_attempt.h"
#include "probe/tls_client.h"

namespace vigil::probe {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = boost::asio::ssl;
using ErrorCode = boost::system::error_code;
using health::Level;

// Beast's default of 8 KiB fits any health endpoint; a little more spares a false alarm
// from a proxy that adds long headers.
constexpr uint32_t kMaxHeaderBytes = 16 * 1024;
// The body buffer starts at this and doubles up to kMaxHttpBodyBytes, so the usual short
// answer ("ok") does not cost 64 KiB for as long as the handle is kept.
constexpr size_t kFirstBodyBytes = 4 * 1024;
static_assert(kFirstBodyBytes <= kMaxHttpBodyBytes);

// `text` in double quotes on one line: quotes, backslashes and control characters escaped.
std::string QuoteOneLine(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else if (byte < 0x20 || byte == 0x7f) {
      char escape[8];
      std::snprintf(escape, sizeof escape, "\\x%02x", byte);
      out += escape;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

const boost::system::error_category& HttpErrors() {
  static const boost::system::error_category& category = ErrorCode(http::error::end_of_stream).category();
  return category;
}

// The TLS handshake (https), request and answer steps that follow a connect.
class Attempt final : public ConnectAttempt {
 public:
  Attempt(event::Loop& loop, const HttpProbeSpec& spec, DoneFn done)
      : ConnectAttempt(loop, base::HostPort{spec.url.host, spec.url.port}, spec.timeout, std::move(done)),
        spec_(spec) {}

 private:
  // The TLS layer over ConnectAttempt's socket, which stays the one to close: closing it
  // ends a handshake or read in flight, whose handler then finds the attempt finished.
  using TlsStream = ssl::stream<Tcp::socket&>;

  void OnConnected() override {
    if (!spec_.url.https) {
      SendRequest();
      return;
    }
    auto context = MakeTlsClientContext(spec_.tls);
    if (!context) {
      Finish(Level::kUnknown, context.error().message());
      return;
    }
    tls_context_ = std::move(*context);
    tls_.emplace(socket(), *tls_context_);
    if (!SetTlsPeerName(tls_->native_handle(), spec_.url.host, spec_.tls.verify)) {
      Finish(Level::kUnknown, "internal error: OpenSSL refused the host name " + spec_.url.host);
      return;
    }
    tls_->async_handshake(ssl::stream_base::client,
                          Guarded<Attempt>([](Attempt& self, ErrorCode ec) { self.OnHandshake(ec); }));
  }

  void OnHandshake(const ErrorCode& ec) {
    if (ec) {
      std::string words = TlsHandshakeFailure(ec, tls_->native_handle());
      Finish(Level::kCrit, words.empty() ? Words(ec) : std::move(words));
      return;
    }
    SendRequest();
  }

  // Calls fn with the stream the HTTP exchange runs on: TLS for https, else the socket.
  template <typename Fn>
  void WithStream(Fn&& fn) {
    if (tls_) {
      fn(*tls_);
    } else {
      fn(socket());
    }
  }

  void SendRequest() {
    request_.method(http::verb::get);
    request_.target(spec_.url.target);
    request_.version(11);
    request_.set(http::field::host, base::HostHeader(spec_.url));
    request_.set(http::field::user_agent, "vigil-health-check");
    request_.set(http::field::accept, "*/*");
    // One request per connection: nothing to keep between probes, which run seconds apart.
    request_.set(http::field::connection, "close");
    WithStream([this](auto& stream) {
      http::async_write(stream, request_,
                        Guarded<Attempt>([](Attempt& self, ErrorCode ec, size_t) { self.OnSent(ec); }));
    });
  }

  void OnSent(const ErrorCode& ec) {
    if (ec) {
      Finish(Level::kCrit, Words(ec));
      return;
    }
    parser_.emplace();
    parser_->header_limit(kMaxHeaderBytes);
    // The body is cut at kMaxHttpBodyBytes below, by the size of the buffer given to the
    // parser; Beast's own limit (8 MB) would fail the probe on a long Content-Length.
    parser_->body_limit(boost::none);
    WithStream([this](auto& stream) {
      http::async_read_header(stream, buffer_, *parser_,
                              Guarded<Attempt>([](Attempt& self, ErrorCode ec, size_t) { self.OnHeader(ec); }));
    });
  }

  void OnHeader(const ErrorCode& ec) {
    if (ec) {
      FailAnswer(ec);
      return;
    }
    status_ = parser_->get().result_int();
    bool wanted = spec_.expect_status == 0 ? (status_ >= 200 && status_ <= 399)
                                           : status_ == static_cast<unsigned>(spec_.expect_status);
    if (!wanted) {
      std::string expected = spec_.expect_status == 0 ? "2xx or 3xx" : std::to_string(spec_.expect_status);
      Finish(Level::kCrit, StatusText() + " (expected " + expected + ")", ElapsedMs());
      return;
    }
    if (spec_.body_contains.empty() || parser_->is_done()) {
      Judge();
      return;
    }
    ReadBody();
  }

  // Reads into body_ until the message ends or kMaxHttpBodyBytes have come. With a
  // buffer_body, Beast stops with need_buffer whenever the buffer given is full.
  void ReadBody() {
    if (body_size_ == body_.size()) {
      body_.resize(std::min(kMaxHttpBodyBytes, std::max(kFirstBodyBytes, 2 * body_.size())));
    }
    auto& body = parser_->get().body();
    body.data = body_.data() + body_size_;
    body.size = body_.size() - body_size_;
    WithStream([this](auto& stream) {
      http::async_read(stream, buffer_, *parser_,
                       Guarded<Attempt>([](Attempt& self, ErrorCode ec, size_t) { self.OnBody(ec); }));
    });
  }

  void OnBody(ErrorCode ec) {
    body_size_ = body_.size() - parser_->get().body().size;
    if (ec == http::error::need_buffer) ec = {};
    if (IsTlsTruncation(ec)) {
      // Many TLS servers close without a close_notify. That ends a body that runs to the
      // close, as a plain close does; a body with a length still comes up short.
      ec = {};
      parser_->put_eof(ec);
    }
    if (ec) {
      FailAnswer(ec);
      return;
    }
    if (parser_->is_done() || body_size_ == kMaxHttpBodyBytes) {
      Judge();  // a longer body is left unread: only its start is searched
      return;
    }
    ReadBody();
  }

  void Judge() {
    double ms = ElapsedMs();
    std::string_view body(body_.data(), body_size_);
    if (!spec_.body_contains.empty() && body.find(spec_.body_contains) == std::string_view::npos) {
      Finish(Level::kCrit, StatusText() + " but the body lacks " + QuoteOneLine(spec_.body_contains), ms);
      return;
    }
    Finish(Level::kOk, StatusText() + " in " + std::to_string(std::llround(ms)) + " ms", ms);
  }

  void FailAnswer(ErrorCode ec) {
    if (IsTlsTruncation(ec)) {
      // A TLS close without close_notify, worded as the plain close it stands for.
      ec = parser_->got_some() ? http::error::partial_message : http::error::end_of_stream;
    }
    if (ec == http::error::end_of_stream) {
      Finish(Level::kCrit, "connection closed without an answer");
    } else if (ec.category() == HttpErrors()) {
      Finish(Level::kCrit, "bad HTTP answer: " + Words(ec));
    } else {
      Finish(Level::kCrit, Words(ec));
    }
  }

  std::string StatusText() const { return "HTTP " + std::to_string(status_); }

  const HttpProbeSpec spec_;
  // https: the context outlives the stream made with it.
  std::unique_ptr<ssl::context> tls_context_;
  std::optional<TlsStream> tls_;
  // Kept until the attempt is destroyed, as a Beast read still in Asio's queue may point
  // into them.
  http::request<http::empty_body> request_;
  beast::flat_buffer buffer_;
  std::optional<http::response_parser<http::buffer_body>> parser_;
  unsigned status_ = 0;
  std::string body_;      // room for the body read so far
  size_t body_size_ = 0;  // bytes of body_ filled
};

}  // namespace

event::HandlePtr HttpProber::Probe(const HttpProbeSpec& spec, DoneFn done) {
  return ConnectAttempt::Start(std::make_shared<Attempt>(loop_, spec, std::move(done)));
}

}  // namespace vigil::probe
