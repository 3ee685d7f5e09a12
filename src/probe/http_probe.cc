// SPDX-License-Identifier: MIT
// HttpProber: each probe is an Attempt shared by its handle and by the Asio handlers in
// flight, so a handler that runs after a cancel or a timeout still finds it, sees it
// finished and does nothing. Plain completion handlers, no coroutines (g++ 12 miscompiles
// some co_await temporaries; see shared/STACK.md).
#include "probe/http_probe.h"

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <exception>
#include <memory>
#include <optional>
#include <string_view>
#include <utility>

#include "base/units.h"

namespace vigil::probe {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using Tcp = asio::ip::tcp;
using ErrorCode = boost::system::error_code;
using health::Level;

// Beast's default of 8 KiB fits any health endpoint; a little more spares a false alarm
// from a proxy that adds long headers.
constexpr uint32_t kMaxHeaderBytes = 16 * 1024;
// The body buffer starts at this and doubles up to kMaxHttpBodyBytes, so the usual short
// answer ("ok") does not cost 64 KiB for as long as the handle is kept.
constexpr size_t kFirstBodyBytes = 4 * 1024;
static_assert(kFirstBodyBytes <= kMaxHttpBodyBytes);

// Asio's messages as words of a sentence: "Connection refused" -> "connection refused".
// An initial acronym ("EOF ...") keeps its case.
std::string Words(const ErrorCode& ec) {
  std::string text = ec.message();
  if (text.size() >= 2 && text[0] >= 'A' && text[0] <= 'Z' && !(text[1] >= 'A' && text[1] <= 'Z')) {
    text[0] = static_cast<char>(text[0] - 'A' + 'a');
  }
  return text;
}

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

// One probe. Owned by its ProbeHandle and by every Asio handler in flight.
// Invariant: once finished_ is set, done_ is empty, the timer is gone and the socket
// closed; handlers that still run return at once.
class Attempt final : public std::enable_shared_from_this<Attempt> {
  // A completion handler that keeps the attempt alive, does nothing once it is finished,
  // and turns an exception (Beast and the allocator may throw) into an outcome instead of
  // letting it reach the loop, which would end vigild.
  // First in the class, as Start() needs its deduced return type.
  template <typename Fn>
  auto Guarded(Fn fn) {
    return [self = shared_from_this(), fn = std::move(fn)](auto&&... args) mutable {
      if (self->finished_) return;
      try {
        fn(*self, std::forward<decltype(args)>(args)...);
      } catch (const std::exception& e) {
        self->Finish(Level::kUnknown, std::string("internal error: ") + e.what());
      } catch (...) {
        self->Finish(Level::kUnknown, "internal error");
      }
    };
  }

 public:
  Attempt(event::Loop& loop, const HttpProbeSpec& spec, DoneFn done)
      : loop_(loop), spec_(spec), done_(std::move(done)), resolver_(loop.context()), socket_(loop.context()) {}

  // Starts the probe. Never calls done_ itself: every outcome comes from a handler or the
  // timer, or is posted.
  void Start() noexcept {
    try {
      started_ = std::chrono::steady_clock::now();
      // Covers every step; a loop timer, never an Asio one (see event/loop.h).
      timer_ = loop_.AddTimer(spec_.timeout, [this] {
        auto keep_alive = shared_from_this();  // done_ may destroy the handle
        Finish(Level::kCrit, "no answer within " + base::FormatDuration(spec_.timeout));
      });
      ErrorCode not_numeric;
      asio::ip::address address = asio::ip::make_address(spec_.url.host, not_numeric);
      if (!not_numeric) {
        socket_.async_connect(Tcp::endpoint(address, spec_.url.port),
                              Guarded([](Attempt& self, ErrorCode ec) { self.OnConnected(ec); }));
        return;
      }
      resolver_.async_resolve(spec_.url.host, std::to_string(spec_.url.port), Tcp::resolver::numeric_service,
                              Guarded([](Attempt& self, ErrorCode ec, const Tcp::resolver::results_type& results) {
                                self.OnResolved(ec, results);
                              }));
    } catch (const std::exception& e) {
      PostFailure(std::string("internal error: ") + e.what());
    } catch (...) {
      PostFailure("internal error");
    }
  }

