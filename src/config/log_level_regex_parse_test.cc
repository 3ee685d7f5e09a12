// SPDX-License-Identifier: MIT
// A program's log_level_regex (docs/config.md): read as written, refused with its line
// when it is not a regex.
#include <gtest/gtest.h>

#include "config/config_test_util.h"
#include "config/load.h"

namespace vigil::config {
namespace {

constexpr const char* kFile = "/etc/vigil/vigil.toml";

TEST(LogLevelRegexParseTest, DefaultsToEmptyAndReadsThePattern) {
  auto plain = ParseConfig(Lines({"[program.web]", "command = [\"/bin/web\"]"}), kFile, NonRoot());
  ASSERT_TRUE(plain.has_value()) << plain.error().message();
  EXPECT_EQ(plain->programs.at(0).log_level_regex, "");
  auto set = ParseConfig(Lines({"[program.web]", "command = [\"/bin/web\"]", R"(log_level_regex = '^\S+ \[(\w+)\]')"}),
                         kFile, NonRoot());
  ASSERT_TRUE(set.has_value()) << set.error().message();
  EXPECT_EQ(set->programs.at(0).log_level_regex, R"(^\S+ \[(\w+)\])");
}

TEST(LogLevelRegexParseTest, BadRegexNamesLineAndKey) {
  const std::string error =
      ParseError(Lines({"[program.web]", "command = [\"/bin/web\"]", "log_level_regex = \"(unclosed\""}), kFile);
  EXPECT_NE(error.find(":3: program.web.log_level_regex: bad regex"), std::string::npos) << error;
  EXPECT_NE(ParseError(Lines({"[program.web]", "command = [\"/bin/web\"]", "log_level_regex = 5"}), kFile)
                .find(":3: program.web.log_level_regex: expected"),
            std::string::npos);
}

}  // namespace
}  // namespace vigil::config
