// SPDX-License-Identifier: MIT
// HttpServer's transport: HTTP/1.1 sessions on a unix socket or TCP, over TLS when the
// listener has a certificate, with timeouts, hang-up detection while the Controller works,
// and chunked log streaming with back-pressure. One Session template serves the plain and
// the TLS stream.
// Requests are read by RequestParser (request_parser.cc, the other Beast TU of vigil_api);
// responses are written with Beast here. Each Beast TU costs 30-40 s to compile.
// Plain completion handlers, no coroutines (g++ 12 miscompiles some co_await temporaries).
#include "api/http_server.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <boost/asio/basic_socket_acceptor.hpp>
#include <boost/asio/generic/stream_protocol.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <optional>
#include <span>
#include <unordered_map>

#include "api/request_parser.h"
#include "api/shielded.h"
#include "api/unix_socket.h"
#include "api/websocket_connection.h"
#include "base/unique_fd.h"
#include "tls/server_context.h"

namespace vigil::api {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using Protocol = asio::generic::stream_protocol;
using Acceptor = asio::basic_socket_acceptor<Protocol>;
using ErrorCode = boost::system::error_code;

constexpr auto kAcceptRetryDelay = std::chrono::milliseconds(100);
// How long, and how many more bytes, Linger() takes at most from a refused client.
constexpr auto kLingerTime = std::chrono::seconds(2);
constexpr size_t kLingerBytes = 1 << 20;
// Bytes of a file body read and written at a time.
constexpr size_t kFileChunk = 64 * 1024;
// Bytes asked of each socket read while a request arrives.
constexpr size_t kReadBytes = 16 * 1024;

// One chunk of a chunked body (RFC 9112 section 7.1).
void AppendChunk(std::string& out, std::string_view data) {
  char size[24];
  int n = std::snprintf(size, sizeof(size), "%zx\r\n", data.size());
  out.append(size, static_cast<size_t>(n));
  out.append(data);
  out.append("\r\n");
}

// What the server holds of a session, whichever stream it runs on.
class AnySession {
 public:
  virtual ~AnySession() = default;
  // Stops talking to the owner; used when the owner closes everything itself.
  virtual void Detach() = 0;
  // Closes the connection at once, dropping any response not yet written and ending a log
  // follow. Idempotent.
  virtual void Close() noexcept = 0;
};

// What a Session needs from the server.
class SessionOwner {
 public:
  virtual const RequestHandler& handler() = 0;
  virtual void Forget(AnySession* session) = 0;
  // Takes over `socket` as the WebSocket connection that `request` asked for.
  virtual void AdoptWebSocket(Socket socket, const Request& request, WebSocketPeerPtr peer) = 0;
  virtual void AdoptWebSocket(TlsSocket socket, std::shared_ptr<tls::ServerContext> context,
                              const Request& request, WebSocketPeerPtr peer) = 0;

 protected:
  ~SessionOwner() = default;
};

// The first byte of a TLS connection: a handshake record (RFC 8446 section 5.1). A plain
// HTTP request starts with a method's letter instead.
constexpr unsigned char kTlsHandshakeRecord = 0x16;

// One client connection on `Stream`: the socket itself, or TlsSocket over it. The server
// owns it until it closes; completion handlers in flight keep it alive after that, and
// find closed_ set. Every handler runs through Guarded() or Shield(): an exception closes
// this connection and goes no further.
// Invariant: at most one read-side and one write-side operation are outstanding.
template <typename Stream>
class Session final : public AnySession, public std::enable_shared_from_this<Session<Stream>> {
 public:
  static constexpr bool kTls = std::is_same_v<Stream, TlsSocket>;

  // A plain session.
  Session(Socket socket, event::Loop& loop, SessionOwner* owner, const HttpServerOptions& options)
    requires(!kTls)
      : stream_(std::move(socket)), loop_(loop), owner_(owner), options_(options), parser_(options.request_limits) {}
  // A TLS session, which holds the context its stream was made with.
  Session(Socket socket, std::shared_ptr<tls::ServerContext> context, event::Loop& loop, SessionOwner* owner,
          const HttpServerOptions& options)
    requires kTls
      : stream_(std::move(socket), context->native()),
        tls_context_(std::move(context)),
        loop_(loop),
        owner_(owner),
        options_(options),
        parser_(options.request_limits) {}

