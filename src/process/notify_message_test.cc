// SPDX-License-Identifier: MIT
// ParseNotifyMessage, table-driven: what sd_notify senders write, and what systemd's reader
// does with odd input (first assignment wins, malformed numbers ignored, NUL refused).
#include "process/notify_message.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <string>

namespace vigil::process {
namespace {

// One line naming every field that is set, so a failing case shows the whole difference.
std::string Describe(const NotifyMessage& m) {
  std::string out;
  auto add = [&](const std::string& part) { out += (out.empty() ? "" : " ") + part; };
  if (m.ready) add("ready");
  if (m.stopping) add("stopping");
  if (m.reloading) add("reloading");
  if (m.watchdog) add("watchdog");
  if (m.watchdog_trigger) add("watchdog_trigger");
  if (m.status) add("status=[" + *m.status + "]");
  if (m.main_pid) add("main_pid=" + std::to_string(*m.main_pid));
  if (m.extend_timeout_usec) add("extend_timeout_usec=" + std::to_string(*m.extend_timeout_usec));
  if (m.watchdog_usec) add("watchdog_usec=" + std::to_string(*m.watchdog_usec));
  if (m.errno_value) add("errno=" + std::to_string(*m.errno_value));
  return out.empty() ? "(nothing)" : out;
}

struct Case {
  const char* name;
  std::string datagram;
  std::string want;  // Describe() of the result
};

const Case kCases[] = {
    // What senders write.
    {"sd_notify ready", "READY=1", "ready"},
    {"systemd-notify --ready --status", "READY=1\nSTATUS=warming up", "ready status=[warming up]"},
    {"trailing newline", "READY=1\n", "ready"},
    {"python sdnotify style", "STATUS=Processing 3 of 10\n", "status=[Processing 3 of 10]"},
    {"stopping", "STOPPING=1", "stopping"},
    {"reloading with MONOTONIC_USEC", "RELOADING=1\nMONOTONIC_USEC=123456789", "reloading"},
    {"watchdog heartbeat", "WATCHDOG=1", "watchdog"},
    {"watchdog trigger", "WATCHDOG=trigger", "watchdog_trigger"},
    {"watchdog usec", "WATCHDOG_USEC=30000000", "watchdog_usec=30000000"},
    {"watchdog usec zero is a value", "WATCHDOG_USEC=0", "watchdog_usec=0"},
    {"extend timeout", "EXTEND_TIMEOUT_USEC=5000000", "extend_timeout_usec=5000000"},
    {"main pid", "MAINPID=4242", "main_pid=4242"},
    {"errno number", "ERRNO=2", "errno=2"},
    {"errno zero", "ERRNO=0", "errno=0"},
    {"errno name", "ERRNO=ENOENT", "errno=" + std::to_string(ENOENT)},
    {"errno alias name", "ERRNO=EWOULDBLOCK", "errno=" + std::to_string(EWOULDBLOCK)},
    {"everything at once", "READY=1\nSTATUS=up\nMAINPID=7\nWATCHDOG=1\nWATCHDOG_USEC=1\nEXTEND_TIMEOUT_USEC=2\nERRNO=3",
     "ready watchdog status=[up] main_pid=7 extend_timeout_usec=2 watchdog_usec=1 errno=3"},
    {"several flags: precedence is the caller's", "READY=1\nSTOPPING=1\nRELOADING=1", "ready stopping reloading"},

    // Separators: newline and carriage return, empty lines skipped.
    {"CRLF lines", "READY=1\r\nSTATUS=x\r\n", "ready status=[x]"},
    {"empty lines", "\n\nREADY=1\n\n\n", "ready"},
    {"empty datagram", "", "(nothing)"},
    {"one trailing NUL is allowed", std::string("READY=1\0", 8), "ready"},

    // Flags are exact lines.
    {"READY=0 is not ready", "READY=0", "(nothing)"},
    {"READY=yes is not ready", "READY=yes", "(nothing)"},
    {"key with leading space", " READY=1", "(nothing)"},
    {"key in lower case", "ready=1", "(nothing)"},
    {"flag with trailing space", "READY=1 ", "(nothing)"},
    {"a later READY=1 still counts", "READY=0\nREADY=1", "ready"},
    {"WATCHDOG=0 is nothing", "WATCHDOG=0", "(nothing)"},
    {"WATCHDOG=yes is nothing", "WATCHDOG=yes", "(nothing)"},

    // First assignment of a valued key wins, even when it is malformed (strv_find_startswith).
    {"first STATUS wins", "STATUS=one\nSTATUS=two", "status=[one]"},
    {"first MAINPID wins", "MAINPID=5\nMAINPID=6", "main_pid=5"},
    {"malformed first MAINPID hides the second", "MAINPID=x\nMAINPID=6", "(nothing)"},
    {"malformed first WATCHDOG hides the second", "WATCHDOG=x\nWATCHDOG=1", "(nothing)"},
    {"WATCHDOG_USEC is not WATCHDOG", "WATCHDOG_USEC=5\nWATCHDOG=1", "watchdog watchdog_usec=5"},

    // Numbers as systemd's safe_atou64/parse_pid/parse_errno read them.
    {"leading blanks and plus", "MAINPID= +12", "main_pid=12"},
    {"minus zero is zero", "EXTEND_TIMEOUT_USEC=-0", "extend_timeout_usec=0"},
    {"negative", "EXTEND_TIMEOUT_USEC=-5", "(nothing)"},
    {"trailing garbage", "EXTEND_TIMEOUT_USEC=5s", "(nothing)"},
    {"trailing space", "WATCHDOG_USEC=5 ", "(nothing)"},
    {"hex is not decimal", "WATCHDOG_USEC=0x10", "(nothing)"},
    {"empty number", "WATCHDOG_USEC=", "(nothing)"},
    {"sign alone", "WATCHDOG_USEC=+", "(nothing)"},
    {"u64 max", "WATCHDOG_USEC=18446744073709551615", "watchdog_usec=18446744073709551615"},
    {"u64 overflow", "WATCHDOG_USEC=18446744073709551616", "(nothing)"},
    {"MAINPID=0 is malformed", "MAINPID=0", "(nothing)"},
    {"MAINPID beyond pid_t", "MAINPID=2147483648", "(nothing)"},
    {"MAINPID negative", "MAINPID=-1", "(nothing)"},
    {"ERRNO above 4095", "ERRNO=4096", "(nothing)"},
    {"ERRNO 4095", "ERRNO=4095", "errno=4095"},
    {"ERRNO negative", "ERRNO=-2", "(nothing)"},
    {"ERRNO unknown name", "ERRNO=ENOTANERROR", "(nothing)"},
    {"malformed number leaves the rest", "MAINPID=x\nREADY=1\nSTATUS=s", "ready status=[s]"},

    // Unknown and ignored keys.
    {"fd store keys ignored", "FDSTORE=1\nFDNAME=db\nFDPOLL=0", "(nothing)"},
    {"barrier ignored", "BARRIER=1", "(nothing)"},
    {"unknown keys ignored", "X_MY_APP=1\nNOTIFYACCESS=all\nBUSERROR=x\nREADY=1", "ready"},
    {"line without '='", "hello\nREADY=1", "ready"},

    // STATUS cleaning.
    {"empty STATUS clears", "STATUS=", "status=[]"},
    {"STATUS keeps '=' in its value", "STATUS=a=b", "status=[a=b]"},
    {"STATUS keeps leading and trailing blanks", "STATUS= x ", "status=[ x ]"},
    {"STATUS tab becomes space", "STATUS=a\tb", "status=[a b]"},
    {"STATUS escape sequence removed", "STATUS=\x1b[31mred\x1b[0m", "status=[[31mred[0m]"},
    {"STATUS DEL removed", "STATUS=a\x7fz", "status=[az]"},
    {"STATUS UTF-8 kept", "STATUS=d\xC3\xA9j\xC3\xA0 vu \xE2\x9C\x93 \xF0\x9F\x98\x80",
     "status=[d\xC3\xA9j\xC3\xA0 vu \xE2\x9C\x93 \xF0\x9F\x98\x80]"},
    {"STATUS C1 control removed", "STATUS=a\xC2\x9Bz", "status=[az]"},
    {"STATUS invalid byte replaced", "STATUS=a\xFFz", "status=[a\xEF\xBF\xBDz]"},
    {"STATUS truncated sequence replaced", "STATUS=a\xE2\x9C", "status=[a\xEF\xBF\xBD\xEF\xBF\xBD]"},
    {"STATUS overlong replaced", "STATUS=\xC0\xAF", "status=[\xEF\xBF\xBD\xEF\xBF\xBD]"},
    {"STATUS surrogate replaced", "STATUS=\xED\xA0\x80", "status=[\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD]"},
    {"STATUS above U+10FFFF replaced", "STATUS=\xF4\x90\x80\x80",
     "status=[\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD]"},
};

TEST(ParseNotifyMessageTest, Table) {
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.name);
    auto parsed = ParseNotifyMessage(c.datagram);
    ASSERT_TRUE(parsed) << parsed.error().message();
    EXPECT_EQ(Describe(*parsed), c.want);
  }
}

