// SPDX-License-Identifier: MIT
// Request-target parsing and signal names.
#include "api/url.h"

#include <gtest/gtest.h>

#include <csignal>


namespace vigil::api {
namespace {

TEST(UrlTest, SplitsAndDecodesSegmentsAfterSplitting) {
  auto target = ParseTarget("/v1/programs/web%3A1/a%2Fb/");
  ASSERT_TRUE(target.has_value());
  EXPECT_EQ(target->segments, (std::vector<std::string>{"v1", "programs", "web:1", "a/b"}));
  EXPECT_TRUE(target->query.empty());
}

TEST(UrlTest, ParsesQuery) {
  auto target = ParseTarget("/v1/x?lines=5&stream=std%6Fut&flag&q=a+b&lines=7");
  ASSERT_TRUE(target.has_value());
  EXPECT_EQ(target->segments, (std::vector<std::string>{"v1", "x"}));
  EXPECT_EQ(target->query.at("lines"), "7");
  EXPECT_EQ(target->query.at("stream"), "stdout");
  EXPECT_EQ(target->query.at("flag"), "");
  EXPECT_EQ(target->query.at("q"), "a b");
}

TEST(UrlTest, RejectsMalformedTargets) {
  EXPECT_FALSE(ParseTarget("v1/info").has_value());
  EXPECT_FALSE(ParseTarget("").has_value());
  EXPECT_FALSE(ParseTarget("/v1/%4").has_value());
  EXPECT_FALSE(ParseTarget("/v1/%zz").has_value());
  EXPECT_FALSE(ParseTarget("/v1/a%00b").has_value());
  EXPECT_FALSE(ParseTarget("/v1/x?lines=%").has_value());
  EXPECT_EQ(ParseTarget("/").value().segments.size(), 0u);
}

}  // namespace
}  // namespace vigil::api
