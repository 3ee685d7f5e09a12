// SPDX-License-Identifier: MIT
// web::Sessions: the browser sessions of the HTTP listener. A session is made at login (a
// one-time login link from `vigil web`, or the token typed into the login form) and named
// by a random id in an HttpOnly, SameSite=Strict cookie; each has its own CSRF token, which
// every state-changing request must carry in X-CSRF-Token. Also the one-time login codes.
// Bounded: at most kMaxSessions sessions and kMaxCodes codes; the least recently used go.
// Thread rule: loop thread only. Time comes in as arguments (no timers: an idle session is
// found expired when it is next looked at).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/status.h"
#include "web/role.h"

namespace vigil::web {

struct Session {
  std::string id;    // the cookie's value: 256 random bits in hex
  std::string csrf;  // the X-CSRF-Token value: 256 random bits in hex
  Role role = Role::kViewer;
  base::SteadyTime last_used{};
};

class Sessions {
 public:
  static constexpr size_t kMaxSessions = 256;
  static constexpr size_t kMaxCodes = 16;
  static constexpr base::Duration kCodeLifetime = std::chrono::minutes(2);

  explicit Sessions(base::Duration idle) : idle_(idle) {}

  // A new session for `role`. IoError only if the kernel has no random bytes.
  base::Result<Session> Create(Role role, base::SteadyTime now);
  // The live session named `id` (its idle time restarts), or nullopt: unknown, or idle for
  // longer than the limit (then it is gone).
  std::optional<Session> Find(std::string_view id, base::SteadyTime now);
  // Ends one session (logout).
  void End(std::string_view id);
  // Ends every session of `role` and its login codes (its token was replaced).
  void EndRole(Role role);
  size_t size() const { return sessions_.size(); }

  // A one-time login code for `role`, valid kCodeLifetime.
  base::Result<std::string> IssueCode(Role role, base::SteadyTime now);
  // The role of `code` if it is live; it cannot be used again either way.
  std::optional<Role> RedeemCode(std::string_view code, base::SteadyTime now);

 private:
  struct Code {
    std::string code;
    Role role = Role::kViewer;
    base::SteadyTime expires{};
  };

  base::Duration idle_;
  std::vector<Session> sessions_;
  std::vector<Code> codes_;
};

}  // namespace vigil::web
