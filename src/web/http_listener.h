// SPDX-License-Identifier: MIT
// web::HttpListener: vigild's authenticated HTTP listener ([http], docs/web.md). It serves
// the same /v1 API as the unix socket, behind the Gate (Host, Origin, token or session,
// roles, CSRF), plus /healthz, browser login and logout, with security headers on every
// response, over TLS when [http] names a certificate. The tokens live in
// STATE_DIR/http-tokens.
// Thread rule: loop thread only. Owned by the daemon; outlived by the loop, the clock and
// the controllers.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "api/controllers.h"
#include "api/http_server.h"
#include "api/router.h"
#include "config/spec.h"
#include "event/clock.h"
#include "event/loop.h"
#include "web/gate.h"
#include "web/origin_policy.h"
#include "web/sessions.h"
#include "web/token_store.h"

namespace vigil::web {

class HttpListener {
 public:
  HttpListener(event::Loop& loop, event::Clock& clock, const config::HttpSpec& spec,
               const std::filesystem::path& tokens_file, api::Controllers controllers, api::TailFn tail_fn);
  ~HttpListener();

  // Loads (or creates) the tokens and the certificate, then listens on every address of
  // the spec. The first failure is returned, naming the address or file; nothing is left
  // listening then.
  base::Status Start();
  void Close();
  // Reads the certificate and key files again (a reload; a renewed certificate): new
  // connections get them, open ones keep theirs. On an error, naming the file, nothing
  // changes. Ok without TLS.
  base::Status ReloadCertificate();
  // The certificate in words ("CN=..., valid until ..."), "" without TLS; and whether it
  // has expired.
  std::string CertificateSummary() const;
  bool CertificateExpired() const;
  // "https://127.0.0.1:7411" (http:// without TLS).
  std::string Url(const config::ListenAddress& address) const;
  // Loads (or creates) the tokens only; Start() does it first.
  base::Status LoadTokens() { return tokens_.Load(); }

  // The token of "admin" or "viewer", replaced first when `rotate` (ending its sessions).
  base::Result<api::WebToken> Token(const std::string& role, bool rotate);
  // "http://127.0.0.1:7411/login?code=...": logs a browser in as `role`, once, within
  // Sessions::kCodeLifetime.
  base::Result<std::string> LoginLink(const std::string& role);

  // The ports bound, in the order of the spec's addresses (for a port 0 in tests).
  const std::vector<uint16_t>& ports() const { return ports_; }
  size_t connection_count() const { return server_.connection_count(); }

  // One request, as the transport hands it over (public for tests without sockets).
  void Handle(api::Request request, api::RespondFn respond);

 private:
  void Login(const api::Request& request, api::RespondFn& respond);
  void LoginWithCode(std::string_view code, api::RespondFn& respond);
  void Logout(const api::Request& request, api::RespondFn& respond);
  void SessionInfo(const Caller& caller, api::RespondFn& respond);
  struct OpenStream {
    Role role;
    std::string session;  // "" when opened with a token
    std::weak_ptr<api::WebSocketPeer> peer;
  };
  api::RespondFn KeepStream(const Caller& caller, api::RespondFn respond);
  void EndStreams(const std::function<bool(const OpenStream&)>& which, std::string_view why);
  // A response that logs the browser in as `role`: a new session in a cookie.
  base::Result<std::pair<Session, std::string>> NewSession(Role role);

  event::Clock& clock_;
  config::HttpSpec spec_;
  OriginPolicy origins_;
  TokenStore tokens_;
  Sessions sessions_;
  Gate gate_;
  api::Router router_;
  api::HttpServer server_;
  std::vector<uint16_t> ports_;
  std::vector<OpenStream> streams_;  // GET /v1/stream connections, to end with their credentials
};

}  // namespace vigil::web
