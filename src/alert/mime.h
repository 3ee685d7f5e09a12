// SPDX-License-Identifier: MIT
// The pieces of an Internet message that need care: UTF-8 clean-up, RFC 2047 encoded
// words for non-ASCII header text, folding, quoted-printable bodies (RFC 2045) and the
// RFC 5322 date. Pure functions, no I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace vigil::alert {

// `text` with every invalid UTF-8 sequence (stray continuation bytes, overlong forms,
// surrogates, truncated sequences) replaced with U+FFFD.
std::string SanitizeUtf8(std::string_view text);

// Valid UTF-8 on one line: control characters (CR, LF and tab included) and runs of spaces
// become one space, and spaces at either end are dropped. What header text is made of, so
// that nothing a program prints can start a header of its own.
std::string OneLine(std::string_view text);

// At most `max_bytes` of valid UTF-8 `text`, cut at a character boundary, with "..."
// appended (within the limit) when something was cut.
std::string TruncateUtf8(std::string_view text, size_t max_bytes);

// A complete header field "Name: value\r\n", folded (CRLF and a space) so that lines stay
// within 78 characters where spaces allow. `value` goes through OneLine; if it is not plain
// printable ASCII (or holds "=?", which readers would take for an encoded word), it is
// written as RFC 2047 encoded words, "=?UTF-8?B?...?=", each of whole characters.
std::string HeaderField(std::string_view name, std::string_view value);

// The quoted-printable form (RFC 2045 section 6.7) of UTF-8 text: line breaks (LF, CRLF)
// become CRLF, '=' and bytes outside printable ASCII become =XX, a space or tab before a
// line break is encoded, and soft line breaks keep every line within 76 characters. A
// lone CR is encoded (=0D). Lines starting with "." are left alone: the SMTP client
// (libcurl) dot-stuffs the message.
std::string QuotedPrintable(std::string_view text);

// The date of a mail header (RFC 5322 section 3.3) in UTC: "Tue, 01 Dec 2026 10:00:00 +0000".
// English names whatever the locale. `unix_ms` must be within years 1970-9999.
std::string Rfc5322Date(int64_t unix_ms);

// Standard base64 with padding (RFC 4648 section 4).
std::string Base64(std::string_view bytes);

}  // namespace vigil::alert