  void Start() {
    Shield([&] {
      if constexpr (kTls) {
        AwaitClientHello();
      } else {
        ReadRequest();
      }
    });
  }

  void Detach() override { owner_ = nullptr; }

  void Close() noexcept override {
    if (closed_) return;
    auto keep_alive = this->shared_from_this();  // Forget() may drop the owner's reference
    closed_ = true;
    follow_handle_.reset();
    StopTimer();
    ErrorCode ignored;
    socket().shutdown(Socket::shutdown_both, ignored);
    socket().close(ignored);
    if (SessionOwner* owner = std::exchange(owner_, nullptr)) owner->Forget(this);
  }

 private:
  Socket& socket() { return beast::get_lowest_layer(stream_); }

  // TLS: the handshake, under the read timeout like a request (a client that connects
  // and says nothing is closed). A plain HTTP request on the TLS port gets a plain answer
  // saying so, rather than a handshake failure the user cannot read.
  void AwaitClientHello() {
    state_ = State::kReading;
    ArmTimer(options_.read_timeout);
    WaitForClientHello();
  }

  void WaitForClientHello() {
    socket().async_wait(Socket::wait_read, Guarded([](Session& self, ErrorCode ec) {
                          if (self.closed_) return;
                          if (ec) return self.Close();
                          unsigned char first = 0;
                          const ssize_t n = ::recv(self.socket().native_handle(), &first, 1, MSG_PEEK | MSG_DONTWAIT);
                          if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
                            return self.WaitForClientHello();
                          }
                          if (n <= 0) return self.Close();
                          if (first != kTlsHandshakeRecord) return self.RefusePlainHttp();
                          self.Handshake();
                        }));
  }

  void Handshake() {
    if constexpr (kTls) {
      stream_.async_handshake(asio::ssl::stream_base::server, Guarded([](Session& self, ErrorCode ec) {
                                if (self.closed_) return;
                                if (ec) return self.Close();  // not TLS, no common cipher, or gone
                                self.StopTimer();
                                self.ReadRequest();
                              }));
    }
  }

  void RefusePlainHttp() {
    const std::string body = R"({"error":"this port speaks HTTPS: use an https:// URL"})";
    out_ = "HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\nConnection: close\r\nCache-Control: no-store\r\n";
    for (const auto& [name, value] : options_.headers) out_ += name + ": " + value + "\r\n";
    out_ += "\r\n" + body;
    raw_ = true;  // the rest is read and written on the socket itself
    keep_alive_ = false;
    state_ = State::kWriting;
    asio::async_write(socket(), asio::buffer(out_), Guarded([](Session& self, ErrorCode ec, size_t) {
                        if (self.closed_) return;
                        if (ec) return self.Close();
                        self.StopTimer();
                        self.Linger();
                      }));
  }

  enum class State { kReading, kWaiting, kWriting, kFollowing };

  // Runs `fn` (this session's work); if it throws, the connection is closed.
  template <typename Fn>
  void Shield(Fn&& fn) noexcept {
    if (!RunShielded(std::forward<Fn>(fn))) Close();
  }

  // A completion handler that keeps the session alive and runs `fn(session, args...)`
  // shielded.
  template <typename Fn>
  auto Guarded(Fn fn) {
    return [self = this->shared_from_this(), fn = std::move(fn)](auto&&... args) mutable {
      self->Shield([&] { fn(*self, std::forward<decltype(args)>(args)...); });
    };
  }

  void ReadRequest() {
    state_ = State::kReading;
    ArmTimer(options_.read_timeout);
    ParseRequest();
  }

