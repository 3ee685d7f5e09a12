// SPDX-License-Identifier: MIT
// Parsing of http check URLs and tcp check addresses. A subset of RFC 3986 chosen for
// clear errors: whatever is accepted here can be written into a request line and a Host
// header as it is, so the probes need no escaping of their own.
#include "base/http_url.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <optional>

namespace vigil::base {
namespace {

constexpr std::string_view kPortError = "port must be 1-65535";
// A DNS name is at most 253 characters (RFC 1035 section 2.3.4, without the final dot).
constexpr size_t kMaxHostLength = 254;
// "[" + the longest IPv6 text form + "]:65535", with room to spare; anything longer is
// not a host and port.
constexpr size_t kMaxHostPortLength = kMaxHostLength + 8;

bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHexDigit(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
char ToLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (ToLower(a[i]) != ToLower(b[i])) return false;
  }
  return true;
}

std::string Quote(std::string_view text) { return "\"" + std::string(text) + "\""; }

// Spaces, control characters (NUL included) and bytes past ASCII. Checked before anything
// else, so that no later message quotes a control character.
Status CheckCharacters(std::string_view text, std::string_view what) {
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte == 0x7f) {
      return Status::InvalidArgument(std::string(what) + " contains a space or a control character");
    }
    if (byte >= 0x80) {
      return Status::InvalidArgument(std::string(what) + " contains a non-ASCII character; percent-encode it");
    }
  }
  return Status::Ok();
}

std::optional<uint16_t> ParsePort(std::string_view text) {
  if (text.empty() || text.size() > 5) return std::nullopt;
  uint32_t port = 0;
  for (char c : text) {
    if (!IsDigit(c)) return std::nullopt;
    port = port * 10 + static_cast<uint32_t>(c - '0');
  }
  if (port == 0 || port > 65535) return std::nullopt;
  return static_cast<uint16_t>(port);
}

// A name or a dotted IPv4 address (an IPv6 address comes in brackets, handled by the
// caller).
Status CheckHost(std::string_view host) {
  if (host.empty()) return Status::InvalidArgument("missing host");
  if (host.size() > kMaxHostLength) return Status::InvalidArgument("host name is too long");
  bool numeric = true;
  for (char c : host) {
    if (!IsAlpha(c) && !IsDigit(c) && c != '-' && c != '.' && c != '_') {
      return Status::InvalidArgument("bad character '" + std::string(1, c) + "' in host " + Quote(host));
    }
    if (!IsDigit(c) && c != '.') numeric = false;
  }
  if (numeric) {
    // getaddrinfo(3) would read "10.1" or "017.0.0.1" through inet_aton(3) as some other
    // address; inet_pton(3) takes only the four plain decimal parts.
    in_addr ignored;
    if (::inet_pton(AF_INET, std::string(host).c_str(), &ignored) != 1) {
      return Status::InvalidArgument("bad IPv4 address " + Quote(host));
    }
    return Status::Ok();
  }
  // Empty labels: "a..b", ".a". One final dot is the absolute form of a name.
  std::string_view labels = host.back() == '.' ? host.substr(0, host.size() - 1) : host;
  if (labels.empty() || labels.front() == '.' || labels.find("..") != std::string_view::npos) {
    return Status::InvalidArgument("bad host name " + Quote(host));
  }
  return Status::Ok();
}

// Parses "host", "host:port", "[v6]" or "[v6]:port". Without a port, `default_port` is
// used, or the text is refused with `missing_port` when there is none.
Result<HostPort> ParseAuthority(std::string_view text, std::optional<uint16_t> default_port,
                                std::string_view missing_port, std::string_view v6_example) {
  HostPort out;
  std::string_view port_text;
  bool has_port = false;
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos) {
      return Status::InvalidArgument("missing ']' after the IPv6 address");
    }
    std::string_view address = text.substr(1, close - 1);
    in6_addr ignored;
    // Zone ids ("fe80::1%eth0") are refused here: inet_pton(3) does not take them.
    if (address.empty() || ::inet_pton(AF_INET6, std::string(address).c_str(), &ignored) != 1) {
      return Status::InvalidArgument("bad IPv6 address " + Quote(address));
    }
    out.host = std::string(address);
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') {
        return Status::InvalidArgument("expected ':' and a port after the IPv6 address, got " + Quote(rest));
      }
      has_port = true;
      port_text = rest.substr(1);
    }
  } else {
    size_t colon = text.find(':');
    if (colon != std::string_view::npos && text.find(':', colon + 1) != std::string_view::npos) {
      return Status::InvalidArgument("an IPv6 address needs brackets, as in " + std::string(v6_example));
    }
    std::string_view host = text.substr(0, colon);
    if (Status s = CheckHost(host); !s.ok()) return s;
    out.host = std::string(host);
    if (colon != std::string_view::npos) {
      has_port = true;
      port_text = text.substr(colon + 1);
    }
  }
  if (has_port) {
    std::optional<uint16_t> port = ParsePort(port_text);
    if (!port) return Status::InvalidArgument(std::string(kPortError));
    out.port = *port;
  } else if (default_port) {
    out.port = *default_port;
  } else {
    return Status::InvalidArgument(std::string(missing_port));
  }
  return out;
}

