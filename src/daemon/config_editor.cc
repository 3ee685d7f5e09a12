// SPDX-License-Identifier: MIT
// The config editor: the file read, the section found, the edit checked by the config
// module; the backup, the atomic write and the posted reload here.
#include "daemon/config_editor.h"

#include "base/file_util.h"
#include "config/hide_secrets.h"
#include "config/load.h"
#include "config/program_edit.h"
#include "config/program_section.h"
#include "config/revision.h"
#include "daemon/config_backups.h"

namespace vigil::daemon {
namespace {

std::vector<api::ConfigProblem> ToApi(const std::vector<config::EditProblem>& problems) {
  std::vector<api::ConfigProblem> out;
  for (const config::EditProblem& p : problems) out.push_back({p.line, p.outside, p.key, p.message});
  return out;
}

// The section of `program` in `file`'s `text`, its errors naming the file.
base::Result<config::ProgramSection> Find(const std::filesystem::path& file, std::string_view text,
                                          const std::string& program) {
  auto at = config::FindProgramSection(text, program);
  if (!at) return base::Status::Conflict(file.string() + ": " + at.error().message());
  return at;
}

}  // namespace

base::Result<ConfigEditor::File> ConfigEditor::Read() const {
  auto text = base::ReadRegularFile(ports_.config_file, config::kMaxConfigBytes, "a config");
  if (!text) return text.error();
  auto revision = config::Revision(*text);
  if (!revision) return revision.error();
  return File{std::move(*text), std::move(*revision)};
}

base::Result<api::ProgramConfigView> ConfigEditor::ProgramConfig(const std::string& program, bool hide_secrets) {
  auto file = Read();
  if (!file) return file.error();
  auto at = Find(ports_.config_file, file->text, program);
  if (!at) return at.error();
  std::string toml = file->text.substr(at->begin, at->end - at->begin);
  if (hide_secrets) {
    const std::string where =
        "[program." + program + "] (line " + std::to_string(at->line) + " of " + ports_.config_file.string() + ")";
    auto hidden = config::HideSecrets(toml, where);
    if (!hidden) {
      return base::Status::Conflict("cannot show " + where + " with its secrets hidden: " + hidden.error().message());
    }
    toml = std::move(*hidden);
  }
  return api::ProgramConfigView{program, ports_.config_file, at->line, std::move(file->revision), std::move(toml)};
}

base::Result<std::vector<api::ConfigProblem>> ConfigEditor::CheckProgramConfig(const std::string& program,
                                                                               std::string_view toml) {
  auto file = Read();
  if (!file) return file.error();
  auto at = Find(ports_.config_file, file->text, program);
  if (!at) return at.error();
  return ToApi(config::EditProgramSection(file->text, *at, program, toml, ports_.config_file).problems);
}

void ConfigEditor::SaveProgramConfig(const std::string& program, std::string_view toml, const std::string& revision,
                                     api::ConfigSaveDoneFn done) {
  auto file = Read();
  if (!file) return done(file.error());
  api::ConfigSaveOutcome outcome;
  outcome.revision = file->revision;
  if (file->revision != revision) {
    outcome.stale = true;
    return done(std::move(outcome));
  }
  auto at = Find(ports_.config_file, file->text, program);
  if (!at) return done(at.error());
  config::ProgramEdit edit = config::EditProgramSection(file->text, *at, program, toml, ports_.config_file);
  if (!edit.problems.empty()) {
    outcome.problems = ToApi(edit.problems);
    return done(std::move(outcome));
  }
  // The same bytes again: no backup or write to make, but the reload a save promises.
  if (edit.text != file->text) {
    auto backup = KeepConfigBackup(ports_.backup_dir, ports_.config_file, file->text, ports_.clock.Now());
    if (!backup) {
      return done(base::Status::IoError("cannot keep a backup, so nothing was saved: " + backup.error().message()));
    }
    if (auto s = base::ReplaceFileAtomically(ports_.config_file, edit.text); !s.ok()) {
      return done(base::Status::IoError(s.message() + "; the config file is unchanged"));
    }
    outcome.backup = std::move(*backup);
    auto saved = config::Revision(edit.text);
    if (!saved) return done(saved.error());  // cannot happen: Read() made one with the same library
    outcome.revision = std::move(*saved);
    ports_.note("[program." + program + "] saved through the API (the file before it: " + outcome.backup.string() +
                "); reloading");
  }
  // A reload stops, starts and removes programs and ends log follows; run from inside this
  // request it would call back into the connection and router that are handling it.
  ports_.post(
      [this, alive = std::weak_ptr<char>(alive_), outcome = std::move(outcome), done = std::move(done)]() mutable {
        if (alive.expired()) return;
        outcome.reload = ports_.reload();
        done(std::move(outcome));
      });
}

}  // namespace vigil::daemon