  // Parses what has arrived (a pipelined request may be there already), reading more
  // until a request is complete or refused.
  void ParseRequest() {
    Request request;
    switch (parser_.Parse(&request)) {
      case ParseStatus::kComplete:
        StopTimer();
        OnRequest(std::move(request));
        return;
      case ParseStatus::kFailed:
        StopTimer();
        keep_alive_ = false;
        linger_ = true;  // the rest of the refused request may still be on its way
        WriteError(parser_.error().http_status, parser_.error().message);
        return;
      case ParseStatus::kNeedMore:
        break;
    }
    std::span<char> room = parser_.Prepare(kReadBytes);
    stream_.async_read_some(asio::buffer(room.data(), room.size()),
                            Guarded([](Session& self, ErrorCode ec, size_t n) {
                              self.parser_.Commit(n);
                              if (self.closed_) return;
                              if (ec) {
                                self.Close();  // the client left, perhaps mid-request
                                return;
                              }
                              self.ParseRequest();
                            }));
  }

  void OnRequest(Request request) {
    if (owner_ == nullptr) {
      Close();
      return;
    }
    keep_alive_ = request.keep_alive;
    state_ = State::kWaiting;
    // An upgrade is answered by the WebSocket transport, which needs the request's fields.
    if (IsWebSocketUpgrade(request)) {
      upgrade_.emplace();
      upgrade_->method = request.method;
      upgrade_->target = request.target;
      upgrade_->headers = request.headers;
    } else {
      upgrade_.reset();
    }
    uint64_t seq = ++seq_;
    std::weak_ptr<Session> weak = this->weak_from_this();
    // The Controller may answer now or much later, from its own call stack: the answer is
    // shielded there too.
    owner_->handler()(std::move(request), [weak, seq](Response response) {
      if (auto self = weak.lock()) {
        self->Shield([&] { self->OnResponse(seq, std::move(response)); });
      }
    });
    // Still waiting: the Controller answers later, perhaps much later.
    if (!closed_ && state_ == State::kWaiting && seq == seq_) WatchForHangup();
  }

  // While the Controller works nothing is read, so without this a client that gave up
  // would only be noticed when its response is written.
  void WatchForHangup() {
    socket().async_wait(Socket::wait_read, Guarded([seq = seq_](Session& self, ErrorCode ec) {
      if (self.closed_ || seq != self.seq_ || self.state_ != State::kWaiting) return;
      if (ec) {
        self.Close();
        return;
      }
      char byte;
      ssize_t n = ::recv(self.socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
      // A pipelined request, read after this response (over TLS: any record, a close_notify
      // too, which the write of the response finds out).
      if (n > 0) return;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
        self.WatchForHangup();
        return;
      }
      self.Close();  // recv(2) returned 0 (orderly shutdown) or an error: nobody is left
    }));
  }

  void OnResponse(uint64_t seq, Response response) {
    // A late or duplicate answer to a request this connection no longer waits for.
    if (closed_ || seq != seq_ || state_ != State::kWaiting) return;
    ErrorCode ignored;
    socket().cancel(ignored);  // ends WatchForHangup; its handler sees the state change
    if (response.websocket) {
      StartWebSocket(std::move(response));
    } else if (response.follow) {
      StartFollow(std::move(response));
    } else if (!response.file.empty()) {
      StartFile(std::move(response));
    } else {
      WriteResponse(std::move(response));
    }
  }

  // Hands the socket to the WebSocket transport; this session ends without closing it.
  void StartWebSocket(Response response) {
    if (!upgrade_) {
      keep_alive_ = false;
      return WriteError(426, "this is a WebSocket endpoint: connect with a WebSocket client");
    }
    SessionOwner* owner = owner_;
    if (owner == nullptr) return Close();
    auto keep_alive = this->shared_from_this();
    closed_ = true;
    StopTimer();
    owner_ = nullptr;
    owner->Forget(this);
    if constexpr (kTls) {
      owner->AdoptWebSocket(std::move(stream_), tls_context_, *upgrade_, std::move(response.websocket));
    } else {
      owner->AdoptWebSocket(std::move(stream_), *upgrade_, std::move(response.websocket));
    }
  }

  void WriteError(int status, const std::string& message) {
    Response response = ErrorResponse(base::Status::InvalidArgument(message));
    response.status = status;
    WriteResponse(std::move(response));
  }

