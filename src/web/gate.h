// SPDX-License-Identifier: MIT
// web::Gate: the checks every request to the HTTP listener passes before anything else
// sees it (docs/web.md, "Security"): its Host is vigild's (DNS rebinding), its Origin, when
// present, is vigild's page (and a WebSocket upgrade must have one), it carries a token or
// a live session unless the path is public, a viewer only reads, and a browser session's
// state-changing request carries the session's CSRF token. Failed tokens are rate-limited.
// Thread rule: loop thread only.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "api/request_parser.h"
#include "base/clock.h"
#include "web/attempt_limiter.h"
#include "web/origin_policy.h"
#include "web/role.h"
#include "web/sessions.h"
#include "web/token_store.h"

namespace vigil::web {

// Who is asking, once the gate let a request through.
struct Caller {
  Role role = Role::kViewer;
  std::string session;  // the browser session's id; "" for a token
  std::string csrf;     // the session's CSRF token
};

// What the gate decided: status 0 lets the request through (caller empty on a public
// path); otherwise answer `status` with `message`.
struct Verdict {
  int status = 0;
  std::string message;
  std::optional<Caller> caller;
  int retry_after_s = 0;  // 429: how long until a login may be tried again
};

// What a path needs.
enum class PathAccess {
  kPublic,      // /healthz, the dashboard's files, the login page and form
  kCredential,  // the API (and /metrics unless public): a token or a session
  kSocketOnly,  // token and login-link routes: only on the unix socket, never over TCP
};
PathAccess AccessOf(std::string_view path, bool metrics_public);

// "vigil_session" from a Cookie header ("a=1; vigil_session=ID"); "" when absent.
std::string_view SessionCookie(std::string_view cookie_header);
inline constexpr std::string_view kSessionCookie = "vigil_session";

class Gate {
 public:
  static constexpr size_t kFailedLoginsPerMinute = 10;

  Gate(const OriginPolicy& origins, TokenStore& tokens, Sessions& sessions, bool metrics_public)
      : origins_(origins), tokens_(tokens), sessions_(sessions), metrics_public_(metrics_public) {}

  Verdict Check(const api::Request& request, std::string_view path, base::SteadyTime now);

  // A login attempt (the form's token, a login code) that failed, and whether one may be
  // tried now: shared with the Bearer check, so each guess counts once wherever it is made.
  AttemptLimiter& limiter() { return limiter_; }

 private:
  Verdict CheckCredential(const api::RequestHeaders& headers, base::SteadyTime now);

  const OriginPolicy& origins_;
  TokenStore& tokens_;
  Sessions& sessions_;
  bool metrics_public_;
  AttemptLimiter limiter_{kFailedLoginsPerMinute, std::chrono::minutes(1)};
};

}  // namespace vigil::web
