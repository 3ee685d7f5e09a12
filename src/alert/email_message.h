// SPDX-License-Identifier: MIT
// The email of a notification: a complete RFC 5322 message, ready for SMTP. The format is
// described in docs/alerts.md ("Email").
#pragma once

#include <string>
#include <string_view>

#include "alert/channel_spec.h"
#include "alert/notification.h"

namespace vigil::alert {

// The longest Subject (SummaryLine) kept, in bytes of UTF-8; longer ones end in "...".
inline constexpr size_t kMaxSubjectBytes = 200;

// A message with CRLF line endings: Date (the notification's time), From, To (every
// recipient, comma-separated), Subject (SummaryLine; RFC 2047 encoded words when not
// ASCII), Message-ID <id@message_id_domain>, MIME-Version, Content-Type text/plain with
// charset utf-8, Content-Transfer-Encoding quoted-printable, Auto-Submitted, the
// X-Vigil-* headers, then the body: the text and a block of details. Lines starting with
// "." are not doubled here: libcurl dot-stuffs what it sends (RFC 5321 section 4.5.2).
//
// Header injection is impossible: every header value goes through OneLine (no CR, LF or
// other control character survives), addresses that are not IsEmailAddress are left
// out, and the Message-ID's parts are reduced to dot-atom characters. Callers validate
// `spec` first (ValidateEmailSpec) so that nothing is left out in practice.
std::string EmailMessage(const Notification& notification, const EmailSpec& spec, const std::string& message_id_domain);

}  // namespace vigil::alert
