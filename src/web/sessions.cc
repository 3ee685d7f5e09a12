// SPDX-License-Identifier: MIT
// Browser sessions and one-time login codes, in small vectors scanned with constant-time
// comparisons.
#include "web/sessions.h"

#include <algorithm>

#include "web/secret.h"

namespace vigil::web {
namespace {

constexpr size_t kIdBytes = 32;

}  // namespace

base::Result<Session> Sessions::Create(Role role, base::SteadyTime now) {
  auto id = RandomHex(kIdBytes);
  if (!id) return id.error();
  auto csrf = RandomHex(kIdBytes);
  if (!csrf) return csrf.error();
  if (sessions_.size() >= kMaxSessions) {
    // The least recently used makes room.
    sessions_.erase(std::min_element(sessions_.begin(), sessions_.end(),
                                     [](const Session& a, const Session& b) { return a.last_used < b.last_used; }));
  }
  sessions_.push_back(Session{std::move(*id), std::move(*csrf), role, now});
  return sessions_.back();
}

std::optional<Session> Sessions::Find(std::string_view id, base::SteadyTime now) {
  // Every session is compared, so the time taken does not depend on where a match is.
  auto found = sessions_.end();
  for (auto it = sessions_.begin(); it != sessions_.end(); ++it) {
    if (ConstantTimeEqual(id, it->id)) found = it;
  }
  if (found == sessions_.end()) return std::nullopt;
  if (now - found->last_used > idle_) {
    sessions_.erase(found);
    return std::nullopt;
  }
  found->last_used = now;
  return *found;
}

void Sessions::End(std::string_view id) {
  std::erase_if(sessions_, [&](const Session& s) { return ConstantTimeEqual(id, s.id); });
}

void Sessions::EndRole(Role role) {
  std::erase_if(sessions_, [&](const Session& s) { return s.role == role; });
  std::erase_if(codes_, [&](const Code& c) { return c.role == role; });
}

base::Result<std::string> Sessions::IssueCode(Role role, base::SteadyTime now) {
  auto code = RandomHex(kIdBytes);
  if (!code) return code.error();
  std::erase_if(codes_, [&](const Code& c) { return c.expires <= now; });
  if (codes_.size() >= kMaxCodes) codes_.erase(codes_.begin());  // the oldest
  codes_.push_back(Code{*code, role, now + kCodeLifetime});
  return *code;
}

std::optional<Role> Sessions::RedeemCode(std::string_view code, base::SteadyTime now) {
  auto found = codes_.end();
  for (auto it = codes_.begin(); it != codes_.end(); ++it) {
    if (ConstantTimeEqual(code, it->code)) found = it;
  }
  if (found == codes_.end()) return std::nullopt;
  const bool live = found->expires > now;
  const Role role = found->role;
  codes_.erase(found);
  if (!live) return std::nullopt;
  return role;
}

}  // namespace vigil::web
