// SPDX-License-Identifier: MIT
// ParseNotifyMessage: one sd_notify(3) datagram into a NotifyMessage, read the way systemd's
// manager reads it (src/core/manager.c, src/core/service.c).
#include "process/notify_message.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <string>

namespace vigil::process {
namespace {

// errno_is_valid() in systemd: ERRNO= takes 0 or 1..ERRNO_MAX.
constexpr uint64_t kErrnoMax = 4095;

// Decimal, as systemd's safe_atou64 reads it with strtoull(3) in base 10: leading blanks,
// an optional sign, at least one digit and nothing after. A negative value other than "-0"
// is out of range (systemd: ERANGE), as is anything above `max`.
std::optional<uint64_t> ParseDecimal(std::string_view text, uint64_t max) {
  size_t i = 0;
  while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '\v' || text[i] == '\f')) ++i;
  bool negative = false;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) negative = text[i++] == '-';
  if (i == text.size()) return std::nullopt;
  uint64_t value = 0;
  for (; i < text.size(); ++i) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
    const auto digit = static_cast<uint64_t>(text[i] - '0');
    if (value > (std::numeric_limits<uint64_t>::max() - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  if ((negative && value != 0) || value > max) return std::nullopt;
  return value;
}

// systemd's parse_errno(): a symbolic name ("ENOENT") or a number.
std::optional<int> ParseErrno(std::string_view text) {
  // strerrorname_np(3) knows one name per number; these are the aliases Linux defines.
  static constexpr std::pair<std::string_view, int> kAliases[] = {
      {"EWOULDBLOCK", EWOULDBLOCK}, {"EDEADLOCK", EDEADLOCK}, {"ENOTSUP", ENOTSUP}};
  if (!text.empty() && text[0] == 'E') {
    for (const auto& [name, value] : kAliases) {
      if (text == name) return value;
    }
    for (int e = 1; e <= static_cast<int>(kErrnoMax); ++e) {
      const char* name = ::strerrorname_np(e);
      if (name != nullptr && text == name) return e;
    }
  }
  auto number = ParseDecimal(text, kErrnoMax);
  if (!number) return std::nullopt;
  return static_cast<int>(*number);
}

// The length of the well-formed UTF-8 sequence at the start of `s` (RFC 3629: no overlong
// forms, no surrogates, nothing above U+10FFFF), or 0 if it is not one.
size_t Utf8SequenceLength(std::string_view s) {
  const auto b0 = static_cast<unsigned char>(s[0]);
  size_t len = 0;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
  } else {
    return 0;  // a continuation byte, an overlong lead (C0, C1) or F5..FF
  }
  char32_t cp = b0 & (0x7F >> len);
  if (s.size() < len) return 0;
  for (size_t i = 1; i < len; ++i) {
    const auto b = static_cast<unsigned char>(s[i]);
    if ((b & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3F);
  }
  if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000)) return 0;  // overlong
  if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) return 0;
  return len;
}

// STATUS= text for `vigil status` and the dashboard: a tab becomes a space, other control
// characters go (an escape sequence must not reach a terminal), invalid UTF-8 becomes U+FFFD,
// and the result is cut at a character boundary to kMaxStatusBytes.
std::string CleanStatus(std::string_view raw) {
  std::string out;
  out.reserve(std::min(raw.size(), kMaxStatusBytes));
  size_t i = 0;
  while (i < raw.size()) {
    const auto c = static_cast<unsigned char>(raw[i]);
    std::string_view piece;
    if (c < 0x80) {
      ++i;
      if (c == '\t') {
        piece = " ";
      } else if (c < 0x20 || c == 0x7F) {
        continue;
      } else {
        piece = raw.substr(i - 1, 1);
      }
    } else if (size_t len = Utf8SequenceLength(raw.substr(i)); len == 0) {
      ++i;
      piece = "\xEF\xBF\xBD";
    } else {
      piece = raw.substr(i, len);
      i += len;
      // C1 controls, U+0080..U+009F, are encoded as C2 80..C2 9F.
      if (len == 2 && static_cast<unsigned char>(piece[0]) == 0xC2 && static_cast<unsigned char>(piece[1]) < 0xA0) {
        continue;
      }
    }
    if (out.size() + piece.size() > kMaxStatusBytes) break;
    out += piece;
  }
  return out;
}

