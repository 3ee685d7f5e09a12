// SPDX-License-Identifier: MIT
// The HTTP listener: the gate first, then /healthz, login and logout, the dashboard's files,
// and the /v1 API.
#include "web/http_listener.h"

#include <nlohmann/json.hpp>

#include "api/url.h"
#include "tls/server_context.h"
#include "web/assets.h"

namespace vigil::web {
namespace {

using nlohmann::json;

// On every response of the listener (docs/web.md, "Security headers").
std::vector<std::pair<std::string, std::string>> SecurityHeaders() {
  return {
      {"Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"},
      {"X-Content-Type-Options", "nosniff"},
      {"X-Frame-Options", "DENY"},
      {"Referrer-Policy", "no-referrer"},
      {"Cross-Origin-Opener-Policy", "same-origin"},
      {"Cross-Origin-Resource-Policy", "same-origin"},
  };
}

api::HttpServerOptions Options(const config::HttpSpec& spec) {
  api::HttpServerOptions options;
  options.max_connections = static_cast<size_t>(spec.max_connections);
  options.headers = SecurityHeaders();
  return options;
}

using api::JsonError;
using api::JsonResponse;

api::Response MethodNotAllowed(std::string_view allow) {
  api::Response r = JsonError(405, "method not allowed (use " + std::string(allow) + ")");
  r.allow = std::string(allow);
  return r;
}

std::optional<Role> ParseRole(const std::string& role) {
  if (role == "admin") return Role::kAdmin;
  if (role == "viewer") return Role::kViewer;
  return std::nullopt;
}

// One of the dashboard's embedded files (web/assets.h), or 404.
api::Response FileResponse(const std::string& url_path, const api::Request& request) {
  const Asset* asset = FindAsset(url_path);
  if (asset == nullptr) return JsonError(404, "not found: " + url_path);
  return AssetResponse(*asset, request.headers.if_none_match);
}

// Over TLS the cookie is Secure too: a browser never sends it over plain HTTP.
std::string CookieFor(std::string_view id, bool tls) {
  return std::string(kSessionCookie) + "=" + std::string(id) + "; Path=/; HttpOnly; SameSite=Strict" +
         (tls ? "; Secure" : "");
}

}  // namespace

HttpListener::HttpListener(event::Loop& loop, event::Clock& clock, const config::HttpSpec& spec,
                           const std::filesystem::path& tokens_file, api::Controllers controllers, api::TailFn tail_fn)
    : clock_(clock),
      spec_(spec),
      origins_(spec_),
      tokens_(tokens_file),
      sessions_(spec_.session_idle),
      gate_(origins_, tokens_, sessions_, spec_.metrics_public),
      router_(controllers, std::move(tail_fn)),
      server_(loop, [this](api::Request r, api::RespondFn respond) { Handle(std::move(r), std::move(respond)); },
              Options(spec_)) {}

HttpListener::~HttpListener() { Close(); }

base::Status HttpListener::Start() {
  if (auto s = LoadTokens(); !s.ok()) return s;
  if (auto s = ReloadCertificate(); !s.ok()) return s;
  for (const config::ListenAddress& address : spec_.listen) {
    auto port = server_.ListenTcp(address.host, address.port);
    if (!port) {
      Close();
      return port.error();
    }
    ports_.push_back(*port);
  }
  return base::Status::Ok();
}

void HttpListener::Close() { server_.Close(); }

base::Status HttpListener::ReloadCertificate() {
  if (!spec_.tls()) return base::Status::Ok();
  auto context = tls::ServerContext::Load(spec_.tls_cert, spec_.tls_key);
  if (!context) return context.error();
  server_.SetTls(std::move(context).value());
  return base::Status::Ok();
}

std::string HttpListener::CertificateSummary() const {
  return server_.tls() ? server_.tls()->summary() : std::string();
}

bool HttpListener::CertificateExpired() const { return server_.tls() && server_.tls()->expired(); }

std::string HttpListener::Url(const config::ListenAddress& address) const {
  return (spec_.tls() ? "https://" : "http://") + config::FormatListenAddress(address);
}

base::Result<api::WebToken> HttpListener::Token(const std::string& role, bool rotate) {
  std::optional<Role> r = ParseRole(role);
  if (!r) return base::Status::InvalidArgument("role must be admin or viewer, not \"" + role + "\"");
  if (rotate) {
    if (auto s = tokens_.Rotate(*r); !s.ok()) return s;
    sessions_.EndRole(*r);
    EndStreams([&](const OpenStream& s) { return s.role == *r; }, "the token was replaced");
  }
  return api::WebToken{std::string(RoleName(*r)), tokens_.token(*r), tokens_.file()};
}

base::Result<std::string> HttpListener::LoginLink(const std::string& role) {
  std::optional<Role> r = ParseRole(role);
  if (!r) return base::Status::InvalidArgument("role must be admin or viewer, not \"" + role + "\"");
  auto code = sessions_.IssueCode(*r, clock_.SteadyNow());
  if (!code) return code.error();
  config::ListenAddress shown = spec_.listen.front();
  if (shown.host == "0.0.0.0") shown.host = "127.0.0.1";
  if (shown.host == "::") shown.host = "::1";
  if (!ports_.empty()) shown.port = ports_.front();
  return Url(shown) + "/login?code=" + *code;
}

void HttpListener::Handle(api::Request request, api::RespondFn respond) {
  auto target = api::ParseTarget(request.target);
  if (!target) return respond(JsonError(400, target.error().message()));
  // The decoded path, as the router will match it: "/v1/%74oken" is /v1/token here too.
  std::string path;
  for (const std::string& segment : target->segments) path += "/" + segment;
  if (path.empty()) path = "/";
  const Verdict verdict = gate_.Check(request, path, clock_.SteadyNow());
  if (verdict.status != 0) {
    api::Response r = JsonError(verdict.status, verdict.message);
    if (verdict.status == 401) r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"vigil\"");
    if (verdict.retry_after_s > 0) r.headers.emplace_back("Retry-After", std::to_string(verdict.retry_after_s));
    return respond(std::move(r));
  }
  const std::string& method = request.method;
  if (path == "/healthz") {
    if (method != "GET" && method != "HEAD") return respond(MethodNotAllowed("GET"));
    return respond(JsonResponse(200, json{{"status", "ok"}}));
  }
  if (path == "/login") {
    if (method != "GET") return respond(MethodNotAllowed("GET"));
    auto code = target->query.find("code");
    if (code != target->query.end()) return LoginWithCode(code->second, respond);
    return respond(FileResponse("/login.html", request));
  }
  // The dashboard: its page and its files, without credentials (its API calls need them).
  if (path == "/" || path.rfind("/assets/", 0) == 0) {
    if (method != "GET") return respond(MethodNotAllowed("GET"));
    return respond(FileResponse(path == "/" ? "/index.html" : path, request));
  }
  if (path == "/v1/web/login") {
    if (method != "POST") return respond(MethodNotAllowed("POST"));
    return Login(request, respond);
  }
  if (path == "/v1/web/logout") {
    if (method != "POST") return respond(MethodNotAllowed("POST"));
    return Logout(request, respond);
  }
  if (path == "/v1/web/session") {
    if (method != "GET") return respond(MethodNotAllowed("GET"));
    return SessionInfo(*verdict.caller, respond);
  }
  if (path == "/v1" || path.rfind("/v1/", 0) == 0 || path == "/metrics") {
    // Only an admin has full access; a public /metrics has no caller at all.
    const api::CallerContext caller{!verdict.caller || verdict.caller->role != Role::kAdmin};
    if (verdict.caller && path == "/v1/stream") respond = KeepStream(*verdict.caller, std::move(respond));
    return router_.Handle(method, request.target, request.body, std::move(respond), caller);
  }
  respond(JsonError(404, "not found: " + path));
}

