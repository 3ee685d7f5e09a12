// SPDX-License-Identifier: MIT
// RequestParser: requests whole, in pieces and pipelined; every limit, including the
// trailer limits of issue 8, and that the input it holds stays bounded.
#include "api/request_parser.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

namespace vigil::api {
namespace {

constexpr std::string_view kChunkedHead =
    "POST /v1/start HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";

// The largest input a parser may hold while it waits for more, with default limits.
size_t MaxWaitingBytes(const RequestLimits& limits) {
  return std::max({limits.max_header_bytes, limits.max_trailer_bytes +
                                                limits.max_chunk_line_bytes + 4,
                   limits.max_chunk_line_bytes + 2});
}

class RequestParserTest : public ::testing::Test {
 protected:
  // Feeds `bytes` in pieces of `piece` bytes, parsing after each, and returns what the
  // last Parse() said. Complete requests are collected in requests_; the input held is
  // checked after every kNeedMore.
  ParseStatus Feed(std::string_view bytes, size_t piece = SIZE_MAX) {
    ParseStatus status = ParseStatus::kNeedMore;
    while (!bytes.empty() && status != ParseStatus::kFailed) {
      const size_t n = std::min(piece, bytes.size());
      parser_->Append(bytes.substr(0, n));
      bytes.remove_prefix(n);
      status = ParseAll();
    }
    return status;
  }

  ParseStatus ParseAll() {
    for (;;) {
      Request request;
      ParseStatus status = parser_->Parse(&request);
      if (status == ParseStatus::kComplete) {
        requests_.push_back(std::move(request));
        continue;
      }
      if (status == ParseStatus::kNeedMore) {
        max_waiting_ = std::max(max_waiting_, parser_->buffered_bytes());
      }
      return status;
    }
  }

  void Reset() { parser_ = std::make_unique<RequestParser>(limits_); }

