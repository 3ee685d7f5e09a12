// SPDX-License-Identifier: MIT
// A Notification: what vigild tells people about (a check gone bad, a program that keeps
// failing, a report), independent of the channel, and the webhook JSON made from it.
// The webhook body is documented field by field in docs/alerts.md.
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

#include "base/status.h"

namespace vigil::alert {

struct Notification {
  std::string id;         // unique: the Message-ID's left part and the receivers' idempotency key; [A-Za-z0-9._-]
  int64_t time_ms = 0;    // when it happened, milliseconds since the Unix epoch
  std::string severity;   // "info", "warn", "crit"
  std::string category;   // "check", "program", "task", "report", "test" (any lower-case word)
  std::string subject;    // what it is about: a check or program name
  std::string title;      // one line
  std::string text;       // the plain-language body; may be multi-line
  bool recovery = false;  // true when this says a problem is over
  bool reminder = false;  // true when this repeats a problem that is not over yet
  std::string host;       // the machine's host name

  bool operator==(const Notification&) const = default;
};

// Every field under its own name, as the request JSON carries it.
nlohmann::json ToJson(const Notification& notification);
// The inverse of ToJson. InvalidArgument, naming the field, for a missing or mistyped
// field, an unknown field, an id outside [A-Za-z0-9._-], a severity other than
// info/warn/crit, a category that is not a lower-case word, a negative time, or a
// reminder that is also a recovery.
base::Result<Notification> NotificationFromJson(const nlohmann::json& json);

// The one-line summary that opens every message: "[vigil@web1] CRIT check web-http: down",
// "[vigil@web1] RECOVERED check web-http: up again" (the severity word is replaced for a
// recovery), "[vigil@web1] STILL CRIT check web-http: down" for a reminder. Line breaks
// and control characters of the title become spaces.
std::string SummaryLine(const Notification& notification);

// The webhook body, a JSON object with id, time (RFC 3339, UTC, milliseconds), time_ms,
// severity, category, subject, title, body (the plain text), recovery, reminder, host, and "text":
// SummaryLine, a line break and the body, with &, < and > escaped as Slack's incoming
// webhooks want them. Invalid UTF-8 is replaced with U+FFFD.
std::string WebhookBody(const Notification& notification);

}  // namespace vigil::alert
