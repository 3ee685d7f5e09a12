// SPDX-License-Identifier: MIT
// Where a notification goes: the settings of an email channel and of a webhook channel as
// plain structs (config/ fills them, vigil-alert uses them), their checks, and the
// addresses built from them. What the settings mean for delivery: docs/alerts.md.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/status.h"

namespace vigil::alert {

// An SMTP submission: one message to one server, for every recipient in `to`.
struct EmailSpec {
  // kNone: plain SMTP (a relay on this machine or a trusted network); kStartTls: plain
  // connection upgraded with STARTTLS, which must succeed (usually port 587); kImplicit: TLS
  // from the first byte, "smtps" (usually port 465).
  enum class Tls { kNone, kStartTls, kImplicit };

  std::string server;  // a host name or an IP address (IPv6 without brackets)
  int port = 587;
  Tls tls = Tls::kStartTls;
  std::string username;         // empty: no authentication
  std::string password_file;    // with a username: the file holding the password (see ReadSecretFile)
  std::string from;             // envelope sender and From header: a bare address, user@example.com
  std::vector<std::string> to;  // bare addresses; at least one
  std::string ca_file;          // empty: the system's CA certificates; else trust this CA (PEM), for private servers
  base::Duration timeout = std::chrono::seconds(30);  // for the whole session, connection included

  bool operator==(const EmailSpec&) const = default;
};

// An HTTP(S) POST of a JSON body.
struct WebhookSpec {
  std::string url;                             // http:// or https://
  std::map<std::string, std::string> headers;  // extra request headers, name -> value
  // Header name -> file whose content (trimmed) is the value, for secrets such as
  // "Authorization" -> a file holding "Bearer xyz" (see ReadSecretFile).
  std::map<std::string, std::string> header_files;
  std::string ca_file;  // as in EmailSpec
  base::Duration timeout = std::chrono::seconds(30);

  bool operator==(const WebhookSpec&) const = default;
};

// The longest timeout a channel may have.
inline constexpr base::Duration kMaxTimeout = std::chrono::hours(1);

// "none", "starttls", "implicit": the words of the config and of the request JSON.
std::string_view TlsName(EmailSpec::Tls tls);
// The inverse of TlsName; false for any other word.
bool ParseTls(std::string_view word, EmailSpec::Tls* tls);
// The usual port of each mode: 25, 587, 465.
int DefaultSmtpPort(EmailSpec::Tls tls);

// A bare address "local@domain": printable ASCII without spaces, quotes, angle brackets,
// commas or other specials, one '@', a domain that is a host name. Display names
// ("Ops <ops@example.com>") and internationalised addresses are not supported.
bool IsEmailAddress(std::string_view address);
// The part after the '@' of an address; empty if there is none.
std::string_view AddressDomain(std::string_view address);

// The settings checked as vigil-alert needs them. On failure InvalidArgument with a
// phrase that starts with the key: `to: "bob" is not an email address (expected
// user@example.com)`, `port must be 1-65535`, `password_file is set but username is not`.
base::Status ValidateEmailSpec(const EmailSpec& spec);
base::Status ValidateWebhookSpec(const WebhookSpec& spec);

// The libcurl URL of the server: "smtp://host:587/EHLO" or, for implicit TLS,
// "smtps://host:465/EHLO", where the path is the name libcurl gives in EHLO (it says
// "localhost" without one, which strict servers refuse). An IPv6 server is bracketed.
std::string SmtpUrl(const EmailSpec& spec, std::string_view ehlo_domain);

// The host and port a webhook URL points to, for messages ("hooks.example.com:443") and
// the checks of ValidateWebhookSpec.
struct WebhookTarget {
  bool https = false;
  std::string host;  // IPv6 without brackets
  int port = 0;
};
// InvalidArgument unless `url` is http:// or https:// (any case) followed by a valid host,
// an optional port, and a path without spaces or control characters.
base::Result<WebhookTarget> ParseWebhookUrl(std::string_view url);

// The URL as it may appear in messages: scheme and authority only, "https://hooks.example.com/..."
// when there is more. A webhook URL's path often is its secret (Slack's are), and messages
// end up in vigild's history; user information ("user:password@") is left out too.
std::string DisplayUrl(std::string_view url);

// "host:port", an IPv6 host bracketed.
std::string Endpoint(std::string_view host, int port);

}  // namespace vigil::alert
