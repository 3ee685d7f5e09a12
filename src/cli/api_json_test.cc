// SPDX-License-Identifier: MIT
// Tests for reading vigild's JSON replies and building request targets.
#include "cli/api_json.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli/api_paths.h"

namespace vigil::cli {
namespace {

TEST(ApiJsonTest, ReadsProgramFields) {
  auto reply = ParseJson(R"({"programs":[{"name":"web:0","state":"RUNNING","want":"up",
      "pid":42,"uptime_ms":1500,"state_since_ms":1,"restarts":3,"last_exit":"exit 1",
      "reason":"started","stdout_log":"/l/o","stderr_log":"/l/e"}]})");
  ASSERT_TRUE(reply.has_value());
  auto programs = ProgramsFromJson(*reply);
  ASSERT_TRUE(programs.has_value());
  ASSERT_EQ(programs->size(), 1u);
  const ProgramView& p = (*programs)[0];
  EXPECT_EQ(p.name, "web:0");
  EXPECT_EQ(p.state, "RUNNING");
  EXPECT_EQ(p.want, "up");
  EXPECT_EQ(p.pid, 42);
  EXPECT_EQ(p.uptime_ms, 1500);
  EXPECT_EQ(p.restarts, 3);
  EXPECT_EQ(p.last_exit, "exit 1");
  EXPECT_EQ(p.reason, "started");
}

TEST(ApiJsonTest, MistypedFieldsKeepDefaultsInsteadOfThrowing) {
  auto reply = ParseJson(R"({"programs":[{"name":7,"pid":"x","uptime_ms":null}, 5]})");
  ASSERT_TRUE(reply.has_value());
  auto programs = ProgramsFromJson(*reply);
  ASSERT_TRUE(programs.has_value());
  ASSERT_EQ(programs->size(), 2u);
  EXPECT_EQ((*programs)[0].name, "");
  EXPECT_EQ((*programs)[0].pid, 0);
  EXPECT_EQ((*programs)[0].uptime_ms, -1);
}

TEST(ApiJsonTest, RejectsMissingProgramsAndInvalidJson) {
  EXPECT_FALSE(ParseJson("{nope").has_value());
  auto reply = ParseJson(R"({"ok":true})");
  ASSERT_TRUE(reply.has_value());
  EXPECT_FALSE(ProgramsFromJson(*reply).has_value());
  EXPECT_FALSE(ProgramsFromJson(nlohmann::json::array()).has_value());
}

TEST(ApiJsonTest, StringListSkipsNonStrings) {
  auto reply = ParseJson(R"({"lines":["a",1,"b"],"other":"x"})");
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(StringListFromJson(*reply, "lines"), (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(StringListFromJson(*reply, "other").empty());
  EXPECT_TRUE(StringListFromJson(*reply, "missing").empty());
}

TEST(ApiJsonTest, ErrorMessagePrefersErrorField) {
  EXPECT_EQ(ErrorMessageFromBody(R"({"error":"unknown program x"})", 404), "unknown program x");
  EXPECT_EQ(ErrorMessageFromBody("  Bad Gateway\n", 502), "Bad Gateway");
  EXPECT_EQ(ErrorMessageFromBody("", 500), "HTTP 500");
  EXPECT_EQ(ErrorMessageFromBody(R"({"other":1})", 500), R"({"other":1})");
}

TEST(ApiPathsTest, PercentEncodesReservedCharacters) {
  EXPECT_EQ(PercentEncode("web"), "web");
  EXPECT_EQ(PercentEncode("web:0"), "web%3A0");
  EXPECT_EQ(PercentEncode("a b/c?d&e%"), "a%20b%2Fc%3Fd%26e%25");
  EXPECT_EQ(PercentEncode("A-z_0.9~"), "A-z_0.9~");
  EXPECT_EQ(PercentEncode("\xC3\xA9"), "%C3%A9");
}

TEST(ApiPathsTest, LogsTargetCarriesStreamLinesAndFollow) {
  EXPECT_EQ(LogsTarget("web:1", false, 20, false),
            "/v1/programs/web%3A1/logs?stream=stdout&lines=20");
  EXPECT_EQ(LogsTarget("web", true, 0, true),
            "/v1/programs/web/logs?stream=stderr&lines=0&follow=1");
}

}  // namespace
}  // namespace vigil::cli
