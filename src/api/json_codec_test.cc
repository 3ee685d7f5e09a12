// SPDX-License-Identifier: MIT
// Request body decoding (json_codec.h): what is accepted, and that every refusal says
// what is wrong with the value sent.
#include "api/json_codec.h"

#include <gtest/gtest.h>

#include <csignal>
#include <string>

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

}  // namespace
}  // namespace vigil::api
