// SPDX-License-Identifier: MIT
// Checks of the channel settings and the addresses built from them. Everything accepted
// here can be written into an SMTP command, a mail header or an HTTP header line as it is:
// the checks are what makes header injection impossible downstream.
#include "alert/channel_spec.h"

#include <cstring>

#include "base/http_url.h"

namespace vigil::alert {
namespace {

using base::Status;

// RFC 5321 section 4.5.3.1.3: a path (an address in angle brackets) is at most 256 octets.
constexpr size_t kMaxAddressLength = 254;
constexpr size_t kMaxUrlLength = 8192;
constexpr size_t kMaxHeaderValueLength = 8192;

bool IsAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }
char ToLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool StartsWithIgnoreCase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (ToLower(text[i]) != prefix[i]) return false;
  }
  return true;
}

// Header names are case-insensitive (RFC 9110 section 5.1).
bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (ToLower(a[i]) != ToLower(b[i])) return false;
  }
  return true;
}

std::string Quote(std::string_view text) { return "\"" + std::string(text) + "\""; }

// The characters of an address's local part: RFC 5322 atext and '.'; no quoted strings.
bool IsLocalPartChar(char c) { return IsAlnum(c) || (c != 0 && std::strchr("!#$%&'*+-/=?^_`{|}~.", c) != nullptr); }

// An RFC 9110 token, what a header name is made of.
bool IsTokenChar(char c) { return IsAlnum(c) || (c != 0 && std::strchr("!#$%&'*+-.^_`|~", c) != nullptr); }

bool HasControlOrSpace(std::string_view text) {
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte == 0x7f) return true;
  }
  return false;
}

// A host as base::ParseHostPort reads it: a name, an IPv4 address or an IPv6 address
// (bare here, bracketed there).
bool IsHost(std::string_view host) {
  if (host.empty() || host.front() == '[') return false;
  std::string with_port = Endpoint(host, 1);
  return base::ParseHostPort(with_port).has_value();
}

bool IsLoopbackHost(std::string_view host) { return host == "localhost" || host == "::1" || host.starts_with("127."); }

Status CheckCaFile(const std::string& ca_file) {
  if (!ca_file.empty() && (ca_file.front() != '/' || ca_file.find('\0') != std::string::npos)) {
    return Status::InvalidArgument("ca_file must be an absolute path, got " + Quote(ca_file));
  }
  return Status::Ok();
}

Status CheckTimeout(base::Duration timeout) {
  if (timeout <= base::Duration::zero()) return Status::InvalidArgument("timeout must be more than 0");
  // Far past any sensible delivery attempt; vigild waits for vigil-alert that long.
  if (timeout > kMaxTimeout) return Status::InvalidArgument("timeout must be at most 1h");
  return Status::Ok();
}

// What a header value may hold: no CR, LF or other control character but tab.
bool IsHeaderValue(std::string_view value) {
  for (char c : value) {
    auto byte = static_cast<unsigned char>(c);
    if ((byte < 0x20 && c != '\t') || byte == 0x7f) return false;
  }
  return value.size() <= kMaxHeaderValueLength;
}

Status CheckHeaderName(const std::string& name, std::string_view key) {
  bool ok = !name.empty() && name.size() <= 256;
  for (char c : name) ok = ok && IsTokenChar(c);
  if (!ok) return Status::InvalidArgument(std::string(key) + ": " + Quote(name) + " is not a header name");
  // These frame the request; a second value would make it ambiguous.
  if (EqualsIgnoreCase(name, "content-length") || EqualsIgnoreCase(name, "transfer-encoding") ||
      EqualsIgnoreCase(name, "host")) {
    return Status::InvalidArgument(std::string(key) + ": " + name + " is set by vigil-alert itself");
  }
  return Status::Ok();
}

}  // namespace

std::string_view TlsName(EmailSpec::Tls tls) {
  switch (tls) {
    case EmailSpec::Tls::kNone:
      return "none";
    case EmailSpec::Tls::kStartTls:
      return "starttls";
    case EmailSpec::Tls::kImplicit:
      return "implicit";
  }
  return "none";
}

bool ParseTls(std::string_view word, EmailSpec::Tls* tls) {
  for (auto candidate : {EmailSpec::Tls::kNone, EmailSpec::Tls::kStartTls, EmailSpec::Tls::kImplicit}) {
    if (word == TlsName(candidate)) {
      *tls = candidate;
      return true;
    }
  }
  return false;
}

int DefaultSmtpPort(EmailSpec::Tls tls) {
  switch (tls) {
    case EmailSpec::Tls::kNone:
      return 25;
    case EmailSpec::Tls::kStartTls:
      return 587;
    case EmailSpec::Tls::kImplicit:
      return 465;
  }
  return 587;
}

bool IsEmailAddress(std::string_view address) {
  if (address.empty() || address.size() > kMaxAddressLength) return false;
  size_t at = address.rfind('@');
  if (at == std::string_view::npos || at == 0) return false;
  std::string_view local = address.substr(0, at);
  std::string_view domain = address.substr(at + 1);
  if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos) return false;
  for (char c : local) {
    if (!IsLocalPartChar(c)) return false;
  }
  // A domain name, not an address literal: "[192.0.2.1]" is legal but rare enough in
  // alert settings to be more likely a mistake.
  if (domain.empty() || domain.front() == '.' || domain.back() == '.' || domain.find("..") != std::string_view::npos) {
    return false;
  }
  for (char c : domain) {
    if (!IsAlnum(c) && c != '-' && c != '.' && c != '_') return false;
  }
  return true;
}

std::string_view AddressDomain(std::string_view address) {
  size_t at = address.rfind('@');
  return at == std::string_view::npos ? std::string_view() : address.substr(at + 1);
}