// A '%' must start an escape of two hex digits: a server would refuse the request anyway,
// and a config error says where.
Status CheckEscapes(std::string_view target) {
  for (size_t i = 0; i < target.size(); ++i) {
    if (target[i] != '%') continue;
    if (i + 2 >= target.size() || !IsHexDigit(target[i + 1]) || !IsHexDigit(target[i + 2])) {
      return Status::InvalidArgument("'%' in a URL must start an escape such as %20");
    }
  }
  return Status::Ok();
}

// True for a scheme name as RFC 3986 section 3.1 spells it: a letter, then letters,
// digits, '+', '-' or '.'.
bool IsScheme(std::string_view text) {
  if (text.empty() || !IsAlpha(text.front())) return false;
  for (char c : text) {
    if (!IsAlpha(c) && !IsDigit(c) && c != '+' && c != '-' && c != '.') return false;
  }
  return true;
}

uint16_t DefaultPort(bool https) { return https ? 443 : 80; }

std::string BracketIfV6(const std::string& host) {
  return host.find(':') == std::string::npos ? host : "[" + host + "]";
}

}  // namespace

Result<HttpUrl> ParseHttpUrl(std::string_view text) {
  if (text.empty()) return Status::InvalidArgument("empty URL");
  if (text.size() > kMaxHttpUrlLength) {
    return Status::InvalidArgument("URL is longer than " + std::to_string(kMaxHttpUrlLength) + " characters");
  }
  if (Status s = CheckCharacters(text, "URL"); !s.ok()) return s;

  size_t scheme_end = text.find("://");
  if (scheme_end == std::string_view::npos || !IsScheme(text.substr(0, scheme_end))) {
    return Status::InvalidArgument("expected a URL starting with http:// or https://");
  }
  std::string_view scheme = text.substr(0, scheme_end);
  const bool https = EqualsIgnoreCase(scheme, "https");
  if (!https && !EqualsIgnoreCase(scheme, "http")) {
    return Status::InvalidArgument("unsupported scheme " + Quote(scheme) +
                                   "; http checks take http:// and https:// URLs");
  }

  std::string_view rest = text.substr(scheme_end + 3);
  rest = rest.substr(0, rest.find('#'));  // the fragment is for the client alone
  size_t authority_end = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, authority_end);
  std::string_view target = authority_end == std::string_view::npos ? std::string_view() : rest.substr(authority_end);

  if (authority.find('@') != std::string_view::npos) {
    return Status::InvalidArgument("user names and passwords in URLs are not supported");
  }
  if (authority.empty()) return Status::InvalidArgument(std::string("missing host after ") + (https ? "https://" : "http://"));
  auto address = ParseAuthority(authority, DefaultPort(https), "", "http://[::1]:8080/");
  if (!address) return address.error();
  if (Status s = CheckEscapes(target); !s.ok()) return s;

  HttpUrl url;
  url.https = https;
  url.host = std::move(address->host);
  url.port = address->port;
  if (target.empty()) {
    url.target = "/";
  } else if (target.front() == '?') {
    url.target = "/" + std::string(target);
  } else {
    url.target = std::string(target);
  }
  return url;
}

Result<HostPort> ParseHostPort(std::string_view text) {
  constexpr std::string_view kExpected = "expected host:port, such as 127.0.0.1:5432";
  if (text.empty()) return Status::InvalidArgument(std::string(kExpected));
  if (text.size() > kMaxHostPortLength) return Status::InvalidArgument("address is too long");
  if (Status s = CheckCharacters(text, "address"); !s.ok()) return s;
  if (text.find("://") != std::string_view::npos) {
    return Status::InvalidArgument("expected host:port without a scheme, such as 127.0.0.1:5432");
  }
  return ParseAuthority(text, std::nullopt, kExpected, "[::1]:5432");
}

std::string FormatHostPort(const HostPort& address) {
  return BracketIfV6(address.host) + ":" + std::to_string(address.port);
}

std::string HostHeader(const HttpUrl& url) {
  std::string host = BracketIfV6(url.host);
  if (url.port != DefaultPort(url.https)) host += ":" + std::to_string(url.port);
  return host;
}

std::string FormatHttpUrl(const HttpUrl& url) {
  return (url.https ? "https://" : "http://") + HostHeader(url) + url.target;
}

}  // namespace vigil::base