base::Result<std::pair<Session, std::string>> HttpListener::NewSession(Role role) {
  auto session = sessions_.Create(role, clock_.SteadyNow());
  if (!session) return session.error();
  std::string cookie = CookieFor(session->id, spec_.tls());
  return std::make_pair(std::move(*session), std::move(cookie));
}

void HttpListener::Login(const api::Request& request, api::RespondFn& respond) {
  const base::SteadyTime now = clock_.SteadyNow();
  if (!gate_.limiter().Allowed(now)) {
    api::Response r = JsonError(429, "too many failed logins; try again later");
    r.headers.emplace_back(
        "Retry-After",
        std::to_string(std::chrono::ceil<std::chrono::seconds>(gate_.limiter().RetryAfter(now)).count()));
    return respond(std::move(r));
  }
  const json body = json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  if (!body.is_object() || !body.contains("token") || !body["token"].is_string()) {
    return respond(JsonError(400, "expected a JSON body {\"token\": \"...\"}"));
  }
  std::optional<Role> role = tokens_.Match(body["token"].get<std::string>());
  if (!role) {
    gate_.limiter().Failed(now);
    return respond(JsonError(401, "wrong token (vigil token prints it)"));
  }
  auto made = NewSession(*role);
  if (!made) return respond(api::ErrorResponse(made.error()));
  api::Response r = JsonResponse(200, json{{"role", RoleName(*role)}, {"csrf", made->first.csrf}});
  r.headers.emplace_back("Set-Cookie", made->second);
  respond(std::move(r));
}

