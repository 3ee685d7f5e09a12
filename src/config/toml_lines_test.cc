// SPDX-License-Identifier: MIT
// SplitTomlLines: which lines are table headers, and what only looks like one.
#include "config/toml_lines.h"

#include <gtest/gtest.h>

#include "config/config_test_util.h"

namespace vigil::config {
namespace {

using Kind = TomlLine::Kind;
using Key = std::vector<std::string>;

std::vector<Kind> Kinds(std::string_view text) {
  std::vector<Kind> out;
  for (const TomlLine& line : SplitTomlLines(text)) out.push_back(line.kind);
  return out;
}

TEST(TomlLinesTest, TellsBlankCommentHeaderAndOtherLinesApart) {
  const std::string text = Lines({"# top", "", "[program.web]", "  command = \"x\"  # why", "   \t", "[[a.b]]"});
  EXPECT_EQ(Kinds(text), (std::vector<Kind>{Kind::kComment, Kind::kBlank, Kind::kHeader, Kind::kOther, Kind::kBlank,
                                            Kind::kHeader}));
  const std::vector<TomlLine> lines = SplitTomlLines(text);
  EXPECT_EQ(lines[2].key, (Key{"program", "web"}));
  EXPECT_FALSE(lines[2].array);
  EXPECT_EQ(lines[5].key, (Key{"a", "b"}));
  EXPECT_TRUE(lines[5].array);
}

TEST(TomlLinesTest, OffsetsCoverTheTextLineBreaksIncluded) {
  const std::string text = "a = 1\r\n[x]\nb = 2";
  const std::vector<TomlLine> lines = SplitTomlLines(text);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0].begin, 0u);
  EXPECT_EQ(lines[0].end, 7u);
  EXPECT_EQ(lines[1].kind, Kind::kHeader);
  EXPECT_EQ(lines[1].key, (Key{"x"}));
  EXPECT_EQ(lines[2].begin, 11u);
  EXPECT_EQ(lines[2].end, text.size());
}

TEST(TomlLinesTest, ReadsQuotedAndSpacedKeys) {
  const std::vector<TomlLine> lines = SplitTomlLines(
      Lines({R"([ program . "my.app" . 'env' ]  # note)", R"(["a\"b\u00e9"])", "[program.web] x", "[program.]"}));
  EXPECT_EQ(lines[0].key, (Key{"program", "my.app", "env"}));
  EXPECT_EQ(lines[1].key, (Key{"a\"b\xc3\xa9"}));
  EXPECT_EQ(SplitTomlLines(R"(["a\\b\tc\U0001F600"])")[0].key, (Key{"a\\b\tc\xf0\x9f\x98\x80"}));
  EXPECT_TRUE(SplitTomlLines(R"(["bad \q"])")[0].key.empty());
  // Not valid headers: still headers, of no known table.
  EXPECT_EQ(lines[2].kind, Kind::kHeader);
  EXPECT_TRUE(lines[2].key.empty());
  EXPECT_TRUE(lines[3].key.empty());
}

TEST(TomlLinesTest, LinesInsideMultiLineStringsAndArraysAreNotHeaders) {
  const std::string text = Lines({
      "a = \"\"\"",                 // 1
      "[program.fake]",             // 2: inside the string
      "\\\"\"\" still in\"\"\"",    // 3: an escaped quote, then the closing one
      "b = '''",                    // 4
      "# not a comment",            // 5
      "'''''",                      // 6: closes with two quotes of content
      "c = [",                      // 7
      "  [1, 2],",                  // 8: a nested array, not a header
      "",                           // 9
      "  \"]\", # ] in a comment",  // 10
      "]",                          // 11
      "[real]",                     // 12
  });
  const std::vector<TomlLine> lines = SplitTomlLines(text);
  ASSERT_EQ(lines.size(), 12u);
  for (size_t i = 1; i < 11; ++i) EXPECT_EQ(lines[i].kind, Kind::kOther) << "line " << i + 1;
  EXPECT_EQ(lines[11].kind, Kind::kHeader);
  EXPECT_EQ(lines[11].key, (Key{"real"}));
}

TEST(TomlLinesTest, OneLineStringsHideBracketsAndHashes) {
  const std::string text = Lines({R"(a = "[ # \" {")", R"(b = '[ #')", "[t]"});
  EXPECT_EQ(Kinds(text), (std::vector<Kind>{Kind::kOther, Kind::kOther, Kind::kHeader}));
}

}  // namespace
}  // namespace vigil::config