  RequestLimits limits_;
  std::unique_ptr<RequestParser> parser_ = std::make_unique<RequestParser>(limits_);
  std::vector<Request> requests_;
  size_t max_waiting_ = 0;
};

TEST_F(RequestParserTest, ParsesAGet) {
  EXPECT_EQ(Feed("GET /v1/programs?x=1 HTTP/1.1\r\nHost: x\r\n\r\n"), ParseStatus::kNeedMore);
  ASSERT_EQ(requests_.size(), 1u);
  EXPECT_EQ(requests_[0].method, "GET");
  EXPECT_EQ(requests_[0].target, "/v1/programs?x=1");
  EXPECT_EQ(requests_[0].version, 11);
  EXPECT_TRUE(requests_[0].keep_alive);
  EXPECT_EQ(requests_[0].body, "");
  EXPECT_EQ(parser_->buffered_bytes(), 0u);
}

// The fields the HTTP listener reads are kept (whatever their case; the last of a repeated
// one), the rest dropped; a pipelined request behind starts with none.
TEST_F(RequestParserTest, KeepsTheHeadersTheListenerReads) {
  ASSERT_EQ(Feed("GET /v1/stream HTTP/1.1\r\nHOST: 127.0.0.1:7411\r\nOrigin: http://127.0.0.1:7411\r\n"
                 "Authorization: Bearer abc\r\nCookie: a=1; vigil_session=xyz\r\nx-csrf-token: t1\r\n"
                 "X-CSRF-Token: t2\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                 "Sec-WebSocket-Key: k==\r\nSec-WebSocket-Version: 13\r\nIf-None-Match: \"e1\"\r\nX-Other: dropped\r\n\r\n"
                 "GET / HTTP/1.1\r\nHost: h\r\n\r\n",
                 7),
            ParseStatus::kNeedMore);
  ASSERT_EQ(requests_.size(), 2u);
  const RequestHeaders& h = requests_[0].headers;
  EXPECT_EQ(h.host, "127.0.0.1:7411");
  EXPECT_EQ(h.origin, "http://127.0.0.1:7411");
  EXPECT_EQ(h.authorization, "Bearer abc");
  EXPECT_EQ(h.cookie, "a=1; vigil_session=xyz");
  EXPECT_EQ(h.csrf_token, "t2");
  EXPECT_EQ(h.upgrade, "websocket");
  EXPECT_EQ(h.websocket_key, "k==");
  EXPECT_EQ(h.websocket_version, "13");
  EXPECT_EQ(h.if_none_match, "\"e1\"");
  EXPECT_EQ(requests_[1].headers.host, "h");
  EXPECT_TRUE(requests_[1].headers.origin.empty());
}

TEST_F(RequestParserTest, ParsesABodyArrivingByteByByte) {
  const std::string body = R"({"programs":["web"]})";
  Feed("POST /v1/stop HTTP/1.1\r\nContent-Length: " + std::to_string(body.size()) +
           "\r\n\r\n" + body,
       1);
  ASSERT_EQ(requests_.size(), 1u);
  EXPECT_EQ(requests_[0].method, "POST");
  EXPECT_EQ(requests_[0].body, body);
}

TEST_F(RequestParserTest, ParsesAChunkedBodyAndDropsItsTrailer) {
  const std::string request = std::string(kChunkedHead) +
                              "3;ext=1\r\n{\"p\r\n4\r\nrog\"\r\n0\r\nX-Sum: 12\r\nX-More: y\r\n\r\n";
  for (size_t piece : {SIZE_MAX, size_t{1}, size_t{7}}) {
    requests_.clear();
    Reset();
    EXPECT_EQ(Feed(request, piece), ParseStatus::kNeedMore) << parser_->error().message;
    ASSERT_EQ(requests_.size(), 1u) << "pieces of " << piece;
    EXPECT_EQ(requests_[0].body, "{\"prog\"");
  }
}

TEST_F(RequestParserTest, PipelinedRequestsComeOutOneByOne) {
  parser_->Append(
      "GET /a HTTP/1.1\r\n\r\nPOST /b HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}GET /c HTTP/1.1\r\n");
  Request request;
  ASSERT_EQ(parser_->Parse(&request), ParseStatus::kComplete);
  EXPECT_EQ(request.target, "/a");
  ASSERT_EQ(parser_->Parse(&request), ParseStatus::kComplete);
  EXPECT_EQ(request.target, "/b");
  EXPECT_EQ(request.body, "{}");
  EXPECT_EQ(parser_->Parse(&request), ParseStatus::kNeedMore);
  parser_->Append("\r\n");
  ASSERT_EQ(parser_->Parse(&request), ParseStatus::kComplete);
  EXPECT_EQ(request.target, "/c");
}

TEST_F(RequestParserTest, KeepAliveFollowsVersionAndConnection) {
  Feed("GET /a HTTP/1.1\r\nConnection: close\r\n\r\n");
  Feed("GET /b HTTP/1.0\r\n\r\n");
  Feed("GET /c HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  ASSERT_EQ(requests_.size(), 3u);
  EXPECT_FALSE(requests_[0].keep_alive);
  EXPECT_FALSE(requests_[1].keep_alive);
  EXPECT_EQ(requests_[1].version, 10);
  EXPECT_TRUE(requests_[2].keep_alive);
}

TEST_F(RequestParserTest, NotHttpIs400AndFinal) {
  EXPECT_EQ(Feed("THIS IS NOT HTTP\r\n\r\n"), ParseStatus::kFailed);
  EXPECT_EQ(parser_->error().http_status, 400);
  EXPECT_EQ(parser_->error().message.rfind("malformed HTTP request: ", 0), 0u);
  EXPECT_EQ(parser_->buffered_bytes(), 0u);
  parser_->Append("GET / HTTP/1.1\r\n\r\n");
  Request request;
  EXPECT_EQ(parser_->Parse(&request), ParseStatus::kFailed);
  EXPECT_TRUE(requests_.empty());
}

TEST_F(RequestParserTest, OversizedHeaderIs400) {
  for (size_t piece : {SIZE_MAX, size_t{1000}}) {
    Reset();
    EXPECT_EQ(Feed("GET / HTTP/1.1\r\nX-H: " + std::string(20000, 'h') + "\r\n\r\n", piece),
              ParseStatus::kFailed);
    EXPECT_EQ(parser_->error().http_status, 400);
    EXPECT_EQ(parser_->error().message, "malformed HTTP request: header limit exceeded");
  }
  EXPECT_LE(max_waiting_, limits_.max_header_bytes);
}

TEST_F(RequestParserTest, OversizedBodyIs413ForEitherFraming) {
  limits_.max_body_bytes = 10;
  RequestParser by_length(limits_);
  by_length.Append("POST / HTTP/1.1\r\nContent-Length: 11\r\n\r\n");
  Request request;
  EXPECT_EQ(by_length.Parse(&request), ParseStatus::kFailed);
  EXPECT_EQ(by_length.error().http_status, 413);
  EXPECT_EQ(by_length.error().message, "request body larger than 10 bytes");

  RequestParser chunked(limits_);
  chunked.Append(std::string(kChunkedHead) + "6\r\n123456\r\n5\r\n12345\r\n");
  EXPECT_EQ(chunked.Parse(&request), ParseStatus::kFailed);
  EXPECT_EQ(chunked.error().http_status, 413);
}

// Regression test for issue 8, item 9: a trailer field of 70,000 bytes made Beast's
// request_parser throw length_error ("field value too large"), which aborted vigild.
TEST_F(RequestParserTest, HugeTrailerFieldIs400WholeOrInPieces) {
  const std::string request =
      std::string(kChunkedHead) + "2\r\n{}\r\n0\r\nX-T: " + std::string(70000, 'a') + "\r\n\r\n";
  for (size_t piece : {SIZE_MAX, size_t{16 * 1024}, size_t{1000}}) {
    Reset();
    EXPECT_EQ(Feed(request, piece), ParseStatus::kFailed) << "pieces of " << piece;
    EXPECT_EQ(parser_->error().http_status, 400);
    EXPECT_EQ(parser_->error().message, "request trailer too large: more than 8192 bytes");
  }
  EXPECT_TRUE(requests_.empty());
  EXPECT_LE(max_waiting_, MaxWaitingBytes(limits_));
}

// Regression test for issue 8, item 10: 5 million small trailer fields were buffered and
// then stored, one allocation each (489 MB in vigild). Now the parser refuses them before
// holding more than its limits, whether they arrive at once or bit by bit.
TEST_F(RequestParserTest, EndlessTrailerFieldsAreRefusedAtTheLimit) {
  std::string block;
  while (block.size() < 64 * 1024) block += "X-a: b\r\n";
  Feed(std::string(kChunkedHead) + "2\r\n{}\r\n0\r\n");
  ParseStatus status = ParseStatus::kNeedMore;
  size_t fed = 0;
  while (status == ParseStatus::kNeedMore && fed < 40u * 1000 * 1000) {
    status = Feed(block);
    fed += block.size();
  }
  EXPECT_EQ(status, ParseStatus::kFailed);
  EXPECT_EQ(fed, block.size());  // refused in the first block
  EXPECT_EQ(parser_->error().message, "request trailer too large: more than 8192 bytes");
  EXPECT_EQ(parser_->buffered_bytes(), 0u);  // and the input is let go at once

  // Complete, so that Beast parses the fields: refused by their number.
  Reset();
  EXPECT_EQ(Feed(std::string(kChunkedHead) + "2\r\n{}\r\n0\r\n" + block + "\r\n"),
            ParseStatus::kFailed);
  EXPECT_EQ(parser_->error().message, "request trailer too large: more than 32 fields");

  // Eight bytes at a time: refused once the waiting section passes its cap.
  Reset();
  Feed(std::string(kChunkedHead) + "2\r\n{}\r\n0\r\n");
  EXPECT_EQ(Feed(block, 8), ParseStatus::kFailed);
  EXPECT_EQ(parser_->error().message, "request trailer too large: more than 8192 bytes");
  EXPECT_LE(max_waiting_, MaxWaitingBytes(limits_));
  EXPECT_TRUE(requests_.empty());
}

TEST_F(RequestParserTest, TrailerUpToItsLimitsIsAccepted) {
  // 32 fields of 256 bytes each ("X-NN: " + value + CRLF): exactly 8192 bytes.
  std::string trailer;
  for (int i = 0; i < 32; ++i) {
    char name[8];
    std::snprintf(name, sizeof(name), "X-%02d", i);
    trailer += std::string(name) + ": " + std::string(256 - 8, 'v') + "\r\n";
  }
  ASSERT_EQ(trailer.size(), 8192u);
  const std::string request = std::string(kChunkedHead) + "2\r\n{}\r\n0\r\n" + trailer + "\r\n";
  for (size_t piece : {SIZE_MAX, size_t{1}, size_t{100}}) {
    requests_.clear();
    Reset();
    EXPECT_EQ(Feed(request, piece), ParseStatus::kNeedMore) << parser_->error().message;
    ASSERT_EQ(requests_.size(), 1u) << "pieces of " << piece;
    EXPECT_EQ(requests_[0].body, "{}");
  }
  // One field more is too many; one byte more is too large.
  RequestParser too_many(limits_);
  too_many.Append(std::string(kChunkedHead) + "0\r\n" + trailer + "X: \r\n\r\n");
  Request out;
  EXPECT_EQ(too_many.Parse(&out), ParseStatus::kFailed);
  EXPECT_EQ(too_many.error().message, "request trailer too large: more than 32 fields");
  RequestParser too_large(limits_);
  too_large.Append(std::string(kChunkedHead) + "0\r\n" + trailer.substr(0, trailer.size() - 2) +
                   "w\r\n\r\n");
  EXPECT_EQ(too_large.Parse(&out), ParseStatus::kFailed);
  EXPECT_EQ(too_large.error().message, "request trailer too large: more than 8192 bytes");
}

TEST_F(RequestParserTest, OverlongChunkLineIs400) {
  EXPECT_EQ(Feed(std::string(kChunkedHead) + "2;ext=" + std::string(100000, 'e'), 4096),
            ParseStatus::kFailed);
  EXPECT_EQ(parser_->error().http_status, 400);
  EXPECT_EQ(parser_->error().message, "chunk header too long: more than 1024 bytes");
  EXPECT_LE(max_waiting_, MaxWaitingBytes(limits_));
}

TEST_F(RequestParserTest, PrepareAndCommitKeepOnlyWhatWasRead) {
  std::span<char> room = parser_->Prepare(64);
  ASSERT_EQ(room.size(), 64u);
  const std::string_view first = "GET /x HTTP/1.1\r\n";
  std::copy(first.begin(), first.end(), room.begin());
  parser_->Commit(first.size());
  EXPECT_EQ(parser_->buffered_bytes(), first.size());
  Request request;
  EXPECT_EQ(parser_->Parse(&request), ParseStatus::kNeedMore);
  parser_->Prepare(64);
  parser_->Commit(0);  // a read that returned nothing
  parser_->Append("\r\n");
  ASSERT_EQ(parser_->Parse(&request), ParseStatus::kComplete);
  EXPECT_EQ(request.target, "/x");
}

}  // namespace
}  // namespace vigil::api