  void WriteResponse(Response response) {
    state_ = State::kWriting;
    response_.emplace(static_cast<http::status>(response.status), 11);
    response_->set(http::field::content_type, response.content_type);
    response_->set(http::field::cache_control, "no-store");
    if (!response.allow.empty()) response_->set(http::field::allow, response.allow);
    for (const auto& [name, value] : options_.headers) response_->insert(name, value);
    for (const auto& [name, value] : response.headers) {
      // A response may replace the no-store (the dashboard's files are kept, with an ETag).
      if (beast::iequals(name, "Cache-Control")) {
        response_->set(http::field::cache_control, value);
      } else {
        response_->insert(name, value);
      }
    }
    response_->keep_alive(keep_alive_);
    response_->body() = std::move(response.body);
    response_->prepare_payload();
    ArmTimer(options_.read_timeout);
    http::async_write(stream_, *response_,
                      Guarded([after_write = std::move(response.after_write)](
                                  Session& self, ErrorCode ec, size_t) {
                        self.OnWritten(ec, after_write);
                      }));
  }

  void OnWritten(ErrorCode ec, const std::function<void()>& after_write) {
    StopTimer();
    response_.reset();
    // Even after a failed write: the request was accepted (shutdown goes ahead).
    if (after_write) after_write();
    if (closed_) return;
    if (!ec && linger_) {
      Linger();
      return;
    }
    if (ec || !keep_alive_) {
      Close();
      return;
    }
    ReadRequest();
  }

  // After refusing a request whose bytes may still be arriving (a body over the limit),
  // the connection closes once the client stops sending, or after kLingerTime or
  // kLingerBytes: a socket closed with unread input sends a TCP reset, which can destroy
  // the answer before the client has read it.
  void Linger() {
    ErrorCode ignored;
    socket().shutdown(Socket::shutdown_send, ignored);
    ArmTimer(kLingerTime);
    DiscardUntilEnd();
  }

  void DiscardUntilEnd() {
    auto on_read = Guarded([](Session& self, ErrorCode ec, size_t n) {
                              if (self.closed_) return;
                              self.lingered_ += n;
                              if (ec || self.lingered_ > kLingerBytes) {
                                self.Close();
                                return;
                              }
                              self.DiscardUntilEnd();
                            });
    // After a plain answer on the TLS port, what the client sends is plain too.
    if (raw_) {
      socket().async_read_some(asio::buffer(discard_), std::move(on_read));
    } else {
      stream_.async_read_some(asio::buffer(discard_), std::move(on_read));
    }
  }

  // A file as the body, kFileChunk bytes per write, so a log of any size costs one piece
  // of memory. The length is the file's size when the answer starts; should the file
  // shrink meanwhile (a rotation truncates nothing, but a user might), the connection is
  // closed, since the promised length can no longer be met.
  void StartFile(Response response) {
    auto fail = [&](const std::string& why) {
      file_fd_.reset();
      WriteResponse(ErrorResponse(base::Status::IoError(response.file.string() + ": " + why)));
    };
    file_left_ = 0;  // a file not written yet is empty
    file_offset_ = 0;
    const int fd = ::open(response.file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0 && errno != ENOENT) return fail(std::strerror(errno));
    if (fd >= 0) {
      file_fd_.reset(fd);
      struct stat st {};
      if (::fstat(fd, &st) != 0) return fail(std::strerror(errno));
      if (!S_ISREG(st.st_mode)) return fail("not a regular file");
      file_left_ = static_cast<uint64_t>(st.st_size);
    }
    state_ = State::kWriting;
    out_ = RawHeader(response, "Content-Length: " + std::to_string(file_left_) +
                                   (keep_alive_ ? "\r\n" : "\r\nConnection: close\r\n"));
    WriteFilePiece();
  }

