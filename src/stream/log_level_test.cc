// SPDX-License-Identifier: MIT
#include "stream/log_level.h"

#include <gtest/gtest.h>

namespace vigil::stream {
namespace {

LogLevel Builtin(std::string_view line) { return LevelDetector().Detect(line); }

TEST(LogLevelTest, BuiltinFindsUpperCaseWordsNearTheStart) {
  EXPECT_EQ(Builtin("2026-12-02 10:00:00,123 ERROR db: connection refused"), LogLevel::kError);
  EXPECT_EQ(Builtin("WARNING:root:disk almost full"), LogLevel::kWarning);
  EXPECT_EQ(Builtin("[INFO] listening on :8080"), LogLevel::kInfo);
  EXPECT_EQ(Builtin("2026-12-02T10:00:00.000Z DEBUG cache miss"), LogLevel::kDebug);
  EXPECT_EQ(Builtin("[CRITICAL] out of memory"), LogLevel::kError);
  EXPECT_EQ(Builtin("\x1b[32mINFO\x1b[0m listening"), LogLevel::kInfo);  // coloured
  EXPECT_EQ(Builtin("12:00 \x1b[1;31mERROR\x1b[0m boom"), LogLevel::kError);
}

TEST(LogLevelTest, BuiltinIgnoresLowerCaseWordsAndLateMentions) {
  EXPECT_EQ(Builtin("there was an error reading the file"), LogLevel::kNone);
  EXPECT_EQ(Builtin(std::string(120, 'x') + " ERROR late"), LogLevel::kNone);
  EXPECT_EQ(Builtin(""), LogLevel::kNone);
  EXPECT_EQ(Builtin("GET /index.html 200"), LogLevel::kNone);
}

TEST(LogLevelTest, BuiltinReadsLogfmtAndJson) {
  EXPECT_EQ(Builtin("time=2026-12-02 level=warn msg=\"slow\""), LogLevel::kWarning);
  EXPECT_EQ(Builtin("ts=1 level=\"error\" msg=x"), LogLevel::kError);
  EXPECT_EQ(Builtin(R"({"time":"t","level":"info","msg":"ERROR in text"})"), LogLevel::kInfo);
  EXPECT_EQ(Builtin(R"(2026-12-02T10:00:00.000Z {"severity":"ERROR","msg":"x"})"), LogLevel::kError);
  EXPECT_EQ(Builtin(R"({"msg":"no level"})"), LogLevel::kNone);
  EXPECT_EQ(Builtin(R"({"level":)"), LogLevel::kNone);  // not JSON: no crash, no level
}

TEST(LogLevelTest, ProgramRegexTakesItsFirstGroup) {
  auto detector = LevelDetector::Make(R"(^\S+ <(\w+)>)");
  ASSERT_TRUE(detector.has_value());
  EXPECT_EQ(detector->Detect("12:00 <warn> x"), LogLevel::kWarning);
  EXPECT_EQ(detector->Detect("ERROR without the brackets"), LogLevel::kNone);
  auto whole = LevelDetector::Make("fatal|panic");
  ASSERT_TRUE(whole.has_value());
  EXPECT_EQ(whole->Detect("goroutine panic: x"), LogLevel::kError);
}

TEST(LogLevelTest, BadRegexIsAnError) {
  auto detector = LevelDetector::Make("(unclosed");
  ASSERT_FALSE(detector.has_value());
  EXPECT_NE(detector.error().message().find("not a valid regex"), std::string::npos);
}

TEST(LogLevelTest, FilterWords) {
  EXPECT_EQ(ParseLevelFilter("ALL"), LogLevel::kNone);
  EXPECT_EQ(ParseLevelFilter("WARNING"), LogLevel::kWarning);
  EXPECT_FALSE(ParseLevelFilter("warn").has_value());
  EXPECT_EQ(LogLevelName(LogLevel::kError), "ERROR");
  EXPECT_EQ(LogLevelName(LogLevel::kNone), "");
}

}  // namespace
}  // namespace vigil::stream
