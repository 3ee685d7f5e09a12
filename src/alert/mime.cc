// SPDX-License-Identifier: MIT
// UTF-8 clean-up, RFC 2047 encoded words, header folding, quoted-printable and the
// RFC 5322 date. The limits are RFC 5322's 78-character line (section 2.1.1), RFC 2047's
// 75-character encoded word on a line of at most 76 (section 2), and RFC 2045's
// 76-character encoded line (section 6.7, rule 5).
#include "alert/mime.h"

#include <time.h>

#include <cstdio>

namespace vigil::alert {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD in UTF-8
constexpr size_t kFoldAt = 78;
constexpr size_t kEncodedLineMax = 76;
constexpr std::string_view kWordStart = "=?UTF-8?B?";
constexpr std::string_view kWordEnd = "?=";
constexpr size_t kQpLineMax = 76;

bool IsContinuation(unsigned char b) { return (b & 0xC0) == 0x80; }

// The length of the valid UTF-8 sequence at text[i] (1-4), or 0 with *bad_length set to
// how many bytes make up the invalid prefix to replace.
size_t SequenceLength(std::string_view text, size_t i, size_t* bad_length) {
  auto b = static_cast<unsigned char>(text[i]);
  if (b < 0x80) return 1;
  size_t length = 0;
  unsigned char low = 0x80;
  unsigned char high = 0xBF;
  if (b >= 0xC2 && b <= 0xDF) {
    length = 2;
  } else if (b >= 0xE0 && b <= 0xEF) {
    length = 3;
    if (b == 0xE0) low = 0xA0;   // overlong
    if (b == 0xED) high = 0x9F;  // UTF-16 surrogates
  } else if (b >= 0xF0 && b <= 0xF4) {
    length = 4;
    if (b == 0xF0) low = 0x90;   // overlong
    if (b == 0xF4) high = 0x8F;  // past U+10FFFF
  } else {
    *bad_length = 1;
    return 0;
  }
  for (size_t k = 1; k < length; ++k) {
    if (i + k >= text.size()) {
      *bad_length = k;
      return 0;
    }
    auto c = static_cast<unsigned char>(text[i + k]);
    bool ok = k == 1 ? (c >= low && c <= high) : IsContinuation(c);
    if (!ok) {
      *bad_length = k;
      return 0;
    }
  }
  return length;
}

bool IsPlainAscii(std::string_view text) {
  for (char c : text) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return text.find("=?") == std::string_view::npos;
}

// Folds "Name: word word ..." at spaces; a word longer than a line stays whole (RFC 5322
// allows lines up to 998 characters, and callers keep values far below that).
std::string FoldPlain(std::string_view name, std::string_view value) {
  std::string out(name);
  out += ':';
  size_t line_length = out.size();
  bool first = true;
  size_t pos = 0;
  while (pos <= value.size() && !value.empty()) {
    size_t end = value.find(' ', pos);
    if (end == std::string_view::npos) end = value.size();
    std::string_view word = value.substr(pos, end - pos);
    if (!first && line_length + 1 + word.size() > kFoldAt) {
      out += "\r\n";
      line_length = 0;
    }
    out += ' ';
    out += word;
    line_length += 1 + word.size();
    first = false;
    pos = end + 1;
  }
  return out + "\r\n";
}

// "Name: =?UTF-8?B?...?=" words of whole characters, one per line.
std::string EncodeWords(std::string_view name, std::string_view value) {
  std::string out(name);
  out += ':';
  size_t prefix = out.size() + 1;  // the space before the word
  size_t pos = 0;
  while (pos < value.size()) {
    size_t room = kEncodedLineMax - prefix - kWordStart.size() - kWordEnd.size();
    size_t budget = room / 4 * 3;
    if (budget < 6) budget = 6;  // room for any one character, for a very long name
    size_t end = pos;
    while (end < value.size()) {
      size_t bad = 0;
      size_t length = SequenceLength(value, end, &bad);
      if (length == 0) length = 1;  // not reached: value is sanitized
      if (end + length - pos > budget) break;
      end += length;
    }
    if (pos != 0) out += "\r\n";
    out += ' ';
    out += kWordStart;
    out += Base64(value.substr(pos, end - pos));
    out += kWordEnd;
    prefix = 1;
    pos = end;
  }
  return out + "\r\n";
}

}  // namespace