  // The header of a 200 whose body this session frames itself (a file, a follow): `framing`
  // is its length or chunking field lines, each ending in CRLF.
  std::string RawHeader(const Response& response, const std::string& framing) const {
    std::string out = "HTTP/1.1 200 OK\r\nContent-Type: " + response.content_type + "\r\n" + framing +
                      "Cache-Control: no-store\r\n";
    for (const auto& [name, value] : options_.headers) out += name + ": " + value + "\r\n";
    for (const auto& [name, value] : response.headers) out += name + ": " + value + "\r\n";
    return out + "\r\n";
  }

  void WriteFilePiece() {
    ArmTimer(options_.read_timeout);
    asio::async_write(stream_, asio::buffer(out_), Guarded([](Session& self, ErrorCode ec, size_t) {
                        if (self.closed_) return;
                        if (ec) return self.Close();
                        self.NextFilePiece();
                      }));
  }

  void NextFilePiece() {
    if (file_left_ == 0) {
      file_fd_.reset();
      out_.clear();
      return OnWritten(ErrorCode{}, nullptr);
    }
    out_.resize(std::min<uint64_t>(file_left_, kFileChunk));
    const ssize_t n = ::pread(file_fd_.get(), out_.data(), out_.size(), static_cast<off_t>(file_offset_));
    if (n <= 0) return Close();  // shrunk or unreadable: the length cannot be met
    out_.resize(static_cast<size_t>(n));
    file_offset_ += static_cast<uint64_t>(n);
    file_left_ -= static_cast<uint64_t>(n);
    WriteFilePiece();
  }

  void StartFollow(Response response) {
    state_ = State::kFollowing;
    // The header goes first; anything the sink receives before it is written is queued.
    writing_ = true;
    // Called from the Controller's fan-out, which must not see an exception either.
    auto handle = response.follow(
        [this](std::string_view data) {
          if (!RunShielded([&] { OnFollowData(data); })) DropFollower();
        },
        [this](std::string_view reason) {
          if (!RunShielded([&] { OnFollowEnd(reason); })) DropFollower();
        });
    if (!handle) {
      writing_ = false;
      pending_.clear();
      keep_alive_ = false;
      WriteResponse(ErrorResponse(handle.error()));
      return;
    }
    follow_handle_ = std::move(handle).value();
    // A fixed header: the body is framed here so that the queue below controls every
    // byte in flight.
    out_ = RawHeader(response, "Transfer-Encoding: chunked\r\n");
    if (!response.body.empty()) AppendChunk(out_, response.body);
    asio::async_write(stream_, asio::buffer(out_),
                      Guarded([](Session& self, ErrorCode ec, size_t) {
                        self.OnFollowWritten(ec);
                      }));
    ReadUntilHangup();
  }

  void OnFollowData(std::string_view data) {
    if (closed_ || dropping_ || data.empty()) return;
    if (pending_.size() + data.size() > options_.max_follow_queue_bytes) {
      // A follower this far behind would stall nothing (writes are async) but would grow
      // without bound, so it is dropped.
      DropFollower();
      return;
    }
    pending_.append(data);
    at_line_start_ = data.back() == '\n';
    if (!writing_) WriteNextChunk();
  }

  // The stream ended (its program left the config): its reason is the last line, then the
  // chunked body ends and the connection closes. Called on a loop turn of its own.
  void OnFollowEnd(std::string_view reason) {
    if (closed_ || dropping_ || ending_) return;
    follow_handle_.reset();
    ending_ = true;
    keep_alive_ = false;
    if (!at_line_start_) pending_ += "\n";
    pending_ += "[vigil] " + std::string(reason) + "\n";
    if (!writing_) WriteNextChunk();
  }

  // Ends a follow from inside the Controller's fan-out, which need not expect its handle
  // to die under it: the socket is shut down, so the pending ReadUntilHangup() completes
  // and closes the session from the loop. Allocates nothing, so it also serves when the
  // fan-out failed for want of memory.
  void DropFollower() noexcept {
    dropping_ = true;
    std::string().swap(pending_);
    ErrorCode ignored;
    socket().shutdown(Socket::shutdown_both, ignored);
  }

