// SPDX-License-Identifier: MIT
// web::OriginPolicy: which Host headers and Origins the HTTP listener accepts. A Host that
// is not one of vigild's own names is refused, so a web page whose DNS name is rebound to
// 127.0.0.1 cannot reach the API through the victim's browser (DNS rebinding); an Origin
// that is not vigild's own is refused, so another site cannot drive it with the user's
// cookie (CSRF) or open its WebSocket (cross-site WebSocket hijacking).
// Thread rule: immutable after construction.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/spec.h"

namespace vigil::web {

class OriginPolicy {
 public:
  // The names of `http`'s listen addresses, "localhost" (and 127.0.0.1, [::1]) for loopback
  // ones, and `allowed_hosts`, each with the port it is reached on (bare for port 80, which
  // browsers leave out); `allowed_hosts` also bare, as a proxy in front forwards
  // them.
  explicit OriginPolicy(const config::HttpSpec& http);

  // Whether `host` (a Host header) names vigild. Case-insensitive.
  bool HostAllowed(std::string_view host) const;
  // Whether `origin` (an Origin header: "http://127.0.0.1:7411") is vigild's own page: http
  // or https (through a TLS proxy) and an allowed host. "null" is not.
  bool OriginAllowed(std::string_view origin) const;

  const std::vector<std::string>& hosts() const { return hosts_; }

 private:
  std::vector<std::string> hosts_;  // lowercase "name:port" or "name"
};

}  // namespace vigil::web
