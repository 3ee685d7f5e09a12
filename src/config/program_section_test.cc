// SPDX-License-Identifier: MIT
// FindProgramSection and SpliceSection: which lines a program's section is, and the file
// with them replaced.
#include "config/program_section.h"

#include <gtest/gtest.h>

#include "config/config_test_util.h"

namespace vigil::config {
namespace {

std::string SectionOf(std::string_view text, std::string_view name) {
  auto at = FindProgramSection(text, name);
  if (!at) return "<" + at.error().message() + ">";
  EXPECT_EQ(CountLines(text.substr(at->begin, at->end - at->begin)), at->lines);
  return std::string(text.substr(at->begin, at->end - at->begin));
}

const std::string kFile = Lines({
    "[vigil]",                    // 1
    "log_dir = \"/tmp\"",         // 2
    "",                           // 3
    "# The web server.",          // 4
    "[program.web]",              // 5
    "command = \"web\"  # port",  // 6
    "",                           // 7
    "[program.web.environment]",  // 8
    "PORT = \"80\"",              // 9
    "# more later",               // 10
    "",                           // 11
    "",                           // 12
    "# The database.",            // 13
    "[program.db]",               // 14
    "command = \"db\"",           // 15
    "",                           // 16
    "[task.clean]",               // 17
    "command = \"rm\"",           // 18
    "# the end",                  // 19
});

TEST(ProgramSectionTest, TakesTheHeaderItsCommentsAndItsSubTables) {
  auto at = FindProgramSection(kFile, "web");
  ASSERT_TRUE(at) << at.error().message();
  EXPECT_EQ(at->line, 4);
  EXPECT_EQ(at->lines, 7);
  EXPECT_EQ(SectionOf(kFile, "web"), Lines({"# The web server.", "[program.web]", "command = \"web\"  # port", "",
                                            "[program.web.environment]", "PORT = \"80\"", "# more later"}));
}

TEST(ProgramSectionTest, CommentsDirectlyAboveTheNextHeaderAreTheNextTables) {
  EXPECT_EQ(SectionOf(kFile, "db"), Lines({"# The database.", "[program.db]", "command = \"db\""}));
  const std::string text = Lines({"[program.a]", "x = 1", "# about b", "[program.b]", "y = 2"});
  EXPECT_EQ(SectionOf(text, "a"), Lines({"[program.a]", "x = 1"}));
  EXPECT_EQ(SectionOf(text, "b"), Lines({"# about b", "[program.b]", "y = 2"}));
}

TEST(ProgramSectionTest, TheLastSectionRunsToTheEndAndKeepsItsTrailingComments) {
  const std::string text = Lines({"[task.x]", "command = \"x\"", "[program.last]", "command = \"l\"", "# bye", "", ""});
  EXPECT_EQ(SectionOf(text, "last"), Lines({"[program.last]", "command = \"l\"", "# bye"}));
  const std::string no_break = "[program.last]\ncommand = \"l\"";
  EXPECT_EQ(SectionOf(no_break, "last"), no_break);
}

TEST(ProgramSectionTest, SubTablesOfOtherProgramsAndLookAlikesEndTheSection) {
  const std::string text = Lines({"[program.web]", "a = 1", "[program.web-2]", "b = 2", "[program.\"web\".env]"});
  EXPECT_EQ(SectionOf(text, "web"),
            "<[program.web.env] (line 5) stands apart from [program.web] (line 1); move it next to it to edit the "
            "program here>");
  const std::string ok = Lines({"[program.web]", "a = 1", "[[program.web.x]]", "c = 3", "[program.web-2]", "b = 2"});
  EXPECT_EQ(SectionOf(ok, "web"), Lines({"[program.web]", "a = 1", "[[program.web.x]]", "c = 3"}));
}

TEST(ProgramSectionTest, HeadersInsideStringsAndArraysDoNotEndTheSection) {
  const std::string text =
      Lines({"[program.web]", "command = [", "  \"x\",", "]", "note = '''", "[program.db]", "'''", "[program.db]"});
  EXPECT_EQ(SectionOf(text, "web"),
            Lines({"[program.web]", "command = [", "  \"x\",", "]", "note = '''", "[program.db]", "'''"}));
}

TEST(ProgramSectionTest, ProgramsNotWrittenAsOneTableAreRefused) {
  const std::string dotted = Lines({"[program]", "web.command = \"x\""});
  EXPECT_NE(SectionOf(dotted, "web").find("there is no [program.web] table header"), std::string::npos);
  const std::string inline_table = Lines({"program.web = { command = \"x\" }"});
  EXPECT_NE(SectionOf(inline_table, "web").find("there is no [program.web] table header"), std::string::npos);
  const std::string twice = Lines({"[program.web]", "[program.web]"});
  EXPECT_EQ(SectionOf(twice, "web"), "<[program.web] is written twice (lines 1 and 2)>");
  EXPECT_EQ(FindProgramSection(twice, "web").error().code(), base::StatusCode::kConflict);
}

TEST(ProgramSectionTest, FindsQuotedNames) {
  const std::string text = Lines({"[program.'my.app']", "command = \"x\""});
  EXPECT_EQ(SectionOf(text, "my.app"), text);
}

TEST(ProgramSectionTest, KeepsCrlfLineBreaks) {
  const std::string text = "[vigil]\r\n\r\n[program.web]\r\ncommand = \"x\"\r\n\r\n[program.db]\r\n";
  EXPECT_EQ(SectionOf(text, "web"), "[program.web]\r\ncommand = \"x\"\r\n");
}

TEST(SpliceSectionTest, ReplacesOnlyTheSection) {
  auto at = FindProgramSection(kFile, "db");
  ASSERT_TRUE(at);
  const std::string out = SpliceSection(kFile, *at, "[program.db]\ncommand = \"pg\"\n");
  EXPECT_EQ(out, kFile.substr(0, at->begin) + "[program.db]\ncommand = \"pg\"\n" + kFile.substr(at->end));
  EXPECT_NE(out.find("# The web server."), std::string::npos);
  EXPECT_NE(out.find("[task.clean]"), std::string::npos);
}

TEST(SpliceSectionTest, EndsTheSectionWithALineBreakWhenTextFollows) {
  const std::string text = Lines({"[program.a]", "x = 1", "[program.b]"});
  auto at = FindProgramSection(text, "a");
  ASSERT_TRUE(at);
  EXPECT_EQ(SpliceSection(text, *at, "[program.a]\nx = 2"), Lines({"[program.a]", "x = 2", "[program.b]"}));
  auto last = FindProgramSection(text, "b");
  ASSERT_TRUE(last);
  EXPECT_EQ(SpliceSection(text, *last, "[program.b]"), Lines({"[program.a]", "x = 1"}) + "[program.b]");
}

TEST(SpliceSectionTest, GivesTheSectionTheFilesLineBreaks) {
  const std::string crlf = "[program.a]\r\nx = 1\r\n\r\n[program.b]\r\n";
  auto at = FindProgramSection(crlf, "a");
  ASSERT_TRUE(at);
  EXPECT_EQ(SpliceSection(crlf, *at, "[program.a]\nx = 2\r\ny = 3\n"),
            "[program.a]\r\nx = 2\r\ny = 3\r\n\r\n[program.b]\r\n");
  const std::string lf = "[program.a]\nx = 1\n";
  auto a = FindProgramSection(lf, "a");
  ASSERT_TRUE(a);
  EXPECT_EQ(SpliceSection(lf, *a, "[program.a]\r\nx = 2\r\n"), "[program.a]\nx = 2\n");
}

}  // namespace
}  // namespace vigil::config
