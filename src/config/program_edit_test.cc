// SPDX-License-Identifier: MIT
// EditProgramSection: an edited section checked by the loader, each problem at the line the
// user sees; and SplitConfigError, which reads the loader's one line back.
#include "config/program_edit.h"

#include <gtest/gtest.h>

#include "config/config_error.h"
#include "config/config_test_util.h"

namespace vigil::config {
namespace {

constexpr const char* kFileName = "/etc/vigil/vigil.toml";

const std::string kFile = Lines({
    "[vigil]",                          // 1
    "state_dir = \"/tmp/vigil-edit\"",  // 2
    "",                                 // 3
    "[program.web]",                    // 4
    "command = \"/bin/web\"",           // 5
    "",                                 // 6
    "[program.db]",                     // 7
    "command = \"/bin/db\"",            // 8
    "depends_on = [\"web\"]",           // 9
});

ProgramEdit Edit(std::string_view name, std::string_view section, const std::string& file = kFile) {
  auto at = FindProgramSection(file, name);
  EXPECT_TRUE(at) << at.error().message();
  return EditProgramSection(file, *at, name, section, kFileName);
}

std::string Describe(const ProgramEdit& edit) {
  std::string out;
  for (const EditProblem& p : edit.problems) {
    out += (out.empty() ? "" : " | ") + std::to_string(p.line) + (p.outside ? " (file)" : "") + " [" + p.key + "] " +
           p.message;
  }
  return out;
}

TEST(ProgramEditTest, AValidEditGivesTheWholeNewFile) {
  const ProgramEdit edit = Edit("web", Lines({"[program.web]", "command = \"/bin/web2\"", "autostart = false"}));
  EXPECT_TRUE(edit.problems.empty()) << Describe(edit);
  EXPECT_EQ(edit.text,
            Lines({"[vigil]", "state_dir = \"/tmp/vigil-edit\"", "", "[program.web]", "command = \"/bin/web2\"",
                   "autostart = false", "", "[program.db]", "command = \"/bin/db\"", "depends_on = [\"web\"]"}));
}

TEST(ProgramEditTest, ALoaderErrorIsAtItsLineOfTheSubmittedText) {
  const ProgramEdit edit = Edit(
      "web", Lines({"# the web server", "[program.web]", "command = \"/bin/web\"", "autorestart = \"sometimes\""}));
  ASSERT_EQ(edit.problems.size(), 1u) << Describe(edit);
  EXPECT_EQ(edit.problems[0].line, 4);
  EXPECT_FALSE(edit.problems[0].outside);
  EXPECT_EQ(edit.problems[0].key, "program.web.autorestart");
  EXPECT_NE(edit.problems[0].message.find("\"always\", \"on-failure\" or \"never\""), std::string::npos)
      << edit.problems[0].message;
}

TEST(ProgramEditTest, ASyntaxErrorIsFoundInTheSectionAlone) {
  // Unclosed, the string would run on through the rest of the file.
  const ProgramEdit edit = Edit("web", Lines({"[program.web]", "command = \"/bin/web\"", "note = \"\"\"open"}));
  ASSERT_EQ(edit.problems.size(), 1u) << Describe(edit);
  EXPECT_FALSE(edit.problems[0].outside);
  EXPECT_EQ(edit.problems[0].key, "");
  EXPECT_NE(edit.problems[0].message.find("syntax error"), std::string::npos) << edit.problems[0].message;
  EXPECT_GE(edit.problems[0].line, 3);
}

TEST(ProgramEditTest, AProblemElsewhereInTheFileHasItsFileLine) {
  // Removing the program db depends on: the loader objects at db's depends_on, line 9 of the
  // file as it is, although the new section is one line longer.
  const ProgramEdit edit = Edit("web", Lines({"[program.webserver]", "command = \"x\""}));
  ASSERT_EQ(edit.problems.size(), 1u);
  EXPECT_EQ(edit.problems[0].line, 1) << "a rename is refused first: " << Describe(edit);

  const std::string file = Lines({"[program.web]", "command = \"/bin/web\"", "", "[program.db]",
                                  "command = \"/bin/db\"", "depends_on = [\"web:3\"]"});
  const ProgramEdit longer = Edit("web", Lines({"[program.web]", "command = \"/bin/web\"", "instances = 2", ""}), file);
  ASSERT_EQ(longer.problems.size(), 1u) << Describe(longer);
  EXPECT_TRUE(longer.problems[0].outside);
  EXPECT_EQ(longer.problems[0].line, 6);
  EXPECT_EQ(longer.problems[0].key, "program.db.depends_on[0]");
}

TEST(ProgramEditTest, ErrorsBeforeTheSectionKeepTheirLine) {
  const std::string file = Lines({"[vigil]", "log_keep = -1", "[program.web]", "command = \"x\""});
  const ProgramEdit edit = Edit("web", Lines({"[program.web]", "command = \"y\""}), file);
  ASSERT_EQ(edit.problems.size(), 1u) << Describe(edit);
  EXPECT_TRUE(edit.problems[0].outside);
  EXPECT_EQ(edit.problems[0].line, 2);
  EXPECT_EQ(edit.problems[0].key, "vigil.log_keep");
}

TEST(ProgramEditTest, TheTextMustBeThisProgramsSectionAndNothingElse) {
  EXPECT_EQ(Describe(Edit("web", Lines({"[program.webserver]", "command = \"x\""}))),
            "1 [] the text must start with the [program.web] header");
  EXPECT_EQ(Describe(Edit("web", Lines({"# c", "command = \"x\"", "[program.web]"}))),
            "2 [] keys must come after the [program.web] header");
  EXPECT_EQ(Describe(Edit("web", Lines({"# only a comment"}))),
            "1 [] the text must define [program.web]: it has no such header");
  EXPECT_EQ(Describe(Edit("web", Lines({"[program.web]", "command = \"x\"", "[program.db]", "command = \"y\"",
                                        "[task.t]", "[program.web.environment]"}))),
            "3 [] [program.db] is not part of program web: this text may define [program.web] and its sub-tables "
            "only (no rename, no other tables) | 5 [] [task.t] is not part of program web: this text may define "
            "[program.web] and its sub-tables only (no rename, no other tables)");
  EXPECT_EQ(Describe(Edit("web", Lines({"[[program.web]]"}))),
            "1 [] the text must start with the [program.web] header");
}

TEST(ProgramEditTest, CrlfFilesStayCrlf) {
  const std::string file = "[program.web]\r\ncommand = \"x\"\r\n\r\n[program.db]\r\ncommand = \"y\"\r\n";
  const ProgramEdit edit = Edit("web", "[program.web]\ncommand = \"z\"\n", file);
  EXPECT_TRUE(edit.problems.empty()) << Describe(edit);
  EXPECT_EQ(edit.text, "[program.web]\r\ncommand = \"z\"\r\n\r\n[program.db]\r\ncommand = \"y\"\r\n");
}

TEST(SplitConfigErrorTest, ReadsTheLineTheKeyAndTheReason) {
  ConfigErrorParts p =
      SplitConfigError("/x.toml:12: program.\"my app\".exit_codes[1]: must be 0..255: got 300", "/x.toml");
  EXPECT_EQ(p.line, 12);
  EXPECT_EQ(p.key, "program.\"my app\".exit_codes[1]");
  EXPECT_EQ(p.reason, "must be 0..255: got 300");

  p = SplitConfigError("/x.toml:3: syntax error: expected a value", "/x.toml");
  EXPECT_EQ(p.line, 3);
  EXPECT_EQ(p.key, "");
  EXPECT_EQ(p.reason, "syntax error: expected a value");

  p = SplitConfigError("/other.toml:3: a: b", "/x.toml");
  EXPECT_EQ(p.line, 0);
  EXPECT_EQ(p.reason, "/other.toml:3: a: b");
}

TEST(SplitConfigErrorTest, ReadsWhatErrorContextWrites) {
  const ErrorContext errors("/etc/v.toml");
  const KeyPath key = KeyPath("program").Child("a b").Child("x").Index(2);
  const ConfigErrorParts p = SplitConfigError(errors.Error(7, key, "bad: very").message(), "/etc/v.toml");
  EXPECT_EQ(p.line, 7);
  EXPECT_EQ(p.key, key.str());
  EXPECT_EQ(p.reason, "bad: very");
}

}  // namespace
}  // namespace vigil::config
