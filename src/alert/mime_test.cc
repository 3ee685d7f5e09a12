// SPDX-License-Identifier: MIT
// Tests of the message-building pieces: UTF-8 clean-up, header fields, quoted-printable,
// dates and base64.
#include "alert/mime.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace vigil::alert {
namespace {

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find("\r\n", pos);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(pos, end - pos));
    pos = end + 2;
  }
  return lines;
}

// Undoes Base64, for checking encoded words.
std::string Unbase64(const std::string& text) {
  static const std::string kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  uint32_t bits = 0;
  int count = 0;
  for (char c : text) {
    if (c == '=') break;
    bits = (bits << 6) | static_cast<uint32_t>(kAlphabet.find(c));
    count += 6;
    if (count >= 8) {
      count -= 8;
      out += static_cast<char>((bits >> count) & 0xFF);
    }
  }
  return out;
}

// Decodes the "=?UTF-8?B?...?=" words of a header field back into its text.
std::string DecodeWords(const std::string& field) {
  std::string out;
  size_t pos = 0;
  while ((pos = field.find("=?UTF-8?B?", pos)) != std::string::npos) {
    size_t end = field.find("?=", pos + 10);
    out += Unbase64(field.substr(pos + 10, end - pos - 10));
    pos = end + 2;
  }
  return out;
}

