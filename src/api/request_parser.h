// SPDX-License-Identifier: MIT
// api::RequestParser: turns the bytes of one API connection into HTTP/1.1 requests
// (pipelined ones included) within fixed limits on every part of a request, so that
// neither an exception nor unbounded memory can come out of what a client sends. The
// server (http_server.cc) and the fuzzer (fuzz/request_fuzzer.cc) share it. Beast's
// basic_parser does the syntax, hidden in request_parser.cc: this header is Beast-free.
// Thread rule: none of its own; one connection's parser is used by one thread.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace vigil::api {

// Documented in docs/api.md ("Transport").
struct RequestLimits {
  // The request line and header fields together (Beast's header_limit).
  size_t max_header_bytes = 16 * 1024;
  // The body, after chunked decoding. Larger gets 413.
  size_t max_body_bytes = 1 << 20;
  // A chunked body's trailer section: the fields after the last chunk, counted as
  // "name: value\r\n", and how many there are. Nothing in the API reads trailers, so they
  // are counted and dropped, never stored.
  size_t max_trailer_bytes = 8 * 1024;
  size_t max_trailer_fields = 32;
  // One chunk-size line with its extensions.
  size_t max_chunk_line_bytes = 1024;
};

// The header fields the HTTP listener reads (docs/web.md); all others are dropped. A field
// sent twice keeps its last value. Bounded with the rest of the header by max_header_bytes.
struct RequestHeaders {
  std::string host;
  std::string origin;
  std::string authorization;
  std::string cookie;
  std::string csrf_token;  // X-CSRF-Token
  std::string upgrade;     // "websocket" for a WebSocket handshake
  std::string websocket_key;      // Sec-WebSocket-Key
  std::string websocket_version;  // Sec-WebSocket-Version
  std::string if_none_match;      // the dashboard's files answer 304 to their ETag
};

// One complete request.
struct Request {
  std::string method;  // as sent: "GET", "POST", or anything token-shaped
  std::string target;  // "/v1/programs?x=1"
  int version = 11;    // 10 or 11
  bool keep_alive = true;
  RequestHeaders headers;
  std::string body;
};

// Why the bytes received are not an acceptable request: answer `http_status` (400, 413,
// or 500 after an internal failure) with `message`, then close the connection.
struct RequestError {
  int http_status = 400;
  std::string message;
};

enum class ParseStatus {
  kNeedMore,  // every byte received so far is used; give it more
  kComplete,  // a request is ready
  kFailed,    // error() says why; the connection cannot go on
};

class RequestParser {
 public:
  explicit RequestParser(RequestLimits limits = {});
  ~RequestParser();
  RequestParser(const RequestParser&) = delete;
  RequestParser& operator=(const RequestParser&) = delete;

  // Input. Prepare(n) gives room for up to n more bytes (for a socket read straight into
  // it); Commit(k) then keeps the first k of them. Nothing else may touch the parser
  // between the two. Append() is both in one.
  std::span<char> Prepare(size_t n);
  void Commit(size_t n);
  void Append(std::string_view bytes);

  // Parses the input received so far. kComplete moves the next request into *request;
  // call Parse() again for one pipelined behind it before reading more. kFailed is final:
  // every later call returns it again. Never throws.
  ParseStatus Parse(Request* request);
  const RequestError& error() const { return error_; }

  // Bytes received and not yet used. Invariant: after kNeedMore it is at most the largest
  // of the header, trailer and chunk-line limits, so a client cannot make a connection
  // hold more than that plus one read (the body goes into the request as it arrives).
  size_t buffered_bytes() const { return input_.size() - consumed_; }

 private:
  class Beast;  // the basic_parser<true> of the request being read; request_parser.cc

  ParseStatus Fail(int http_status, std::string message);
  // The cap on bytes left waiting after a kNeedMore, or a failure if it is passed.
  ParseStatus NeedMore();
  void ReleaseSpareInput();

  RequestLimits limits_;
  std::unique_ptr<Beast> beast_;  // null between requests
  std::string input_;             // [consumed_, size) is not parsed yet
  size_t consumed_ = 0;
  size_t prepared_ = 0;  // bytes added by Prepare() and not yet committed
  bool failed_ = false;
  RequestError error_;
};

}  // namespace vigil::api
