// SPDX-License-Identifier: MIT
// api::HttpServer: the HTTP/1.1 JSON API of vigild (docs/api.md) on a unix socket, and the
// transport of the authenticated HTTP listener on TCP (docs/web.md), whose handler (the
// web module's Front) checks each request before the API sees it.
// On TCP it speaks TLS when given a certificate (HttpServerOptions::tls).
// Owned by the daemon; outlived by the Loop and the controllers it is given.
// Thread rule: construct, call and destroy on the loop thread; every request is handled
// there too. Beast and Asio stay behind the pimpl, in http_server.cc. No exception from
// anything a request sets off leaves the server: the one connection is closed instead.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "api/controllers.h"
#include "api/request_parser.h"
#include "api/router.h"
#include "base/clock.h"
#include "base/status.h"
#include "event/loop.h"

namespace vigil::tls {
class ServerContext;
}

namespace vigil::api {

struct HttpServerOptions {
  // Limits on the parts of a request (header, body, trailer, chunk lines). A request past
  // one is answered 400 (413 for the body) and the connection is closed.
  RequestLimits request_limits;
  // A request must arrive completely within this time from the first byte (or from the
  // end of the previous response on a keep-alive connection), and a plain response must
  // be written within it; otherwise the connection is closed. Bounds idle and slowloris
  // connections. Waiting for the Controller and log following are not limited.
  base::Duration read_timeout = std::chrono::seconds(30);
  // Bytes of live log data queued for one ?follow=1 client while a write is in progress.
  // A client that falls further behind is disconnected.
  size_t max_follow_queue_bytes = 4 << 20;
  // Open connections at most (0: no limit); one more is accepted and closed at once.
  size_t max_connections = 0;
  // Header fields added to every response (the listener's security headers).
  std::vector<std::pair<std::string, std::string>> headers;
  // The certificate and key of the TCP listeners: TLS when set (the unix socket never).
  std::shared_ptr<tls::ServerContext> tls;
};

// Handles one request; `respond` is called exactly once, now or later (as Router::Handle).
using RequestHandler = std::function<void(Request request, RespondFn respond)>;

class HttpServer {
 public:
  // `tail_fn` reads the last lines of a log file (the daemon passes logs::TailLines).
  HttpServer(event::Loop& loop, Controllers controllers, TailFn tail_fn,
             HttpServerOptions options = {});
  // A server whose requests go to `handler` (which must outlive it).
  HttpServer(event::Loop& loop, RequestHandler handler, HttpServerOptions options);
  // Close()s.
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Creates missing parent directories (mode 0700), replaces a stale socket file, then
  // binds, sets mode 0600 and listens. Unavailable("another vigild is already listening
  // on PATH") if a live server answers there; InvalidArgument if PATH exists and is not
  // a socket or is too long for sockaddr_un; IoError for failed system calls. May be
  // called once per server.
  base::Status ListenUnix(const std::filesystem::path& socket_path);

  // Binds `host`:`port` (an IP literal; port 0 picks a free one) with SO_REUSEADDR and
  // listens; may be called for several addresses. Unavailable("ADDRESS is in use") when
  // another process has it; IoError for other failures. Returns the port bound.
  base::Result<uint16_t> ListenTcp(const std::string& host, uint16_t port);

  // The certificate for connections accepted from now on (a reload's renewed one); those
  // open keep theirs. Null: plain TCP from now on.
  void SetTls(std::shared_ptr<tls::ServerContext> context);
  // The certificate of new connections; null without TLS.
  const std::shared_ptr<tls::ServerContext>& tls() const;

  // Stops accepting, closes every connection (dropping responses still waiting for the
  // Controller and ending log follows) and removes the socket file if it is still ours.
  // Idempotent.
  void Close();

  // Open client connections; for status pages and tests.
  size_t connection_count() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigil::api
