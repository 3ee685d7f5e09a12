// SPDX-License-Identifier: MIT
// The addresses that http and tcp checks probe: "http://host[:port][/path?query]" and
// "host:port". Pure parsing and printing, no I/O: names are not resolved here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace vigil::base {

// Where a tcp check connects, and the authority part of an HttpUrl.
struct HostPort {
  std::string host;   // a name, an IPv4 address, or an IPv6 address without its brackets
  uint16_t port = 0;  // 1-65535 once parsed

  bool operator==(const HostPort&) const = default;
};

// What an http check fetches. Only plain http: TLS is not spoken by the probes.
struct HttpUrl {
  std::string host;  // as in HostPort
  uint16_t port = 80;
  std::string target = "/";  // the request target: path and query, never empty, no fragment

  bool operator==(const HttpUrl&) const = default;
};

// The longest URL ParseHttpUrl accepts. Far above any health endpoint, and an HTTP
// request line much longer than this is refused by some servers anyway.
inline constexpr size_t kMaxHttpUrlLength = 2048;

// Parses "http://host[:port][/path][?query][#fragment]". The scheme is case-insensitive;
// the host is a name (letters, digits, '-', '.', '_'), a dotted IPv4 address or an IPv6
// address in brackets; the port defaults to 80 and the target to "/"; a fragment is
// dropped (it is never sent). On failure returns InvalidArgument with a short lower-case
// phrase meant to follow "FILE:LINE: key: ", such as "port must be 1-65535". Refused:
// other schemes (https with a hint to use a command check), user names and passwords,
// spaces, control and non-ASCII characters, malformed %-escapes, and URLs longer than
// kMaxHttpUrlLength.
Result<HttpUrl> ParseHttpUrl(std::string_view text);

// Parses "host:port" or "[IPv6]:port", with the host rules of ParseHttpUrl. The port is
// required. Failures are InvalidArgument, phrased as for ParseHttpUrl.
Result<HostPort> ParseHostPort(std::string_view text);

// "host:port", an IPv6 address in brackets: "[::1]:5432". ParseHostPort reads it back.
std::string FormatHostPort(const HostPort& address);

// The Host header of a request for `url` (RFC 9110 section 7.2): "example.com",
// "example.com:8080", "[::1]:8080". The port is left out when it is 80.
std::string HostHeader(const HttpUrl& url);

// "http://" + HostHeader(url) + target. ParseHttpUrl reads it back.
std::string FormatHttpUrl(const HttpUrl& url);

}  // namespace vigil::base