  void WriteNextChunk() {
    out_.clear();
    AppendChunk(out_, pending_);
    pending_.clear();
    if (ending_) {
      out_ += "0\r\n\r\n";  // the last chunk: nothing can follow an ended stream
      terminated_ = true;
    }
    writing_ = true;
    asio::async_write(stream_, asio::buffer(out_),
                      Guarded([](Session& self, ErrorCode ec, size_t) {
                        self.OnFollowWritten(ec);
                      }));
  }

  void OnFollowWritten(ErrorCode ec) {
    writing_ = false;
    if (closed_ || dropping_) return;
    if (ec || terminated_) {
      Close();
      return;
    }
    if (!pending_.empty() || ending_) WriteNextChunk();
  }

  // A follower has nothing more to say; reading only tells us when it leaves.
  void ReadUntilHangup() {
    stream_.async_read_some(asio::buffer(discard_),
                            Guarded([](Session& self, ErrorCode ec, size_t) {
                              if (self.closed_) return;
                              if (ec || self.dropping_) {
                                self.Close();
                                return;
                              }
                              self.ReadUntilHangup();
                            }));
  }

  // A loop timer, not an asio::steady_timer: see event/loop.h. The handle is a member, so
  // the callback never outlives the session.
  void ArmTimer(base::Duration timeout) {
    timer_ = loop_.AddTimer(timeout, [this] {
      if (!closed_) Close();
    });
  }

  void StopTimer() { timer_.reset(); }

  Stream stream_;
  std::shared_ptr<tls::ServerContext> tls_context_;  // TLS: what stream_ was made with
  event::Loop& loop_;
  event::HandlePtr timer_;
  SessionOwner* owner_;  // null once closed or detached
  HttpServerOptions options_;
  State state_ = State::kReading;
  bool closed_ = false;
  bool keep_alive_ = true;
  bool linger_ = false;  // a refused request: Linger() before closing
  bool raw_ = false;     // TLS port, plain HTTP client: the socket is used without TLS
  size_t lingered_ = 0;  // bytes discarded while lingering
  uint64_t seq_ = 0;  // numbers requests, so a stale Controller answer is recognised

  RequestParser parser_;
  std::optional<http::response<http::string_body>> response_;
  std::optional<Request> upgrade_;  // the current request, when it asked for a WebSocket

  // A file body: what is left to send of it, and from where.
  base::UniqueFd file_fd_;
  uint64_t file_left_ = 0;
  uint64_t file_offset_ = 0;

  // Log follow: out_ is being written, pending_ waits for the next write.
  event::HandlePtr follow_handle_;
  std::string out_;
  std::string pending_;
  bool writing_ = false;
  bool dropping_ = false;
  bool ending_ = false;      // the stream ended; its last line is queued or written
  bool terminated_ = false;  // the last chunk is in out_
  bool at_line_start_ = true;
  std::array<char, 4096> discard_;
};

}  // namespace

class HttpServer::Impl final : public SessionOwner {
 public:
  Impl(event::Loop& loop, Controllers controllers, TailFn tail_fn, HttpServerOptions options)
      : Impl(loop, nullptr, options) {
    router_ = std::make_unique<Router>(controllers, std::move(tail_fn));
    handler_ = [router = router_.get()](Request request, RespondFn respond) {
      router->Handle(request.method, request.target, request.body, std::move(respond));
    };
  }
  Impl(event::Loop& loop, RequestHandler handler, HttpServerOptions options)
      : loop_(loop), io_(loop.context()), handler_(std::move(handler)), options_(std::move(options)),
        alive_(std::make_shared<char>()) {}
  ~Impl() { Close(); }

  const RequestHandler& handler() override { return handler_; }
  void Forget(AnySession* session) override { sessions_.erase(session); }
  void AdoptWebSocket(Socket socket, const Request& request, WebSocketPeerPtr peer) override {
    const uint64_t id = ++websocket_ids_;
    // Never ended yet: the handshake completes (and on_gone can run) on a later loop turn.
    websockets_.emplace(id, AcceptWebSocket(std::move(socket), loop_, request, std::move(peer), WebSocketOptions{},
                                            WebSocketGone(id)));
  }
  void AdoptWebSocket(TlsSocket socket, std::shared_ptr<tls::ServerContext> context, const Request& request,
                      WebSocketPeerPtr peer) override {
    const uint64_t id = ++websocket_ids_;
    websockets_.emplace(id, AcceptWebSocket(std::move(socket), std::move(context), loop_, request, std::move(peer),
                                            WebSocketOptions{}, WebSocketGone(id)));
  }
  void SetTls(std::shared_ptr<tls::ServerContext> context) { options_.tls = std::move(context); }
  const std::shared_ptr<tls::ServerContext>& tls() const { return options_.tls; }
  size_t connection_count() const { return sessions_.size() + websockets_.size(); }