std::string SanitizeUtf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    size_t bad = 0;
    size_t length = SequenceLength(text, i, &bad);
    if (length == 0) {
      out += kReplacement;
      i += bad;
      continue;
    }
    out.append(text.substr(i, length));
    i += length;
  }
  return out;
}

std::string OneLine(std::string_view text) {
  std::string clean = SanitizeUtf8(text);
  std::string out;
  out.reserve(clean.size());
  bool pending_space = false;
  for (char c : clean) {
    auto b = static_cast<unsigned char>(c);
    if (b <= 0x20 || b == 0x7f) {
      pending_space = true;
      continue;
    }
    if (pending_space && !out.empty()) out += ' ';
    pending_space = false;
    out += c;
  }
  return out;
}

std::string TruncateUtf8(std::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  constexpr std::string_view kEllipsis = "...";
  size_t cut = max_bytes > kEllipsis.size() ? max_bytes - kEllipsis.size() : 0;
  while (cut > 0 && IsContinuation(static_cast<unsigned char>(text[cut]))) --cut;
  return std::string(text.substr(0, cut)) + std::string(kEllipsis);
}

std::string HeaderField(std::string_view name, std::string_view value) {
  std::string line = OneLine(value);
  if (IsPlainAscii(line)) return FoldPlain(name, line);
  return EncodeWords(name, line);
}

std::string QuotedPrintable(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  size_t line_length = 0;
  auto emit = [&](std::string_view token) {
    // Leaves room for the '=' of a soft line break.
    if (line_length + token.size() > kQpLineMax - 1) {
      out += "=\r\n";
      line_length = 0;
    }
    out += token;
    line_length += token.size();
  };
  auto at_line_end = [&](size_t i) {
    return i + 1 == text.size() || text[i + 1] == '\n' ||
           (text[i + 1] == '\r' && i + 2 < text.size() && text[i + 2] == '\n');
  };
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    auto b = static_cast<unsigned char>(c);
    if (c == '\n' || (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n')) {
      if (c == '\r') ++i;
      out += "\r\n";
      line_length = 0;
    } else if ((c == ' ' || c == '\t') && !at_line_end(i)) {
      emit(std::string_view(&text[i], 1));
    } else if (b >= 33 && b <= 126 && c != '=') {
      emit(std::string_view(&text[i], 1));
    } else {
      char escaped[3] = {'=', kHex[b >> 4], kHex[b & 0xF]};
      emit(std::string_view(escaped, 3));
    }
  }
  return out;
}

std::string Rfc5322Date(int64_t unix_ms) {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  time_t seconds = static_cast<time_t>(unix_ms / 1000);
  struct tm tm {};
  ::gmtime_r(&seconds, &tm);
  char buffer[40];
  std::snprintf(buffer, sizeof(buffer), "%s, %02d %s %04d %02d:%02d:%02d +0000", kDays[tm.tm_wday % 7], tm.tm_mday,
                kMonths[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buffer;
}

std::string Base64(std::string_view bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    uint32_t n = (static_cast<uint32_t>(static_cast<unsigned char>(bytes[i])) << 16) |
                 (static_cast<uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8) |
                 static_cast<uint32_t>(static_cast<unsigned char>(bytes[i + 2]));
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  size_t rest = bytes.size() - i;
  if (rest > 0) {
    uint32_t n = static_cast<uint32_t>(static_cast<unsigned char>(bytes[i])) << 16;
    if (rest == 2) n |= static_cast<uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += rest == 2 ? kAlphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

}  // namespace vigil::alert