TEST(MimeTest, SanitizeUtf8KeepsValidTextAndReplacesTheRest) {
  EXPECT_EQ(SanitizeUtf8("plain ascii"), "plain ascii");
  EXPECT_EQ(SanitizeUtf8("äöü — 日本 🚀"), "äöü — 日本 🚀");
  EXPECT_EQ(SanitizeUtf8("a\xFF"
                         "b"),
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(SanitizeUtf8("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");                  // overlong '/'
  EXPECT_EQ(SanitizeUtf8("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // a surrogate
  EXPECT_EQ(SanitizeUtf8("end\xE2\x82"), "end\xEF\xBF\xBD");                        // cut short
  EXPECT_EQ(SanitizeUtf8("\xF4\x90\x80\x80").find("\xF4"), std::string::npos);      // past U+10FFFF
}

TEST(MimeTest, OneLineRemovesLineBreaksAndControls) {
  EXPECT_EQ(OneLine("  a\r\nBcc: x@example.com\t\x01 b  "), "a Bcc: x@example.com b");
  EXPECT_EQ(OneLine("\n\n"), "");
}

TEST(MimeTest, TruncateUtf8CutsAtACharacterBoundary) {
  EXPECT_EQ(TruncateUtf8("short", 10), "short");
  EXPECT_EQ(TruncateUtf8("abcdefghij", 8), "abcde...");
  EXPECT_EQ(TruncateUtf8("ab\xC3\xA4\xC3\xB6\xC3\xBC", 7), "ab\xC3\xA4...");  // "abäöü", 8 bytes
  std::string cut = TruncateUtf8("ab\xC3\xA4\xC3\xB6\xC3\xBC", 6);            // would split "ä"
  EXPECT_EQ(cut, "ab...");
  EXPECT_EQ(SanitizeUtf8(cut), cut);
}

TEST(MimeTest, AsciiHeaderIsWrittenAsIsAndFolded) {
  EXPECT_EQ(HeaderField("Subject", "[vigil@web1] CRIT check web: down"),
            "Subject: [vigil@web1] CRIT check web: down\r\n");
  std::string long_value;
  for (int i = 0; i < 30; ++i) long_value += "word" + std::to_string(i) + " ";
  std::string field = HeaderField("Subject", long_value);
  std::vector<std::string> lines = Lines(field);
  ASSERT_GT(lines.size(), 1u);
  for (size_t i = 0; i < lines.size(); ++i) {
    EXPECT_LE(lines[i].size(), 78u) << lines[i];
    if (i > 0) {
      EXPECT_EQ(lines[i][0], ' ') << "a continuation line starts with a space";
    }
  }
  // Unfolding (RFC 5322 section 2.2.3) gives the value back.
  std::string unfolded;
  for (const auto& line : lines) unfolded += line;
  EXPECT_EQ(unfolded, "Subject: " + OneLine(long_value));
}

TEST(MimeTest, HeaderInjectionBecomesOneLine) {
  std::string field = HeaderField("Subject", "hello\r\nBcc: evil@example.com\r\n\r\nbody");
  EXPECT_EQ(field, "Subject: hello Bcc: evil@example.com body\r\n");
}

TEST(MimeTest, NonAsciiHeaderUsesEncodedWords) {
  EXPECT_EQ(HeaderField("Subject", "äöü"), "Subject: =?UTF-8?B?w6TDtsO8?=\r\n");
  std::string value =
      "[vigil@web1] CRIT check: Festplatte fast voll — 95 % belegt, äöüß 日本語 🚀 " + std::string(100, 'x');
  std::string field = HeaderField("Subject", value);
  for (const auto& line : Lines(field)) {
    EXPECT_LE(line.size(), 76u) << line;
    for (char c : line) EXPECT_TRUE(c >= 0x20 && c < 0x7f) << "7-bit clean: " << line;
  }
  EXPECT_EQ(DecodeWords(field), value);
  // Each word holds whole characters (RFC 2047 section 5): each decodes to valid UTF-8 alone.
  for (const auto& line : Lines(field)) {
    std::string word = DecodeWords(line);
    EXPECT_EQ(SanitizeUtf8(word), word);
  }
}

TEST(MimeTest, TextThatLooksEncodedIsEncoded) {
  std::string field = HeaderField("Subject", "=?UTF-8?B?ZXZpbA==?=");
  EXPECT_EQ(DecodeWords(field), "=?UTF-8?B?ZXZpbA==?=");
}

TEST(MimeTest, QuotedPrintableEscapes) {
  EXPECT_EQ(QuotedPrintable("a=b\n"), "a=3Db\r\n");
  EXPECT_EQ(QuotedPrintable("trailing \ntab\t\n"), "trailing=20\r\ntab=09\r\n");
  EXPECT_EQ(QuotedPrintable("end "), "end=20");
  EXPECT_EQ(QuotedPrintable("ä\r\n"), "=C3=A4\r\n");
  EXPECT_EQ(QuotedPrintable("lone\rcr"), "lone=0Dcr");
  EXPECT_EQ(QuotedPrintable("in the middle stays"), "in the middle stays");
}

TEST(MimeTest, QuotedPrintableLeavesDotsToTheSmtpClient) {
  // libcurl dot-stuffs; doing it here too would deliver "..hidden".
  EXPECT_EQ(QuotedPrintable(".hidden\n.\n"), ".hidden\r\n.\r\n");
}

TEST(MimeTest, QuotedPrintableSoftBreaksLongLines) {
  std::string text = std::string(100, 'a') + "=" + std::string(100, 'b') + "\xC3\xA4\n";
  std::string encoded = QuotedPrintable(text);
  std::string decoded;
  for (const auto& line : Lines(encoded)) {
    EXPECT_LE(line.size(), 76u) << line;
    std::string content = line;
    if (!content.empty() && content.back() == '=') content.pop_back();  // a soft break
    // A soft break never splits an escape.
    size_t eq = content.rfind('=');
    if (eq != std::string::npos) {
      EXPECT_LE(eq + 3, content.size()) << line;
    }
    decoded += content;
  }
  EXPECT_NE(decoded.find("=3D"), std::string::npos);
  EXPECT_NE(decoded.find("=C3=A4"), std::string::npos);
}

TEST(MimeTest, Rfc5322Date) {
  EXPECT_EQ(Rfc5322Date(0), "Thu, 01 Jan 1970 00:00:00 +0000");
  EXPECT_EQ(Rfc5322Date(1796000000123), "Mon, 30 Nov 2026 00:53:20 +0000");
  EXPECT_EQ(Rfc5322Date(253402300799999), "Fri, 31 Dec 9999 23:59:59 +0000");
}

TEST(MimeTest, Base64Vectors) {
  // RFC 4648 section 10.
  EXPECT_EQ(Base64(""), "");
  EXPECT_EQ(Base64("f"), "Zg==");
  EXPECT_EQ(Base64("fo"), "Zm8=");
  EXPECT_EQ(Base64("foo"), "Zm9v");
  EXPECT_EQ(Base64("foob"), "Zm9vYg==");
  EXPECT_EQ(Base64("fooba"), "Zm9vYmE=");
  EXPECT_EQ(Base64("foobar"), "Zm9vYmFy");
  EXPECT_EQ(Base64("\xFF\xFE"), "//4=");
}

}  // namespace
}  // namespace vigil::alert