TEST(ParseNotifyMessageTest, RefusesAnEmbeddedNul) {
  for (const std::string& datagram :
       {std::string("READY=1\0STATUS=x", 16), std::string("\0\0", 2), std::string("STATUS=a\0b\n", 11)}) {
    auto parsed = ParseNotifyMessage(datagram);
    ASSERT_FALSE(parsed);
    EXPECT_EQ(parsed.error().code(), base::StatusCode::kInvalidArgument);
    EXPECT_NE(parsed.error().message().find("NUL"), std::string::npos);
  }
}

TEST(ParseNotifyMessageTest, StatusIsCutAtACharacterBoundary) {
  // 1023 ASCII bytes, then a 2-byte character that would end at byte 1025: it is left out.
  std::string text(kMaxStatusBytes - 1, 'a');
  auto parsed = ParseNotifyMessage("STATUS=" + text + "\xC3\xA9" + "tail");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(*parsed->status, text);

  parsed = ParseNotifyMessage("STATUS=" + std::string(4000, 'b') + "\nREADY=1");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->status->size(), kMaxStatusBytes);
  EXPECT_TRUE(parsed->ready);

  // Removed control characters do not count against the limit.
  parsed = ParseNotifyMessage("STATUS=" + std::string(100, '\x1b') + std::string(kMaxStatusBytes, 'c'));
  ASSERT_TRUE(parsed);
  EXPECT_EQ(*parsed->status, std::string(kMaxStatusBytes, 'c'));
}

// Every byte value in a status, in every position: nothing but printable UTF-8 comes out.
TEST(ParseNotifyMessageTest, CleanedStatusIsPrintableUtf8) {
  std::string raw;
  for (int i = 1; i < 256; ++i) {
    if (i != '\n' && i != '\r') raw += static_cast<char>(i);
  }
  auto parsed = ParseNotifyMessage("STATUS=" + raw + raw.substr(100) + raw.substr(7));
  ASSERT_TRUE(parsed);
  const std::string& s = *parsed->status;
  EXPECT_LE(s.size(), kMaxStatusBytes);
  for (unsigned char c : s) {
    EXPECT_FALSE(c < 0x20 || c == 0x7F) << "control byte " << static_cast<int>(c);
  }
  // Re-cleaning clean text changes nothing.
  auto again = ParseNotifyMessage("STATUS=" + s);
  ASSERT_TRUE(again);
  EXPECT_EQ(*again->status, s);
}

}  // namespace
}  // namespace vigil::process
