// SPDX-License-Identifier: MIT
// The allowed Host names, made once from [http], and the Origin check against them.
#include "web/origin_policy.h"

#include <algorithm>
#include <cctype>

namespace vigil::web {
namespace {

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

OriginPolicy::OriginPolicy(const config::HttpSpec& http) {
  auto add = [&](std::string host) {
    host = Lower(host);
    if (std::find(hosts_.begin(), hosts_.end(), host) == hosts_.end()) hosts_.push_back(host);
  };
  for (const config::ListenAddress& a : http.listen) {
    const std::string port = ":" + std::to_string(a.port);
    const bool any = a.host == "0.0.0.0" || a.host == "::";
    if (!any) add(a.host.find(':') != std::string::npos ? "[" + a.host + "]" + port : a.host + port);
    if (a.port == 80 && !any) add(a.host.find(':') != std::string::npos ? "[" + a.host + "]" : a.host);
    if (a.loopback || any) {
      for (const std::string local : {"localhost", "127.0.0.1", "[::1]"}) {
        add(local + port);
        if (a.port == 80) add(local);
      }
    }
    for (const std::string& name : http.allowed_hosts) add(name + port);
  }
  // A proxy in front forwards the name it was reached by, with its own port or none.
  for (const std::string& name : http.allowed_hosts) add(name);
}

bool OriginPolicy::HostAllowed(std::string_view host) const {
  const std::string lower = Lower(host);
  return std::find(hosts_.begin(), hosts_.end(), lower) != hosts_.end();
}

bool OriginPolicy::OriginAllowed(std::string_view origin) const {
  // https too: the page may come through a TLS proxy in front of the listener.
  std::string_view host;
  for (std::string_view scheme : {"http://", "https://"}) {
    if (origin.substr(0, scheme.size()) == scheme) host = origin.substr(scheme.size());
  }
  if (host.empty()) return false;
  if (host.find('/') != std::string_view::npos) return false;  // an Origin has no path
  return HostAllowed(host);
}

}  // namespace vigil::web
