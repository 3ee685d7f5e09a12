// SPDX-License-Identifier: MIT
// Notification <-> JSON, the summary line and the webhook body (docs/alerts.md, "Webhook").
#include "alert/notification.h"

#include <nlohmann/json.hpp>

#include "alert/json_reader.h"
#include "alert/mime.h"
#include "base/clock.h"

namespace vigil::alert {
namespace {

using nlohmann::json;
using Need = ObjectReader::Need;

constexpr size_t kMaxIdLength = 128;
// 9999-12-31T23:59:59.999Z: the dates of mail headers and RFC 3339 have four-digit years.
constexpr int64_t kMaxTimeMs = 253402300799999;

bool IsIdChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

bool IsCategory(std::string_view word) {
  if (word.empty() || word.size() > 32 || word.front() < 'a' || word.front() > 'z') return false;
  for (char c : word) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) return false;
  }
  return true;
}

// Slack reads &, < and > in "text" as markup (links, mentions such as <!channel>); its
// docs ask senders to escape exactly these three.
std::string EscapeForSlack(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string Upper(std::string_view word) {
  std::string out(word);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

}  // namespace

json ToJson(const Notification& n) {
  return json{{"id", n.id},           {"time_ms", n.time_ms}, {"severity", n.severity}, {"category", n.category},
              {"subject", n.subject}, {"title", n.title},     {"text", n.text},         {"recovery", n.recovery},
              {"reminder", n.reminder}, {"host", n.host}};
}

base::Result<Notification> NotificationFromJson(const json& value) {
  Notification n;
  ObjectReader r(value, "notification");
  r.String("id", &n.id);
  r.Int("time_ms", &n.time_ms);
  r.String("severity", &n.severity);
  r.String("category", &n.category);
  r.String("subject", &n.subject, Need::kOptional);
  r.String("title", &n.title);
  r.String("text", &n.text, Need::kOptional);
  r.Bool("recovery", &n.recovery, Need::kOptional);
  r.Bool("reminder", &n.reminder, Need::kOptional);
  r.String("host", &n.host);
  if (r.ok()) {
    bool id_ok = !n.id.empty() && n.id.size() <= kMaxIdLength;
    for (char c : n.id) id_ok = id_ok && IsIdChar(c);
    if (!id_ok) r.Fail("id", "must be 1-128 of the characters A-Z a-z 0-9 . _ -");
    if (n.severity != "info" && n.severity != "warn" && n.severity != "crit") {
      r.Fail("severity", "must be \"info\", \"warn\" or \"crit\"");
    }
    if (!IsCategory(n.category)) r.Fail("category", "must be a lower-case word such as \"check\"");
    if (n.time_ms < 0 || n.time_ms > kMaxTimeMs) r.Fail("time_ms", "must be a time between 1970 and 9999");
    if (n.recovery && n.reminder) r.Fail("reminder", "cannot be true for a recovery");
  }
  if (base::Status s = r.Finish(); !s.ok()) return s;
  return n;
}

std::string SummaryLine(const Notification& n) {
  const std::string severity = Upper(OneLine(n.severity));
  std::string line = "[vigil@" + OneLine(n.host) + "] " +
                     (n.recovery ? "RECOVERED" : n.reminder ? "STILL " + severity : severity) + " " + OneLine(n.category);
  if (std::string subject = OneLine(n.subject); !subject.empty()) line += " " + subject;
  return line + ": " + OneLine(n.title);
}

std::string WebhookBody(const Notification& n) {
  std::string text = SummaryLine(n);
  if (!n.text.empty()) text += "\n" + n.text;
  // ordered_json keeps the documented order, which is easier to read in a receiver's log.
  nlohmann::ordered_json body{
      {"id", n.id},
      {"time", base::FormatIso8601(base::WallTime(std::chrono::milliseconds(n.time_ms)))},
      {"time_ms", n.time_ms},
      {"severity", n.severity},
      {"category", n.category},
      {"subject", n.subject},
      {"title", n.title},
      {"body", n.text},
      {"text", EscapeForSlack(text)},
      {"recovery", n.recovery},
      {"reminder", n.reminder},
      {"host", n.host},
  };
  return body.dump(-1, ' ', /*ensure_ascii=*/false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace vigil::alert
