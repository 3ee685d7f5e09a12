// SPDX-License-Identifier: MIT
// Builds the email of a notification (docs/alerts.md, "Email"). The body is always
// quoted-printable: it is 7-bit clean, so it never depends on the server announcing
// 8BITMIME, and it keeps lines short however long a program's output lines are.
#include "alert/email_message.h"

#include "alert/mime.h"
#include "base/clock.h"

namespace vigil::alert {
namespace {

bool IsAtomChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

// `text` as an RFC 5322 dot-atom: characters outside [A-Za-z0-9_-] and dots that would
// start, end or double up become '-'. Validated ids and domains come out unchanged.
std::string DotAtom(std::string_view text, std::string_view fallback) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (IsAtomChar(c)) {
      out += c;
    } else if (c == '.' && !out.empty() && out.back() != '.' && i + 1 < text.size()) {
      out += '.';
    } else {
      out += '-';
    }
  }
  return out.empty() ? std::string(fallback) : out;
}

std::string JoinAddresses(const std::vector<std::string>& addresses) {
  std::string out;
  for (const std::string& address : addresses) {
    if (!IsEmailAddress(address)) continue;
    if (!out.empty()) out += ", ";
    out += address;
  }
  return out;
}

std::string Body(const Notification& n) {
  std::string body = n.text.empty() ? OneLine(n.title) : SanitizeUtf8(n.text);
  while (!body.empty() && (body.back() == '\n' || body.back() == '\r')) body.pop_back();
  // "-- " opens a signature block (RFC 3676 section 4.3): mail readers grey it out.
  body += "\n\n-- \n";
  body += "Host: " + OneLine(n.host) + "\n";
  body += "Severity: " + OneLine(n.severity) + (n.recovery ? " (recovered)" : n.reminder ? " (reminder)" : "") + "\n";
  body += "Category: " + OneLine(n.category) + "\n";
  if (!n.subject.empty()) body += "Subject: " + OneLine(n.subject) + "\n";
  body += "Time: " + base::FormatIso8601(base::WallTime(std::chrono::milliseconds(n.time_ms))) + "\n";
  body += "Notification: " + OneLine(n.id) + "\n";
  return body;
}

}  // namespace

std::string EmailMessage(const Notification& n, const EmailSpec& spec, const std::string& message_id_domain) {
  std::string message;
  message += HeaderField("Date", Rfc5322Date(n.time_ms));
  message += HeaderField("From", IsEmailAddress(spec.from) ? spec.from : "");
  message += HeaderField("To", JoinAddresses(spec.to));
  message += HeaderField("Subject", TruncateUtf8(SummaryLine(n), kMaxSubjectBytes));
  message += "Message-ID: <" + DotAtom(n.id, "vigil") + "@" + DotAtom(message_id_domain, "vigil.invalid") + ">\r\n";
  message += "MIME-Version: 1.0\r\n";
  message += "Content-Type: text/plain; charset=utf-8\r\n";
  message += "Content-Transfer-Encoding: quoted-printable\r\n";
  // RFC 3834: tells vacation responders and the like not to answer.
  message += "Auto-Submitted: auto-generated\r\n";
  message += HeaderField("X-Vigil-Severity", n.severity);
  message += HeaderField("X-Vigil-Category", n.category);
  if (n.recovery) message += "X-Vigil-Recovery: yes\r\n";
  if (n.reminder) message += "X-Vigil-Reminder: yes\r\n";
  message += "\r\n";
  message += QuotedPrintable(Body(n));
  return message;
}

}  // namespace vigil::alert
