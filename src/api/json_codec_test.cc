// SPDX-License-Identifier: MIT
// Request body decoding (json_codec.h): what is accepted, and that every refusal says
// what is wrong with the value sent; and that AppendJson writes what DumpJson writes.
#include "api/json_codec.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <climits>
#include <csignal>
#include <cstdint>
#include <string>
#include <vector>

namespace vigil::api {
namespace {

std::string SignalError(const std::string& body) {
  auto request = ParseSignalRequest(body, /*with_programs=*/false);
  if (request) return "accepted " + std::to_string(request->signo);
  EXPECT_EQ(request.error().code(), base::StatusCode::kInvalidArgument);
  return request.error().message();
}

std::string Range() { return " is out of range 1-" + std::to_string(SIGRTMAX); }

TEST(JsonCodecTest, SignalByNameOrNumber) {
  EXPECT_EQ(SignalError(R"({"signal":"HUP"})"), "accepted " + std::to_string(SIGHUP));
  EXPECT_EQ(SignalError(R"({"signal":"sigterm"})"), "accepted " + std::to_string(SIGTERM));
  EXPECT_EQ(SignalError(R"({"signal":9})"), "accepted 9");
  EXPECT_EQ(SignalError(R"({"signal":"9"})"), "accepted 9");
  EXPECT_EQ(SignalError(R"({"signal":)" + std::to_string(SIGRTMAX) + "}"),
            "accepted " + std::to_string(SIGRTMAX));
  // A whole number written as a JSON float is still that number.
  EXPECT_EQ(SignalError(R"({"signal":15.0})"), "accepted 15");

  auto with_programs = ParseSignalRequest(R"({"programs":["web"],"signal":"USR1"})", true);
  ASSERT_TRUE(with_programs);
  EXPECT_EQ(with_programs->programs, std::vector<std::string>{"web"});
  EXPECT_EQ(with_programs->signo, SIGUSR1);
}

// Regression test for issue 8, item 17: negative, huge and fractional numbers were all
// refused with "must be a name or a number", which they are.
TEST(JsonCodecTest, SignalNumberErrorsSayWhatIsWrong) {
  EXPECT_EQ(SignalError(R"({"signal":-1})"), "signal number -1" + Range());
  EXPECT_EQ(SignalError(R"({"signal":0})"), "signal number 0" + Range());
  EXPECT_EQ(SignalError(R"({"signal":65})"), "signal number 65" + Range());
  EXPECT_EQ(SignalError(R"({"signal":-9223372036854775808})"),
            "signal number -9223372036854775808" + Range());
  EXPECT_EQ(SignalError(R"({"signal":18446744073709551615})"),
            "signal number 18446744073709551615" + Range());
  EXPECT_EQ(SignalError(R"({"signal":1e18})"), "signal number 1e+18" + Range());
  EXPECT_EQ(SignalError(R"({"signal":-1e300})"), "signal number -1e+300" + Range());
  EXPECT_EQ(SignalError(R"({"signal":2.5})"), "signal 2.5 is not a whole number");
  EXPECT_EQ(SignalError(R"({"signal":-0.5})"), "signal -0.5 is not a whole number");
  // Past uint64_t it is read as a double; past a double it is not JSON nlohmann accepts.
  EXPECT_EQ(SignalError(R"({"signal":18446744073709551616})"),
            "signal number 1.8446744073709552e+19" + Range());
  EXPECT_EQ(SignalError(R"({"signal":1e400})"), "request body is not valid JSON");
}

TEST(JsonCodecTest, SignalOfAnotherTypeIsANameOrNumberError) {
  for (const char* body : {R"({"signal":true})", R"({"signal":null})", R"({"signal":[9]})",
                           R"({"signal":{"n":9}})"}) {
    EXPECT_EQ(SignalError(body), "\"signal\" must be a name or a number") << body;
  }
  EXPECT_EQ(SignalError(R"({})"), "missing field \"signal\"");
}

// AppendJson writes GET /v1/programs without nlohmann's DOM: the same bytes as DumpJson.
std::string Appended(const ProgramInfo& info) {
  std::string out;
  AppendJson(info, &out);
  return out + "\n";
}

TEST(JsonCodecTest, AppendJsonWritesWhatDumpJsonWrites) {
  ProgramInfo running;
  running.name = "web:1";
  running.state = "RUNNING";
  running.want = "up";
  running.pid = 4242;
  running.uptime_ms = 123456789;
  running.state_since_ms = 1700000000123;
  running.restarts = 3;
  running.last_exit = "killed by SIGKILL";
  running.reason = "started";
  running.status = "ready";
  running.stdout_log = "/var/log/vigil/web:1.out.log";
  running.stderr_log = "/var/log/vigil/web:1.err.log";
  EXPECT_EQ(Appended(running), DumpJson(ToJson(running)));

  ProgramInfo stopped;  // the defaults: empty strings, pid 0, uptime -1, autostart true
  EXPECT_EQ(Appended(stopped), DumpJson(ToJson(stopped)));
  stopped.autostart = false;
  stopped.uptime_ms = INT64_MIN;
  stopped.state_since_ms = INT64_MAX;
  stopped.restarts = INT32_MIN;
  EXPECT_EQ(Appended(stopped), DumpJson(ToJson(stopped)));
}

TEST(JsonCodecTest, AppendJsonEscapesAsDumpJsonDoes) {
  // Quotes, backslashes, every control character, DEL, UTF-8, and bytes that are not
  // UTF-8 (replaced with U+FFFD), in the strings a program's output and config can reach.
  std::string controls;
  for (char c = 1; c < 0x20; ++c) controls.push_back(c);
  const std::vector<std::string> texts = {
      "say \"hi\"", "C:\\logs", controls, std::string("nul\0byte", 8), "del\x7f", "caf\xc3\xa9 \xe2\x9c\x93",
      "bad \xff\xfe utf-8", "cut \xe2\x9c", "\xc3", "/logs/\xf0\x9f\x98\x80.log"};
  for (const std::string& text : texts) {
    ProgramInfo info;
    info.name = text;
    info.state = "FATAL";
    info.want = "down";
    info.last_exit = text;
    info.reason = text + "; " + text;
    info.status = text;
    info.stdout_log = "/l/" + text;
    info.stderr_log = text;
    EXPECT_EQ(Appended(info), DumpJson(ToJson(info))) << text;
  }
}

}  // namespace
}  // namespace vigil::api
