// SPDX-License-Identifier: MIT
// ConfigEditor on a real file in a temporary directory: what it shows, checks and saves,
// the backups it keeps, the reload it posts, and a write that fails.
#include "daemon/config_editor.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <csignal>
#include <fstream>
#include <memory>
#include <optional>

#include "base/file_util.h"
#include "config/revision.h"
#include "daemon/config_backups.h"
#include "fakes/fake_clock.h"
#include "util/temp_dir.h"

namespace vigil::daemon {
namespace {

const std::string kConfig =
    "[vigil]\n"
    "log_keep = 3\n"
    "\n"
    "# The web server.\n"
    "[program.web]\n"
    "command = \"/bin/web\"\n"
    "environment = { TOKEN = \"s3cret\" }\n"
    "\n"
    "[program.db]\n"
    "command = \"/bin/db\"\n";

const std::string kWebSection =
    "# The web server.\n"
    "[program.web]\n"
    "command = \"/bin/web\"\n"
    "environment = { TOKEN = \"s3cret\" }\n";

const std::string kNewWeb = "[program.web]\ncommand = \"/bin/web2\"\n";

class ConfigEditorTest : public ::testing::Test {
 protected:
  ConfigEditorTest() {
    std::ofstream(file_, std::ios::binary) << kConfig;
    ::chmod(file_.c_str(), 0640);
    MakeEditor();
  }

  void MakeEditor() {
    editor_ = std::make_unique<ConfigEditor>(ConfigEditor::Ports{
        file_, backups_, clock_, [this](std::function<void()> fn) { posted_.push_back(std::move(fn)); },
        [this]() -> base::Result<api::ReloadSummary> {
          ++reloads_;
          return reload_;
        },
        [this](const std::string& line) { notes_.push_back(line); }});
  }

  std::string Revision() { return *config::Revision(*base::ReadFile(file_)); }
  std::string FileText() { return *base::ReadFile(file_); }

  // Saves and returns the outcome, running what the save posted.
  base::Result<api::ConfigSaveOutcome> Save(const std::string& toml, const std::string& revision,
                                            bool* answered_at_once = nullptr) {
    std::optional<base::Result<api::ConfigSaveOutcome>> out;
    editor_->SaveProgramConfig("web", toml, revision, [&](base::Result<api::ConfigSaveOutcome> o) { out = o; });
    if (answered_at_once != nullptr) *answered_at_once = out.has_value();
    RunPosted();
    EXPECT_TRUE(out) << "answered";
    return out ? *out : base::Result<api::ConfigSaveOutcome>(base::Status::Internal("no answer"));
  }
  void RunPosted() {
    auto posted = std::move(posted_);
    posted_.clear();
    for (auto& fn : posted) fn();
  }
  std::vector<std::string> Backups() {
    std::vector<std::string> names;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(backups_, ec)) names.push_back(e.path().filename());
    std::sort(names.begin(), names.end());
    return names;
  }

