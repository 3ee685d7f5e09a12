// SPDX-License-Identifier: MIT
// RequestParser: Beast's basic_parser with callbacks that keep only what the router reads
// (method, target, keep-alive, body) and count trailer fields against their limits instead
// of storing them, plus the input buffer and the caps Beast does not apply after the
// header. The adapter for Beast's request parsing: whatever it throws stops here.
#include "api/request_parser.h"

#include <algorithm>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>
#include <cctype>
#include <cstdint>
#include <cstring>
#include <exception>
#include <limits>
#include <optional>
#include <utility>

namespace vigil::api {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using ErrorCode = boost::system::error_code;

// Input capacity kept for the next request; a connection that once needed more (a large
// piece from Append(), say) gives it back as soon as it has been parsed.
constexpr size_t kRetainedInputBytes = 64 * 1024;

// Whether `pending`, the bytes Beast left unparsed after the header of a chunked request,
// start with a complete last-chunk line ("0", extensions, CRLF). Then Beast is waiting for
// the end of the trailer section; otherwise for the end of a chunk-size line.
bool StartsWithLastChunk(std::string_view pending) {
  // Beast parses the CRLF that ends a chunk's data together with the next chunk line.
  if (pending.starts_with("\r\n")) pending.remove_prefix(2);
  size_t zeros = 0;
  while (zeros < pending.size() && pending[zeros] == '0') ++zeros;
  if (zeros == 0) return false;
  if (zeros < pending.size() && std::isxdigit(static_cast<unsigned char>(pending[zeros]))) {
    return false;
  }
  return pending.find("\r\n", zeros) != std::string_view::npos;
}

// The message of a failure inside Beast or an allocation; empty if even that cannot be
// allocated, since nothing may be thrown from here.
std::string InternalMessage(const char* what) noexcept {
  try {
    return std::string("internal error while reading the request: ") + what;
  } catch (...) {
    return std::string();
  }
}

}  // namespace

// The parser of one request. Beast calls the on_*_impl functions as it parses; setting
// `ec` in one of them stops put() with that error.
class RequestParser::Beast final : public http::basic_parser<true> {
 public:
  explicit Beast(const RequestLimits& limits) : limits_(limits) {
    header_limit(static_cast<std::uint32_t>(
        std::min<size_t>(limits.max_header_bytes, std::numeric_limits<std::uint32_t>::max())));
    body_limit(static_cast<std::uint64_t>(limits.max_body_bytes));
    eager(true);  // one put() parses as far as the input goes, header and body alike
  }

  Request& request() { return request_; }
  // Set when one of our own limits stopped the parse; Beast's error code then only carried
  // the stop.
  const std::optional<RequestError>& refusal() const { return refusal_; }

 private:
  void on_request_impl(http::verb, beast::string_view method, beast::string_view target,
                       int version, ErrorCode&) override {
    request_.method.assign(method.data(), method.size());
    request_.target.assign(target.data(), target.size());
    request_.version = version;
  }

  // Never called for a request parser.
  void on_response_impl(int, beast::string_view, int, ErrorCode& ec) override {
    ec = http::error::bad_version;
  }

  void on_field_impl(http::field field, beast::string_view name, beast::string_view value,
                     ErrorCode& ec) override {
    // Header fields are bounded by header_limit. Only the few the listener reads are kept
    // (Beast itself keeps what Connection, Content-Length and Transfer-Encoding mean), not
    // a fields container like Beast's request_parser's, which throws length_error for a
    // value over 64 KiB (issue 8, item 9).
    if (!header_done_) {
      Keep(field, name, value);
      return;
    }
    // Beast applies no limit to the trailer section (issue 8, item 10).
    ++trailer_fields_;
    trailer_bytes_ += name.size() + value.size() + 4;  // "name: value\r\n"
    if (trailer_fields_ > limits_.max_trailer_fields) {
      Refuse(ec, "request trailer too large: more than " +
                     std::to_string(limits_.max_trailer_fields) + " fields");
    } else if (trailer_bytes_ > limits_.max_trailer_bytes) {
      Refuse(ec, "request trailer too large: more than " +
                     std::to_string(limits_.max_trailer_bytes) + " bytes");
    }
  }

  void on_header_impl(ErrorCode&) override { header_done_ = true; }

  // Content-Length is checked against body_limit by Beast before this; no reserve(), so
  // a client that announces a body and never sends it does not cost its size.
  void on_body_init_impl(const boost::optional<std::uint64_t>&, ErrorCode&) override {}

  size_t on_body_impl(beast::string_view data, ErrorCode& ec) override {
    return AppendBody(data, ec);
  }

  void on_chunk_header_impl(std::uint64_t, beast::string_view, ErrorCode&) override {}

  size_t on_chunk_body_impl(std::uint64_t, beast::string_view data, ErrorCode& ec) override {
    return AppendBody(data, ec);
  }

  void on_finish_impl(ErrorCode&) override {}

  // Beast checks Content-Length and each chunk size against body_limit before the data
  // comes; this keeps the body within the limit whatever the framing.
  size_t AppendBody(beast::string_view data, ErrorCode& ec) {
    if (data.size() > limits_.max_body_bytes - request_.body.size()) {
      ec = http::error::body_limit;
      return 0;
    }
    request_.body.append(data.data(), data.size());
    return data.size();
  }