  base::Status ListenUnix(const std::filesystem::path& path) {
    if (!socket_path_.empty()) {
      return base::Status::Conflict("already listening on " + socket_path_.string());
    }
    auto socket = ListenOnUnixSocket(path);
    if (!socket) return socket.error();
    Acceptor acceptor(io_);
    ErrorCode ec;
    acceptor.assign(Protocol(AF_UNIX, 0), socket->fd.get(), ec);
    if (ec) {
      RemoveSocketFile(path, *socket);
      return base::Status::IoError("listen on " + path.string() + ": " + ec.message());
    }
    socket->fd.release();  // the acceptor owns it now
    socket_path_ = path;
    socket_ = std::move(socket).value();
    AddAcceptor(std::move(acceptor), /*tcp=*/false);
    return base::Status::Ok();
  }

  base::Result<uint16_t> ListenTcp(const std::string& host, uint16_t port) {
    const std::string where = (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + std::to_string(port);
    ErrorCode ec;
    const asio::ip::address address = asio::ip::make_address(host, ec);
    if (ec) return base::Status::InvalidArgument(where + ": not an IP address");
    const asio::ip::tcp::endpoint endpoint(address, port);
    Acceptor acceptor(io_);
    const Protocol protocol(endpoint.protocol().family(), IPPROTO_TCP);
    acceptor.open(protocol, ec);
    if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor.bind(Protocol::endpoint(endpoint.data(), endpoint.size()), ec);
    if (ec == asio::error::address_in_use) {
      return base::Status::Unavailable(where + " is in use by another program");
    }
    if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return base::Status::IoError("listen on " + where + ": " + ec.message());
    sockaddr_storage bound{};
    socklen_t size = sizeof(bound);
    if (::getsockname(acceptor.native_handle(), reinterpret_cast<sockaddr*>(&bound), &size) != 0) {
      return base::Status::IoError("listen on " + where + ": getsockname: " + std::strerror(errno));
    }
    const uint16_t bound_port = ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                                                   : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
    AddAcceptor(std::move(acceptor), /*tcp=*/true);
    return bound_port;
  }

  void Close() {
    for (auto& listener : listeners_) {
      ErrorCode ignored;
      listener->acceptor.close(ignored);
      listener->retry_timer.reset();
    }
    if (!listeners_.empty() && !socket_path_.empty()) RemoveSocketFile(socket_path_, socket_);
    listeners_.clear();
    auto sessions = std::move(sessions_);
    sessions_.clear();
    for (auto& [raw, session] : sessions) {
      session->Detach();
      session->Close();
    }
    auto websockets = std::move(websockets_);
    websockets_.clear();
    for (auto& [id, connection] : websockets) connection->Shutdown(kCloseGoingAway, "vigild is shutting down");
  }

 private:
  struct Listener {
    Listener(Acceptor a, bool t) : acceptor(std::move(a)), tcp(t) {}
    Acceptor acceptor;
    bool tcp;  // speaks TLS when the server has a certificate; the unix socket never does
    event::HandlePtr retry_timer;  // cancelled with the listener
  };

  std::function<void()> WebSocketGone(uint64_t id) {
    return [this, id, alive = std::weak_ptr<char>(alive_)] {
      if (!alive.expired()) websockets_.erase(id);
    };
  }

  void AddAcceptor(Acceptor acceptor, bool tcp) {
    listeners_.push_back(std::make_shared<Listener>(std::move(acceptor), tcp));
    AcceptNow(listeners_.back());
  }

  void Accept(const std::shared_ptr<Listener>& listener) {
    // The handler may already be queued when Close() drops the listener: it holds it weakly.
    listener->acceptor.async_accept([this, weak = std::weak_ptr<Listener>(listener),
                                     alive = std::weak_ptr<char>(alive_)](ErrorCode ec, Socket socket) {
      if (alive.expired()) return;
      std::shared_ptr<Listener> held = weak.lock();
      if (!held || !held->acceptor.is_open() || ec == asio::error::operation_aborted) return;
      if (ec) {
        // EMFILE and the like leave the connection queued, so retrying at once would spin.
        AcceptLater(held);
        return;
      }
      if (options_.max_connections > 0 && connection_count() >= options_.max_connections) {
        ErrorCode ignored;
        socket.close(ignored);  // over the limit: the client sees the connection end
      } else {
        // A connection that cannot be set up is closed with `socket`; the listener goes on.
        RunShielded([&] { AddSession(std::move(socket), held->tcp); });
      }
      AcceptNow(held);
    });
  }

  void AcceptNow(const std::shared_ptr<Listener>& listener) noexcept {
    if (!RunShielded([&] { Accept(listener); })) AcceptLater(listener);
  }

  void AcceptLater(const std::shared_ptr<Listener>& listener) noexcept {
    RunShielded([&] {
      // The timer belongs to the listener: it never fires into one that is gone.
      listener->retry_timer = loop_.AddTimer(kAcceptRetryDelay, [this, raw = listener.get()] {
        for (const auto& l : listeners_) {
          if (l.get() == raw && l->acceptor.is_open()) AcceptNow(l);
        }
      });
    });
  }

  void AddSession(Socket socket, bool tcp) {
    if (tcp && options_.tls) {
      auto session = std::make_shared<Session<TlsSocket>>(std::move(socket), options_.tls, loop_, this, options_);
      sessions_.emplace(session.get(), session);
      session->Start();
    } else {
      auto session = std::make_shared<Session<Socket>>(std::move(socket), loop_, this, options_);
      sessions_.emplace(session.get(), session);
      session->Start();
    }
  }

  event::Loop& loop_;
  asio::io_context& io_;
  std::unique_ptr<Router> router_;  // the unix socket's API, when made from controllers
  RequestHandler handler_;
  HttpServerOptions options_;
  std::vector<std::shared_ptr<Listener>> listeners_;
  std::filesystem::path socket_path_;
  ListeningSocket socket_;  // only its file identity; the acceptor owns the fd
  std::unordered_map<AnySession*, std::shared_ptr<AnySession>> sessions_;
  std::unordered_map<uint64_t, std::shared_ptr<WebSocketConnection>> websockets_;
  uint64_t websocket_ids_ = 0;
  // Completion handlers capture `this`; they run after the Impl is gone only to find
  // this expired.
  std::shared_ptr<char> alive_;
};

HttpServer::HttpServer(event::Loop& loop, Controllers controllers, TailFn tail_fn,
                       HttpServerOptions options)
    : impl_(std::make_unique<Impl>(loop, controllers, std::move(tail_fn), std::move(options))) {}

HttpServer::HttpServer(event::Loop& loop, RequestHandler handler, HttpServerOptions options)
    : impl_(std::make_unique<Impl>(loop, std::move(handler), std::move(options))) {}

HttpServer::~HttpServer() = default;

base::Status HttpServer::ListenUnix(const std::filesystem::path& socket_path) {
  return impl_->ListenUnix(socket_path);
}

base::Result<uint16_t> HttpServer::ListenTcp(const std::string& host, uint16_t port) {
  return impl_->ListenTcp(host, port);
}

void HttpServer::Close() { impl_->Close(); }

void HttpServer::SetTls(std::shared_ptr<tls::ServerContext> context) { impl_->SetTls(std::move(context)); }

const std::shared_ptr<tls::ServerContext>& HttpServer::tls() const { return impl_->tls(); }

size_t HttpServer::connection_count() const { return impl_->connection_count(); }

}  // namespace vigil::api
