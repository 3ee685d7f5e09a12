// SPDX-License-Identifier: MIT
// The gate's checks, in the order a request meets them.
#include "web/gate.h"

#include "web/secret.h"

namespace vigil::web {
namespace {

bool Safe(std::string_view method) { return method == "GET" || method == "HEAD" || method == "OPTIONS"; }

bool StartsWith(std::string_view text, std::string_view prefix) { return text.substr(0, prefix.size()) == prefix; }

Verdict Refuse(int status, std::string message) {
  Verdict v;
  v.status = status;
  v.message = std::move(message);
  return v;
}

}  // namespace

PathAccess AccessOf(std::string_view path, bool metrics_public) {
  if (path == "/v1/token" || StartsWith(path, "/v1/token/") || path == "/v1/web/login-link") {
    return PathAccess::kSocketOnly;
  }
  if (path == "/metrics") return metrics_public ? PathAccess::kPublic : PathAccess::kCredential;
  if (path == "/v1/web/login" || path == "/v1/web/logout") return PathAccess::kPublic;
  if (path == "/v1" || StartsWith(path, "/v1/")) return PathAccess::kCredential;
  return PathAccess::kPublic;  // /healthz, /login, and the dashboard's files
}

std::string_view SessionCookie(std::string_view header) {
  while (!header.empty()) {
    const size_t end = header.find(';');
    std::string_view pair = header.substr(0, end);
    header = end == std::string_view::npos ? std::string_view() : header.substr(end + 1);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    if (StartsWith(pair, kSessionCookie) && pair.size() > kSessionCookie.size() &&
        pair[kSessionCookie.size()] == '=') {
      return pair.substr(kSessionCookie.size() + 1);
    }
  }
  return {};
}

Verdict Gate::Check(const api::Request& request, std::string_view path, base::SteadyTime now) {
  const api::RequestHeaders& h = request.headers;
  if (!origins_.HostAllowed(h.host)) {
    return Refuse(403, "Host \"" + h.host + "\" is not a name of this vigild (see [http] allowed_hosts)");
  }
  if (!h.origin.empty() && !origins_.OriginAllowed(h.origin)) {
    return Refuse(403, "cross-origin request refused (Origin " + h.origin + ")");
  }
  if (!h.upgrade.empty() && h.origin.empty()) {
    return Refuse(403, "a WebSocket upgrade must carry an Origin header");
  }
  switch (AccessOf(path, metrics_public_)) {
    case PathAccess::kPublic: return Verdict{};
    case PathAccess::kSocketOnly: return Refuse(403, "only on vigild's unix socket (vigil token, vigil web)");
    case PathAccess::kCredential: break;
  }
  Verdict v = CheckCredential(h, now);
  if (v.status != 0) return v;
  if (!Safe(request.method)) {
    if (v.caller->role != Role::kAdmin) return Refuse(403, "a viewer may only read");
    if (!v.caller->session.empty() && !ConstantTimeEqual(h.csrf_token, v.caller->csrf)) {
      return Refuse(403, "missing or wrong X-CSRF-Token for this session (reload the page)");
    }
  }
  return v;
}

Verdict Gate::CheckCredential(const api::RequestHeaders& h, base::SteadyTime now) {
  if (!h.authorization.empty()) {
    constexpr std::string_view kBearer = "Bearer ";
    if (!limiter_.Allowed(now)) {
      Verdict v = Refuse(429, "too many wrong tokens; try again later");
      v.retry_after_s = static_cast<int>(std::chrono::ceil<std::chrono::seconds>(limiter_.RetryAfter(now)).count());
      return v;
    }
    std::optional<Role> role;
    if (StartsWith(h.authorization, kBearer)) role = tokens_.Match(h.authorization.substr(kBearer.size()));
    if (!role) {
      limiter_.Failed(now);
      return Refuse(401, "wrong token (vigil token prints it)");
    }
    Verdict v;
    v.caller = Caller{*role, "", ""};
    return v;
  }
  const std::string_view id = SessionCookie(h.cookie);
  if (!id.empty()) {
    std::optional<Session> session = sessions_.Find(id, now);
    if (!session) return Refuse(401, "session expired; log in again");
    Verdict v;
    v.caller = Caller{session->role, session->id, session->csrf};
    return v;
  }
  return Refuse(401, "send Authorization: Bearer TOKEN (vigil token prints it) or log in (vigil web)");
}

}  // namespace vigil::web