  // The handle is gone: done_ is dropped uncalled.
  void Cancel() noexcept {
    if (finished_) return;
    finished_ = true;
    done_ = nullptr;
    Release();
  }

 private:
  void PostFailure(std::string message) {
    loop_.Post([self = shared_from_this(), message = std::move(message)]() mutable {
      self->Finish(Level::kUnknown, std::move(message));
    });
  }

  void OnResolved(const ErrorCode& ec, const Tcp::resolver::results_type& results) {
    if (ec) {
      Finish(Level::kCrit, "cannot resolve " + spec_.url.host + ": " + Words(ec));
      return;
    }
    // Tries each address in turn; the error is the last one's.
    asio::async_connect(socket_, results,
                        Guarded([](Attempt& self, ErrorCode ec, const Tcp::endpoint&) { self.OnConnected(ec); }));
  }

  void OnConnected(const ErrorCode& ec) {
    if (ec) {
      Finish(Level::kCrit, Words(ec));
      return;
    }
    request_.method(http::verb::get);
    request_.target(spec_.url.target);
    request_.version(11);
    request_.set(http::field::host, base::HostHeader(spec_.url));
    request_.set(http::field::user_agent, "vigil-health-check");
    request_.set(http::field::accept, "*/*");
    // One request per connection: nothing to keep between probes, which run seconds apart.
    request_.set(http::field::connection, "close");
    http::async_write(socket_, request_, Guarded([](Attempt& self, ErrorCode ec, size_t) { self.OnSent(ec); }));
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
    http::async_read_header(socket_, buffer_, *parser_,
                            Guarded([](Attempt& self, ErrorCode ec, size_t) { self.OnHeader(ec); }));
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
    http::async_read(socket_, buffer_, *parser_, Guarded([](Attempt& self, ErrorCode ec, size_t) { self.OnBody(ec); }));
  }

  void OnBody(ErrorCode ec) {
    body_size_ = body_.size() - parser_->get().body().size;
    if (ec == http::error::need_buffer) ec = {};
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

  void FailAnswer(const ErrorCode& ec) {
    if (ec == http::error::end_of_stream) {
      Finish(Level::kCrit, "connection closed without an answer");
    } else if (ec.category() == HttpErrors()) {
      Finish(Level::kCrit, "bad HTTP answer: " + Words(ec));
    } else {
      Finish(Level::kCrit, Words(ec));
    }
  }

  std::string StatusText() const { return "HTTP " + std::to_string(status_); }

  double ElapsedMs() const {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started_).count();
  }

  void Finish(Level level, std::string message, std::optional<double> value = std::nullopt) {
    if (finished_) return;
    finished_ = true;
    Release();
    DoneFn done = std::exchange(done_, nullptr);
    if (done) done(Outcome{level, std::move(message), value});
  }

  // Ends whatever is in flight: pending handlers run later with operation_aborted. The
  // buffers stay, as a Beast read op still in the queue may point into them.
  void Release() noexcept {
    timer_.reset();
    resolver_.cancel();
    ErrorCode ignored;
    socket_.close(ignored);
  }

  event::Loop& loop_;
  const HttpProbeSpec spec_;
  DoneFn done_;
  bool finished_ = false;
  std::chrono::steady_clock::time_point started_;
  event::HandlePtr timer_;
  Tcp::resolver resolver_;
  Tcp::socket socket_;
  http::request<http::empty_body> request_;
  beast::flat_buffer buffer_;
  std::optional<http::response_parser<http::buffer_body>> parser_;
  unsigned status_ = 0;
  std::string body_;      // room for the body read so far
  size_t body_size_ = 0;  // bytes of body_ filled
};

class ProbeHandle final : public event::Handle {
 public:
  explicit ProbeHandle(std::shared_ptr<Attempt> attempt) : attempt_(std::move(attempt)) {}
  ~ProbeHandle() override { attempt_->Cancel(); }

 private:
  std::shared_ptr<Attempt> attempt_;
};

}  // namespace

event::HandlePtr HttpProber::Probe(const HttpProbeSpec& spec, DoneFn done) {
  auto attempt = std::make_shared<Attempt>(loop_, spec, std::move(done));
  attempt->Start();
  return std::make_unique<ProbeHandle>(std::move(attempt));
}

}  // namespace vigil::probe