void ApplyStatus(std::string_view value, NotifyMessage& m) { m.status = CleanStatus(value); }

void ApplyMainPid(std::string_view value, NotifyMessage& m) {
  // systemd's parse_pid(): a positive pid_t.
  auto pid = ParseDecimal(value, static_cast<uint64_t>(std::numeric_limits<pid_t>::max()));
  if (pid && *pid > 0) m.main_pid = static_cast<pid_t>(*pid);
}

void ApplyExtendTimeout(std::string_view value, NotifyMessage& m) {
  m.extend_timeout_usec = ParseDecimal(value, std::numeric_limits<uint64_t>::max());
}

void ApplyWatchdogUsec(std::string_view value, NotifyMessage& m) {
  m.watchdog_usec = ParseDecimal(value, std::numeric_limits<uint64_t>::max());
}

void ApplyErrno(std::string_view value, NotifyMessage& m) { m.errno_value = ParseErrno(value); }

void ApplyWatchdog(std::string_view value, NotifyMessage& m) {
  if (value == "1") {
    m.watchdog = true;
  } else if (value == "trigger") {
    m.watchdog_trigger = true;
  }
}

// Keys whose first assignment counts. "WATCHDOG" and "WATCHDOG_USEC" cannot be confused:
// a line is matched on its whole key, up to the '='.
struct Field {
  std::string_view key;
  void (*apply)(std::string_view value, NotifyMessage& m);
};
constexpr Field kFields[] = {
    {"STATUS", ApplyStatus},
    {"MAINPID", ApplyMainPid},
    {"EXTEND_TIMEOUT_USEC", ApplyExtendTimeout},
    {"WATCHDOG_USEC", ApplyWatchdogUsec},
    {"ERRNO", ApplyErrno},
    {"WATCHDOG", ApplyWatchdog},
};
constexpr size_t kFieldCount = sizeof(kFields) / sizeof(kFields[0]);

// Flags: set by their exact line anywhere in the message (systemd's strv_contains).
struct Flag {
  std::string_view line;
  bool NotifyMessage::*member;
};
constexpr Flag kFlags[] = {
    {"READY=1", &NotifyMessage::ready},
    {"STOPPING=1", &NotifyMessage::stopping},
    {"RELOADING=1", &NotifyMessage::reloading},
};

}  // namespace

base::Result<NotifyMessage> ParseNotifyMessage(std::string_view datagram) {
  // manager.c: "We permit one trailing NUL byte in the message, but don't expect it."
  if (!datagram.empty() && datagram.back() == '\0') datagram.remove_suffix(1);
  if (datagram.find('\0') != std::string_view::npos) {
    return base::Status::InvalidArgument("notify message with an embedded NUL byte");
  }

  NotifyMessage message;
  bool seen[kFieldCount] = {};
  size_t start = 0;
  while (start <= datagram.size()) {
    size_t end = datagram.find_first_of("\n\r", start);
    if (end == std::string_view::npos) end = datagram.size();
    const std::string_view line = datagram.substr(start, end - start);
    start = end + 1;
    if (line.empty()) continue;

    for (const Flag& flag : kFlags) {
      if (line == flag.line) message.*flag.member = true;
    }
    const size_t eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    const std::string_view key = line.substr(0, eq);
    for (size_t i = 0; i < kFieldCount; ++i) {
      if (key != kFields[i].key) continue;
      if (!seen[i]) kFields[i].apply(line.substr(eq + 1), message);
      seen[i] = true;
      break;
    }
  }
  return message;
}

}  // namespace vigil::process
