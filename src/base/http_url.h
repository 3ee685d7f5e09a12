// SPDX-License-Identifier: MIT
// The addresses that http and tcp checks probe: "http[s]://host[:port][/path?query]" and
// "host:port", and how an https URL's certificate is checked. Pure parsing and printing,
// no I/O: names are not resolved here.
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

// What an http check fetches.
struct HttpUrl {
  std::string host;  // as in HostPort
  uint16_t port = 80;        // 443 by default for https
  std::string target = "/";  // the request target: path and query, never empty, no fragment
  bool https = false;        // TLS first, then HTTP (docs/health.md, "HTTPS")

  bool operator==(const HttpUrl&) const = default;
};

// How the certificate of an https:// URL is checked; unused for http://. The config's
// `tls_verify` and `ca_file` keys of http checks and `ready = { http = ... }`.
struct TlsSettings {
  // false: any certificate is accepted, for any name (the connection is still encrypted).
  bool verify = true;
  // Empty: the system's trusted CAs. Otherwise an absolute path of a PEM file, and only
  // the CAs in it are trusted (a private CA).
  std::string ca_file;

  bool operator==(const TlsSettings&) const = default;
};

// The longest URL ParseHttpUrl accepts. Far above any health endpoint, and an HTTP
// request line much longer than this is refused by some servers anyway.
inline constexpr size_t kMaxHttpUrlLength = 2048;

// Parses "http://host[:port][/path][?query][#fragment]" and the same with "https://".
// The scheme is case-insensitive; the host is a name (letters, digits, '-', '.', '_'), a
// dotted IPv4 address or an IPv6 address in brackets; the port defaults to 80 (443 for
// https) and the target to "/"; a fragment is dropped (it is never sent). On failure
// returns InvalidArgument with a short lower-case phrase meant to follow
// "FILE:LINE: key: ", such as "port must be 1-65535". Refused: other schemes, user names
// and passwords, spaces, control and non-ASCII characters, malformed %-escapes, and URLs
// longer than kMaxHttpUrlLength.
Result<HttpUrl> ParseHttpUrl(std::string_view text);

// Parses "host:port" or "[IPv6]:port", with the host rules of ParseHttpUrl. The port is
// required. Failures are InvalidArgument, phrased as for ParseHttpUrl.
Result<HostPort> ParseHostPort(std::string_view text);

// "host:port", an IPv6 address in brackets: "[::1]:5432". ParseHostPort reads it back.
std::string FormatHostPort(const HostPort& address);

// The Host header of a request for `url` (RFC 9110 section 7.2): "example.com",
// "example.com:8080", "[::1]:8080". The port is left out when it is the scheme's default
// (80, or 443 for https).
std::string HostHeader(const HttpUrl& url);

// "http://" (or "https://") + HostHeader(url) + target. ParseHttpUrl reads it back.
std::string FormatHttpUrl(const HttpUrl& url);

}  // namespace vigil::base
