// SPDX-License-Identifier: MIT
// Tests of the email of a notification: headers, line endings, encodings, and that no
// text from a notification or a spec can add a header.
#include "alert/email_message.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "alert/mime.h"

namespace vigil::alert {
namespace {

Notification Sample() {
  Notification n;
  n.id = "20261130T005320Z-7f3a";
  n.time_ms = 1796000000123;
  n.severity = "crit";
  n.category = "check";
  n.subject = "web-http";
  n.title = "HTTP check failed";
  n.text = "http://127.0.0.1:8080/health did not answer.\n.hidden starts with a dot\n.\nlast line";
  n.host = "web1";
  return n;
}

EmailSpec Spec() {
  EmailSpec spec;
  spec.server = "smtp.example.com";
  spec.from = "vigil@example.com";
  spec.to = {"ops@example.com", "dev@example.org", "pager@example.net"};
  return spec;
}

struct Parsed {
  std::vector<std::string> header_lines;  // unfolded
  std::map<std::string, std::string> headers;
  std::string body;
};

// Splits at the first empty line and unfolds the header lines.
Parsed Parse(const std::string& message) {
  Parsed p;
  size_t end = message.find("\r\n\r\n");
  std::string head = message.substr(0, end + 2);
  p.body = message.substr(end + 4);
  size_t pos = 0;
  while (pos < head.size()) {
    size_t eol = head.find("\r\n", pos);
    std::string line = head.substr(pos, eol - pos);
    if (!line.empty() && line[0] == ' ') {
      p.header_lines.back() += line;
    } else {
      p.header_lines.push_back(line);
    }
    pos = eol + 2;
  }
  for (const auto& line : p.header_lines) {
    size_t colon = line.find(':');
    std::string value = line.substr(colon + 1);
    if (!value.empty() && value[0] == ' ') value.erase(0, 1);
    p.headers[line.substr(0, colon)] = value;
  }
  return p;
}

TEST(EmailMessageTest, HasEveryHeader) {
  Parsed p = Parse(EmailMessage(Sample(), Spec(), "example.com"));
  EXPECT_EQ(p.headers["Date"], "Mon, 30 Nov 2026 00:53:20 +0000");
  EXPECT_EQ(p.headers["From"], "vigil@example.com");
  EXPECT_EQ(p.headers["To"], "ops@example.com, dev@example.org, pager@example.net");
  EXPECT_EQ(p.headers["Subject"], "[vigil@web1] CRIT check web-http: HTTP check failed");
  EXPECT_EQ(p.headers["Message-ID"], "<20261130T005320Z-7f3a@example.com>");
  EXPECT_EQ(p.headers["MIME-Version"], "1.0");
  EXPECT_EQ(p.headers["Content-Type"], "text/plain; charset=utf-8");
  EXPECT_EQ(p.headers["Content-Transfer-Encoding"], "quoted-printable");
  EXPECT_EQ(p.headers["Auto-Submitted"], "auto-generated");
  EXPECT_EQ(p.headers["X-Vigil-Severity"], "crit");
  EXPECT_EQ(p.headers["X-Vigil-Category"], "check");
  EXPECT_EQ(p.headers.count("X-Vigil-Recovery"), 0u);
  EXPECT_EQ(p.header_lines.size(), 11u);
}

TEST(EmailMessageTest, EveryLineEndsWithCrlfAndIsShort) {
  Notification n = Sample();
  n.text = std::string(300, 'x') + "\n\nnext paragraph\r\nwindows line\n";
  std::string message = EmailMessage(n, Spec(), "example.com");
  ASSERT_GE(message.size(), 2u);
  EXPECT_EQ(message.substr(message.size() - 2), "\r\n");
  for (size_t i = 0; i < message.size(); ++i) {
    if (message[i] == '\n') {
      EXPECT_TRUE(i > 0 && message[i - 1] == '\r') << "bare LF at " << i;
    }
    if (message[i] == '\r') {
      EXPECT_TRUE(i + 1 < message.size() && message[i + 1] == '\n') << "bare CR at " << i;
    }
  }
  size_t pos = 0;
  while (pos < message.size()) {
    size_t eol = message.find("\r\n", pos);
    EXPECT_LE(eol - pos, 78u) << message.substr(pos, eol - pos);
    pos = eol + 2;
  }
}

TEST(EmailMessageTest, BodyIsTheTextThenTheDetails) {
  Parsed p = Parse(EmailMessage(Sample(), Spec(), "example.com"));
  EXPECT_EQ(p.body,
            "http://127.0.0.1:8080/health did not answer.\r\n"
            ".hidden starts with a dot\r\n"  // not doubled: libcurl dot-stuffs
            ".\r\n"
            "last line\r\n"
            "\r\n"
            "--=20\r\n"
            "Host: web1\r\n"
            "Severity: crit\r\n"
            "Category: check\r\n"
            "Subject: web-http\r\n"
            "Time: 2026-11-30T00:53:20.123Z\r\n"
            "Notification: 20261130T005320Z-7f3a\r\n");
}

TEST(EmailMessageTest, NonAsciiIsEncodedAndTheMessageIs7BitClean) {
  Notification n = Sample();
  n.title = "Festplatte fast voll — 95 % belegt";
  n.text = "Größe: 10 GB\nnoch frei: 500 MB";
  std::string message = EmailMessage(n, Spec(), "example.com");
  for (char c : message) EXPECT_TRUE(static_cast<unsigned char>(c) < 0x80) << "8-bit byte in message";
  Parsed p = Parse(message);
  EXPECT_EQ(p.headers["Subject"].rfind("=?UTF-8?B?", 0), 0u) << p.headers["Subject"];
  EXPECT_NE(p.body.find("Gr=C3=B6=C3=9Fe: 10 GB"), std::string::npos) << p.body;
}

TEST(EmailMessageTest, HeaderInjectionIsImpossible) {
  Notification n = Sample();
  n.title = "down\r\nBcc: evil@example.com";
  n.host = "web1\nX-Evil: 1";
  n.subject = "x\r\n\r\nfake body";
  n.severity = "crit\r\nX-Evil: 2";
  n.category = "check\nX-Evil: 3";
  n.id = "id>\r\nX-Evil: 4";
  EmailSpec spec = Spec();
  spec.to.push_back("x@example.com\r\nBcc: evil@example.com");
  spec.from = "vigil@example.com\r\nX-Evil: 5";
  Parsed p = Parse(EmailMessage(n, spec, "example.com>\r\nX-Evil: 6"));
  for (const auto& line : p.header_lines) {
    EXPECT_NE(line.rfind("Bcc", 0), 0u) << line;
    EXPECT_NE(line.rfind("X-Evil", 0), 0u) << line;
  }
  EXPECT_EQ(p.header_lines.size(), 11u);
  EXPECT_EQ(p.headers["To"], "ops@example.com, dev@example.org, pager@example.net");
  EXPECT_EQ(p.headers["From"], "");
  const std::string& id = p.headers["Message-ID"];
  EXPECT_EQ(id.front(), '<');
  EXPECT_EQ(id.back(), '>');
  EXPECT_EQ(id.find('<', 1), std::string::npos) << id;
  EXPECT_EQ(id.find(' '), std::string::npos) << id;
}

TEST(EmailMessageTest, LongSubjectIsCut) {
  Notification n = Sample();
  n.title = std::string(500, 'y');
  Parsed p = Parse(EmailMessage(n, Spec(), "example.com"));
  std::string subject = p.headers["Subject"];
  EXPECT_LE(subject.size(), kMaxSubjectBytes + 10) << "folding adds a few spaces at most";
  EXPECT_EQ(subject.substr(subject.size() - 3), "...");
}

TEST(EmailMessageTest, Recovery) {
  Notification n = Sample();
  n.recovery = true;
  n.title = "HTTP check passes again";
  n.text = "";
  Parsed p = Parse(EmailMessage(n, Spec(), "example.com"));
  EXPECT_EQ(p.headers["Subject"], "[vigil@web1] RECOVERED check web-http: HTTP check passes again");
  EXPECT_EQ(p.headers["X-Vigil-Recovery"], "yes");
  EXPECT_EQ(p.body.rfind("HTTP check passes again\r\n\r\n--=20\r\n", 0), 0u) << p.body;
  EXPECT_NE(p.body.find("Severity: crit (recovered)"), std::string::npos) << p.body;
}

TEST(EmailMessageTest, Reminder) {
  Notification n = Sample();
  n.reminder = true;
  Parsed p = Parse(EmailMessage(n, Spec(), "example.com"));
  EXPECT_EQ(p.headers["Subject"].rfind("[vigil@web1] STILL CRIT check web-http: ", 0), 0u) << p.headers["Subject"];
  EXPECT_EQ(p.headers["X-Vigil-Reminder"], "yes");
  EXPECT_EQ(p.headers.count("X-Vigil-Recovery"), 0u);
  EXPECT_NE(p.body.find("Severity: crit (reminder)"), std::string::npos) << p.body;
}

TEST(EmailMessageTest, MessageIdWithoutDomain) {
  Parsed p = Parse(EmailMessage(Sample(), Spec(), ""));
  EXPECT_EQ(p.headers["Message-ID"], "<20261130T005320Z-7f3a@vigil.invalid>");
}

}  // namespace
}  // namespace vigil::alert