  void Keep(http::field field, beast::string_view name, beast::string_view value) {
    RequestHeaders& h = request_.headers;
    std::string* into = nullptr;
    switch (field) {
      case http::field::host: into = &h.host; break;
      case http::field::origin: into = &h.origin; break;
      case http::field::authorization: into = &h.authorization; break;
      case http::field::cookie: into = &h.cookie; break;
      case http::field::upgrade: into = &h.upgrade; break;
      case http::field::sec_websocket_key: into = &h.websocket_key; break;
      case http::field::sec_websocket_version: into = &h.websocket_version; break;
      case http::field::if_none_match: into = &h.if_none_match; break;
      case http::field::unknown:
        if (beast::iequals(name, "x-csrf-token")) into = &h.csrf_token;
        break;
      default: break;
    }
    if (into != nullptr) into->assign(value.data(), value.size());
  }

  void Refuse(ErrorCode& ec, std::string message) {
    refusal_ = RequestError{400, std::move(message)};
    ec = http::error::header_limit;  // any error stops put(); refusal_ says which
  }

  const RequestLimits& limits_;
  Request request_;
  bool header_done_ = false;
  size_t trailer_fields_ = 0;
  size_t trailer_bytes_ = 0;
  std::optional<RequestError> refusal_;
};

RequestParser::RequestParser(RequestLimits limits) : limits_(limits) {}

RequestParser::~RequestParser() = default;

std::span<char> RequestParser::Prepare(size_t n) {
  // Parsed bytes are dropped first, so the input only ever holds what still waits.
  if (consumed_ > 0) {
    input_.erase(0, consumed_);
    consumed_ = 0;
  }
  const size_t old_size = input_.size();
  input_.resize(old_size + n);
  prepared_ = n;
  return {input_.data() + old_size, n};
}

void RequestParser::Commit(size_t n) {
  input_.resize(input_.size() - prepared_ + std::min(n, prepared_));
  prepared_ = 0;
}

void RequestParser::Append(std::string_view bytes) {
  std::span<char> room = Prepare(bytes.size());
  if (!bytes.empty()) std::memcpy(room.data(), bytes.data(), bytes.size());
  Commit(bytes.size());
}

ParseStatus RequestParser::Parse(Request* request) {
  if (failed_) return ParseStatus::kFailed;
  try {
    for (;;) {
      if (buffered_bytes() == 0) return NeedMore();
      if (!beast_) beast_ = std::make_unique<Beast>(limits_);
      ErrorCode ec;
      const size_t used = beast_->put(
          boost::asio::const_buffer(input_.data() + consumed_, buffered_bytes()), ec);
      consumed_ += used;
      if (ec == http::error::need_more) return NeedMore();
      if (ec) {
        if (const auto& refusal = beast_->refusal()) {
          return Fail(refusal->http_status, refusal->message);
        }
        if (ec == http::error::body_limit) {
          return Fail(413, "request body larger than " + std::to_string(limits_.max_body_bytes) +
                               " bytes");
        }
        return Fail(400, "malformed HTTP request: " + ec.message());
      }
      if (beast_->is_done()) {
        *request = std::move(beast_->request());
        request->keep_alive = beast_->keep_alive();
        beast_.reset();
        ReleaseSpareInput();
        return ParseStatus::kComplete;
      }
      // No progress and no request: only more input can help (NeedMore() caps it).
      if (used == 0) return NeedMore();
    }
  } catch (const std::exception& e) {
    return Fail(500, InternalMessage(e.what()));
  } catch (...) {
    return Fail(500, InternalMessage("unknown exception"));
  }
}

ParseStatus RequestParser::NeedMore() {
  // Beast needs a whole line or field section in one piece. Up to the end of the header it
  // enforces header_limit itself; after it, nothing bounds a chunk-size line (extensions
  // may be any length) or the trailer section, so they are capped here, before their end
  // arrives. The trailer cap leaves room for the last-chunk line and the CRLFs around it,
  // so that a trailer within max_trailer_bytes is refused by neither path.
  if (beast_ && beast_->is_header_done()) {
    const size_t pending = buffered_bytes();
    if (StartsWithLastChunk(std::string_view(input_.data() + consumed_, pending))) {
      if (pending > limits_.max_trailer_bytes + limits_.max_chunk_line_bytes + 4) {
        return Fail(400, "request trailer too large: more than " +
                             std::to_string(limits_.max_trailer_bytes) + " bytes");
      }
    } else if (pending > limits_.max_chunk_line_bytes + 2) {
      return Fail(400, "chunk header too long: more than " +
                           std::to_string(limits_.max_chunk_line_bytes) + " bytes");
    }
  }
  ReleaseSpareInput();
  return ParseStatus::kNeedMore;
}

ParseStatus RequestParser::Fail(int http_status, std::string message) {
  failed_ = true;
  error_.http_status = http_status;
  error_.message = std::move(message);
  // Nothing more will be parsed: the memory goes now, not when the connection closes.
  beast_.reset();
  std::string().swap(input_);
  consumed_ = 0;
  return ParseStatus::kFailed;
}

void RequestParser::ReleaseSpareInput() {
  if (consumed_ != input_.size()) return;
  consumed_ = 0;
  if (input_.capacity() > kRetainedInputBytes) {
    std::string().swap(input_);
  } else {
    input_.clear();
  }
}

}  // namespace vigil::api