void HttpListener::LoginWithCode(std::string_view code, api::RespondFn& respond) {
  const base::SteadyTime now = clock_.SteadyNow();
  std::optional<Role> role;
  if (gate_.limiter().Allowed(now)) role = sessions_.RedeemCode(code, now);
  if (!role) {
    gate_.limiter().Failed(now);
    return respond(JsonError(401, "this login link is used up or expired: run vigil web again"));
  }
  auto made = NewSession(*role);
  if (!made) return respond(api::ErrorResponse(made.error()));
  api::Response r;
  r.status = 303;
  r.content_type = "text/plain";
  r.body = "logged in\n";
  r.headers.emplace_back("Location", "/");
  r.headers.emplace_back("Set-Cookie", made->second);
  respond(std::move(r));
}

// A stream lives longer than the request that opened it: it is remembered with its
// caller, so that a logout or a new token also ends the streams they opened.
api::RespondFn HttpListener::KeepStream(const Caller& caller, api::RespondFn respond) {
  return [this, role = caller.role, session = caller.session, respond = std::move(respond)](api::Response r) {
    if (r.websocket) {
      std::erase_if(streams_, [](const OpenStream& s) { return s.peer.expired(); });
      streams_.push_back(OpenStream{role, session, r.websocket});
    }
    respond(std::move(r));
  };
}

void HttpListener::EndStreams(const std::function<bool(const OpenStream&)>& which, std::string_view why) {
  for (const OpenStream& s : streams_) {
    if (!which(s)) continue;
    if (auto peer = s.peer.lock()) peer->Disconnect(api::kCloseSessionEnded, why);
  }
}

void HttpListener::Logout(const api::Request& request, api::RespondFn& respond) {
  const std::string_view id = SessionCookie(request.headers.cookie);
  if (!id.empty()) {
    sessions_.End(id);
    EndStreams([&](const OpenStream& s) { return s.session == id; }, "logged out");
  }
  api::Response r = JsonResponse(200, json{{"ok", true}});
  r.headers.emplace_back("Set-Cookie", CookieFor("", spec_.tls()) + "; Max-Age=0");
  respond(std::move(r));
}

void HttpListener::SessionInfo(const Caller& caller, api::RespondFn& respond) {
  json out{{"role", RoleName(caller.role)}, {"session", !caller.session.empty()}};
  if (!caller.session.empty()) out["csrf"] = caller.csrf;
  respond(JsonResponse(200, out));
}

}  // namespace vigil::web