  vigil::testing::TempDir temp_;
  const std::filesystem::path file_ = temp_.path() / "vigil.toml";
  const std::filesystem::path backups_ = temp_.path() / "state" / "config-backups";
  event::FakeClock clock_{base::WallTime(std::chrono::milliseconds(1'795'000'000'123))};
  std::vector<std::function<void()>> posted_;
  int reloads_ = 0;
  base::Result<api::ReloadSummary> reload_ = api::ReloadSummary{{{}, {}, {"web"}, {"db"}}, {}};
  std::vector<std::string> notes_;
  std::unique_ptr<ConfigEditor> editor_;
};

TEST_F(ConfigEditorTest, ShowsTheSectionAsWrittenWithItsLineAndTheFilesRevision) {
  auto view = editor_->ProgramConfig("web", /*hide_secrets=*/false);
  ASSERT_TRUE(view) << view.error().message();
  EXPECT_EQ(view->program, "web");
  EXPECT_EQ(view->file, file_);
  EXPECT_EQ(view->line, 4);
  EXPECT_EQ(view->toml, kWebSection);
  EXPECT_EQ(view->revision, Revision());
  EXPECT_EQ(view->revision.size(), 64u);
}

TEST_F(ConfigEditorTest, HidesSecretsWhenAsked) {
  auto view = editor_->ProgramConfig("web", /*hide_secrets=*/true);
  ASSERT_TRUE(view) << view.error().message();
  EXPECT_EQ(view->toml.find("s3cret"), std::string::npos) << view->toml;
  EXPECT_NE(view->toml.find("environment = { TOKEN = \"(hidden)\" }"), std::string::npos) << view->toml;
}

TEST_F(ConfigEditorTest, ASectionThatIsNotTomlIsNotShownToAViewer) {
  std::ofstream(file_, std::ios::binary) << "[program.web]\npassword = \"s3cret\n";
  auto hidden = editor_->ProgramConfig("web", /*hide_secrets=*/true);
  ASSERT_FALSE(hidden);
  EXPECT_EQ(hidden.error().code(), base::StatusCode::kConflict);
  EXPECT_EQ(hidden.error().message().rfind(
                "cannot show [program.web] (line 1 of " + file_.string() + ") with its secrets hidden: ", 0),
            0u)
      << hidden.error().message();
  EXPECT_EQ(hidden.error().message().find("s3cret"), std::string::npos);
  EXPECT_TRUE(editor_->ProgramConfig("web", /*hide_secrets=*/false)) << "an admin sees it, to mend it";
}

TEST_F(ConfigEditorTest, AProgramNotWrittenAsATableCannotBeEdited) {
  std::ofstream(file_, std::ios::binary) << "[program]\nweb.command = \"x\"\n";
  auto view = editor_->ProgramConfig("web", false);
  ASSERT_FALSE(view);
  EXPECT_EQ(view.error().code(), base::StatusCode::kConflict);
  EXPECT_EQ(view.error().message().rfind(file_.string() + ": there is no [program.web] table header", 0), 0u)
      << view.error().message();
}

TEST_F(ConfigEditorTest, ChecksAnEditWithoutTouchingTheFile) {
  auto problems = editor_->CheckProgramConfig("web", "[program.web]\ncommand = \"x\"\nstop_signal = \"NOPE\"\n");
  ASSERT_TRUE(problems) << problems.error().message();
  ASSERT_EQ(problems->size(), 1u);
  EXPECT_EQ((*problems)[0].line, 3);
  EXPECT_EQ((*problems)[0].key, "program.web.stop_signal");
  EXPECT_FALSE((*problems)[0].outside);
  EXPECT_TRUE(editor_->CheckProgramConfig("web", kNewWeb)->empty());
  EXPECT_EQ(FileText(), kConfig);
}

TEST_F(ConfigEditorTest, SavesKeepingABackupThenReloadsOnALaterTurn) {
  const std::string before = Revision();
  std::optional<base::Result<api::ConfigSaveOutcome>> out;
  editor_->SaveProgramConfig("web", kNewWeb, before, [&](base::Result<api::ConfigSaveOutcome> o) { out = o; });
  EXPECT_FALSE(out) << "the reload, and so the answer, comes later";
  EXPECT_EQ(reloads_, 0);
  EXPECT_EQ(FileText(), "[vigil]\nlog_keep = 3\n\n" + kNewWeb + "\n[program.db]\ncommand = \"/bin/db\"\n");
  struct stat st {};
  ASSERT_EQ(::stat(file_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0640u) << "the file keeps its mode";

  RunPosted();
  ASSERT_TRUE(out && *out) << (out ? out->error().message() : "no answer");
  const api::ConfigSaveOutcome& saved = **out;
  EXPECT_FALSE(saved.stale);
  EXPECT_TRUE(saved.problems.empty());
  EXPECT_EQ(saved.revision, Revision());
  EXPECT_NE(saved.revision, before);
  EXPECT_EQ(reloads_, 1);
  ASSERT_TRUE(saved.reload && *saved.reload);
  EXPECT_EQ((*saved.reload)->changed, std::vector<std::string>{"web"});

  EXPECT_EQ(Backups(), std::vector<std::string>{"vigil.toml.20261118T110640.123Z"});
  EXPECT_EQ(saved.backup, backups_ / "vigil.toml.20261118T110640.123Z");
  EXPECT_EQ(*base::ReadFile(saved.backup), kConfig);
  ASSERT_EQ(::stat(saved.backup.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u) << "a config may hold secrets";
  ASSERT_EQ(notes_.size(), 1u);
  EXPECT_NE(notes_[0].find(saved.backup.string()), std::string::npos) << notes_[0];
}

TEST_F(ConfigEditorTest, AStaleRevisionIsRefusedAtOnce) {
  bool at_once = false;
  auto out = Save(kNewWeb, "0123", &at_once);
  EXPECT_TRUE(at_once);
  ASSERT_TRUE(out);
  EXPECT_TRUE(out->stale);
  EXPECT_EQ(out->revision, Revision());
  EXPECT_FALSE(out->reload);
  EXPECT_EQ(FileText(), kConfig);
  EXPECT_TRUE(Backups().empty());
  EXPECT_EQ(reloads_, 0);
}

TEST_F(ConfigEditorTest, AnInvalidEditIsNotSaved) {
  auto out = Save("[program.web]\ncommand = []\n", Revision());
  ASSERT_TRUE(out);
  ASSERT_EQ(out->problems.size(), 1u);
  EXPECT_EQ(out->problems[0].line, 2);
  EXPECT_FALSE(out->reload);
  EXPECT_EQ(FileText(), kConfig);
  EXPECT_TRUE(Backups().empty());
  EXPECT_EQ(reloads_, 0);
}

TEST_F(ConfigEditorTest, TheSameTextIsNotWrittenAgainButReloads) {
  auto out = Save(kWebSection, Revision());
  ASSERT_TRUE(out);
  EXPECT_EQ(out->revision, Revision());
  EXPECT_EQ(out->backup, std::filesystem::path());
  EXPECT_TRUE(Backups().empty());
  EXPECT_EQ(reloads_, 1);
}

TEST_F(ConfigEditorTest, KeepsTheNewestBackups) {
  for (size_t i = 0; i < kKeptConfigBackups + 3; ++i) {
    const std::string toml = "[program.web]\ncommand = \"/bin/web" + std::to_string(i) + "\"\n";
    ASSERT_TRUE(Save(toml, Revision()));
    clock_.Advance(std::chrono::seconds(1));
  }
  const std::vector<std::string> names = Backups();
  ASSERT_EQ(names.size(), kKeptConfigBackups);
  EXPECT_EQ(names.front(), "vigil.toml.20261118T110643.123Z");
  EXPECT_EQ(names.back(), "vigil.toml.20261118T110652.123Z");
  EXPECT_NE(base::ReadFile(backups_ / names.back())->find("/bin/web11"), std::string::npos);
}

TEST_F(ConfigEditorTest, SavesInTheSameMillisecondKeepEveryBackup) {
  ASSERT_TRUE(Save("[program.web]\ncommand = \"/a\"\n", Revision()));
  ASSERT_TRUE(Save("[program.web]\ncommand = \"/b\"\n", Revision()));
  EXPECT_EQ(Backups(),
            (std::vector<std::string>{"vigil.toml.20261118T110640.123Z", "vigil.toml.20261118T110640.123Z-2"}));
}

TEST_F(ConfigEditorTest, AFailedWriteLeavesTheFileAsItWasAndDoesNotReload) {
  // The old file fits under the size limit (its backup is written), the new one does not,
  // as on a disk that fills up.
  const std::string bigger = kNewWeb + "# " + std::string(4096, 'x') + "\n";
  struct rlimit old_limit {};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &old_limit), 0);
  auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
  struct rlimit small = old_limit;
  small.rlim_cur = 1024;
  const std::string revision = Revision();
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &small), 0);
  bool at_once = false;
  auto out = Save(bigger, revision, &at_once);
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &old_limit), 0);
  std::signal(SIGXFSZ, old_handler);

  EXPECT_TRUE(at_once);
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().code(), base::StatusCode::kIoError);
  EXPECT_EQ(out.error().message(), "cannot write " + file_.string() + ": File too large; the config file is unchanged");
  EXPECT_EQ(FileText(), kConfig);
  EXPECT_EQ(reloads_, 0);
}

TEST_F(ConfigEditorTest, NoBackupNoSave) {
  std::filesystem::create_directories(backups_.parent_path());
  std::ofstream(backups_) << "a file where the directory should be";
  auto out = Save(kNewWeb, Revision());
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().code(), base::StatusCode::kIoError);
  EXPECT_EQ(out.error().message().rfind("cannot keep a backup, so nothing was saved: ", 0), 0u)
      << out.error().message();
  EXPECT_EQ(FileText(), kConfig);
  EXPECT_EQ(reloads_, 0);
}

TEST_F(ConfigEditorTest, AReloadPostedBeforeTheEditorWentDoesNothing) {
  bool answered = false;
  editor_->SaveProgramConfig("web", kNewWeb, Revision(),
                             [&](base::Result<api::ConfigSaveOutcome>) { answered = true; });
  editor_.reset();
  RunPosted();
  EXPECT_FALSE(answered);
  EXPECT_EQ(reloads_, 0);
}

}  // namespace
}  // namespace vigil::daemon
