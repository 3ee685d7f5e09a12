// SPDX-License-Identifier: MIT
// Tests for POSIX-style command splitting and its inverse.
#include "base/command_line.h"

#include <gtest/gtest.h>

namespace vigil::base {
namespace {

using Words = std::vector<std::string>;

TEST(SplitCommandTest, SplitsLikeTheShellWithoutExpanding) {
  const struct {
    const char* text;
    Words want;
  } cases[] = {
      {"server", {"server"}},
      {"  /usr/bin/server   --port 8080 ", {"/usr/bin/server", "--port", "8080"}},
      {"a\tb\nc", {"a", "b", "c"}},
      {"echo 'hello world'", {"echo", "hello world"}},
      {"echo 'a \"b\" \\n $HOME'", {"echo", "a \"b\" \\n $HOME"}},
      {"echo \"a 'b' c\"", {"echo", "a 'b' c"}},
      {R"(echo "q\" bs\\ d\$ bt\` other\n")", {"echo", R"(q" bs\ d$ bt` other\n)"}},
      {R"(echo a\ b \"c\" \'d \\)", {"echo", "a b", "\"c\"", "'d", "\\"}},
      {"echo ab'cd'\"ef\"gh", {"echo", "abcdefgh"}},
      {"echo '' \"\" x", {"echo", "", "", "x"}},
      {"echo $HOME ~ *.txt ${X} `id` | > ; &&",
       {"echo", "$HOME", "~", "*.txt", "${X}", "`id`", "|", ">", ";", "&&"}},
      {"echo a\\\nb", {"echo", "ab"}},
      {"echo \"a\\\nb\"", {"echo", "ab"}},
      {"# not a comment", {"#", "not", "a", "comment"}},
      {"env PORT={instance}", {"env", "PORT={instance}"}},
  };
  for (const auto& c : cases) {
    auto words = SplitCommand(c.text);
    ASSERT_TRUE(words.has_value()) << c.text << ": " << words.error().message();
    EXPECT_EQ(*words, c.want) << c.text;
  }
}

TEST(SplitCommandTest, RejectsUnterminatedQuotes) {
  EXPECT_EQ(SplitCommand("echo 'abc").error().message(),
            "unterminated single quote in command (opened at character 6)");
  EXPECT_EQ(SplitCommand("echo \"abc").error().message(),
            "unterminated double quote in command (opened at character 6)");
  EXPECT_FALSE(SplitCommand(R"(echo "abc\")").has_value());
}

TEST(SplitCommandTest, RejectsTrailingBackslash) {
  EXPECT_EQ(SplitCommand("echo \\").error().message(),
            "trailing backslash in command: nothing left to escape");
}

TEST(SplitCommandTest, RejectsEmptyCommand) {
  for (const char* text : {"", "   ", "\t\n", "\\\n"}) {
    auto words = SplitCommand(text);
    ASSERT_FALSE(words.has_value()) << text;
    EXPECT_EQ(words.error().message(), "empty command");
    EXPECT_EQ(words.error().code(), StatusCode::kInvalidArgument);
  }
}

TEST(JoinCommandTest, QuotesOnlyWhatNeedsIt) {
  EXPECT_EQ(JoinCommand({"/usr/bin/server", "--port=8080", "a,b:c@d%e+f"}),
            "/usr/bin/server --port=8080 a,b:c@d%e+f");
  EXPECT_EQ(JoinCommand({"echo", "hello world", ""}), "echo 'hello world' ''");
  EXPECT_EQ(JoinCommand({"echo", "it's"}), R"(echo 'it'\''s')");
  EXPECT_EQ(JoinCommand({}), "");
}

TEST(JoinCommandTest, RoundTripsThroughSplitCommand) {
  const Words cases[] = {
      {"a"},
      {"echo", "hello world", "", "it's", "\"quoted\"", "back\\slash", "$HOME", "`x`", "*", "~",
       "tab\there"},
      {"new\nline", "'", "''", "\\", "!", "#", "a b 'c' \"d\""},
  };
  for (const Words& words : cases) {
    const std::string joined = JoinCommand(words);
    auto split = SplitCommand(joined);
    ASSERT_TRUE(split.has_value()) << joined;
    EXPECT_EQ(*split, words) << joined;
  }
}

}  // namespace
}  // namespace vigil::base