std::string Endpoint(std::string_view host, int port) {
  std::string out;
  if (host.find(':') != std::string_view::npos) {
    out = "[" + std::string(host) + "]";
  } else {
    out = std::string(host);
  }
  return out + ":" + std::to_string(port);
}

Status ValidateEmailSpec(const EmailSpec& spec) {
  if (spec.server.empty()) return Status::InvalidArgument("server is required");
  if (!IsHost(spec.server)) {
    return Status::InvalidArgument("server: " + Quote(spec.server) +
                                   " is not a host name or an IP address (give the port in port)");
  }
  if (spec.port < 1 || spec.port > 65535) return Status::InvalidArgument("port must be 1-65535");
  if (spec.from.empty()) return Status::InvalidArgument("from is required");
  if (!IsEmailAddress(spec.from)) {
    return Status::InvalidArgument("from: " + Quote(spec.from) +
                                   " is not an email address (expected user@example.com)");
  }
  if (spec.to.empty()) return Status::InvalidArgument("to needs at least one address");
  for (const std::string& to : spec.to) {
    if (!IsEmailAddress(to)) {
      return Status::InvalidArgument("to: " + Quote(to) + " is not an email address (expected user@example.com)");
    }
  }
  if (HasControlOrSpace(spec.username)) {
    return Status::InvalidArgument("username contains a space or a control character");
  }
  if (!spec.password_file.empty() && spec.username.empty()) {
    return Status::InvalidArgument("password_file is set but username is not");
  }
  if (!spec.username.empty() && spec.password_file.empty()) {
    return Status::InvalidArgument("username is set but password_file is not");
  }
  if (!spec.password_file.empty() && spec.password_file.front() != '/') {
    return Status::InvalidArgument("password_file must be an absolute path, got " + Quote(spec.password_file));
  }
  // A password in clear text can be read by anyone on the path; a relay on this machine
  // is the one case where that path does not leave the machine.
  if (!spec.username.empty() && spec.tls == EmailSpec::Tls::kNone && !IsLoopbackHost(spec.server)) {
    return Status::InvalidArgument("username: refusing to send a password without TLS to " + spec.server +
                                   "; use tls = \"starttls\" or \"implicit\"");
  }
  if (Status s = CheckCaFile(spec.ca_file); !s.ok()) return s;
  return CheckTimeout(spec.timeout);
}

base::Result<WebhookTarget> ParseWebhookUrl(std::string_view url) {
  if (url.size() > kMaxUrlLength) return Status::InvalidArgument("url is longer than 8192 characters");
  if (HasControlOrSpace(url)) return Status::InvalidArgument("url contains a space or a control character");
  WebhookTarget target;
  std::string_view rest;
  if (StartsWithIgnoreCase(url, "https://")) {
    target.https = true;
    target.port = 443;
    rest = url.substr(8);
  } else if (StartsWithIgnoreCase(url, "http://")) {
    target.port = 80;
    rest = url.substr(7);
  } else {
    return Status::InvalidArgument("url must start with http:// or https://, got " + Quote(url));
  }
  std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  if (size_t at = authority.rfind('@'); at != std::string_view::npos) authority = authority.substr(at + 1);
  // base::ParseHostPort wants a port; add the scheme's when there is none.
  bool has_port = authority.starts_with('[') ? authority.find("]:") != std::string_view::npos
                                             : authority.find(':') != std::string_view::npos;
  std::string host_port = std::string(authority);
  if (!has_port) host_port += ":" + std::to_string(target.port);
  auto parsed = base::ParseHostPort(host_port);
  if (!parsed) return Status::InvalidArgument("url: " + parsed.error().message());
  target.host = parsed->host;
  target.port = parsed->port;
  return target;
}

Status ValidateWebhookSpec(const WebhookSpec& spec) {
  if (spec.url.empty()) return Status::InvalidArgument("url is required");
  if (auto target = ParseWebhookUrl(spec.url); !target) return target.error();
  for (const auto& [name, value] : spec.headers) {
    if (Status s = CheckHeaderName(name, "headers"); !s.ok()) return s;
    if (!IsHeaderValue(value)) {
      return Status::InvalidArgument("headers: the value of " + name + " contains a line break or a control character");
    }
  }
  for (const auto& [name, file] : spec.header_files) {
    if (Status s = CheckHeaderName(name, "header_files"); !s.ok()) return s;
    if (file.empty() || file.front() != '/') {
      return Status::InvalidArgument("header_files: the file of " + name + " must be an absolute path");
    }
    for (const auto& [other, unused] : spec.headers) {
      if (EqualsIgnoreCase(other, name)) {
        return Status::InvalidArgument("header_files: " + name + " is also set in headers");
      }
    }
  }
  if (Status s = CheckCaFile(spec.ca_file); !s.ok()) return s;
  return CheckTimeout(spec.timeout);
}

std::string SmtpUrl(const EmailSpec& spec, std::string_view ehlo_domain) {
  std::string scheme = spec.tls == EmailSpec::Tls::kImplicit ? "smtps://" : "smtp://";
  return scheme + Endpoint(spec.server, spec.port) + "/" + std::string(ehlo_domain);
}

std::string DisplayUrl(std::string_view url) {
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return "(a URL)";
  std::string_view scheme = url.substr(0, scheme_end);
  std::string_view rest = url.substr(scheme_end + 3);
  size_t authority_end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, authority_end);
  if (size_t at = authority.rfind('@'); at != std::string_view::npos) authority = authority.substr(at + 1);
  std::string out;
  for (char c : scheme) out += ToLower(c);
  out += "://";
  out += authority;
  if (authority_end == std::string_view::npos) return out;
  std::string_view tail = rest.substr(authority_end);
  return out + (tail == "/" ? "/" : "/...");
}

}  // namespace vigil::alert
