// SPDX-License-Identifier: MIT
// api::ConfigController: what the API may ask of the config file, one program's section at
// a time (the dashboard's config editor, docs/api.md): read it, check an edit, save one.
// The daemon implements it on the file it was started with. Program names here are table
// names ("web"), never instances: the router maps "web:1" to "web".
// Thread rule: every method is called on the loop thread; callbacks run on it too.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/daemon_controller.h"
#include "base/status.h"

namespace vigil::api {

// A program's section of the config file, as written there.
struct ProgramConfigView {
  std::string program;
  std::filesystem::path file;
  int line = 0;          // 1-based, where `toml` starts in `file`
  std::string revision;  // of the whole file (SHA-256 hex)
  std::string toml;
};

// One problem of an edit.
struct ConfigProblem {
  // 1-based: a line of the submitted text; with `outside`, a line of the config file as it
  // is (the problem is in another part of it). 0 when it has no line.
  int line = 0;
  bool outside = false;
  std::string key;  // "program.web.command"; "" when none
  std::string message;
};

// What a save did.
struct ConfigSaveOutcome {
  // The file's revision: after the save, or, when `stale`, the one it has now.
  std::string revision;
  // The file changed since the editor read it (its revision is another): nothing written.
  bool stale = false;
  // The edit is invalid: nothing written.
  std::vector<ConfigProblem> problems;
  // Where the file as it was before the save was kept.
  std::filesystem::path backup;
  // The reload that followed the save (as POST /v1/reload); unset when nothing was saved.
  std::optional<base::Result<ReloadSummary>> reload;
};
using ConfigSaveDoneFn = std::function<void(base::Result<ConfigSaveOutcome>)>;

class ConfigController {
 public:
  virtual ~ConfigController() = default;

  // Program `program`'s section, with its secrets hidden when `hide_secrets`
  // (config/hide_secrets.h). IoError when the file cannot be read; Conflict when the
  // section cannot be edited as one [program.NAME] block (config/program_section.h says
  // when), or cannot be shown without its secrets; Unavailable when no revision can be
  // made.
  virtual base::Result<ProgramConfigView> ProgramConfig(const std::string& program, bool hide_secrets) = 0;

  // The problems of `toml` as the new section of `program`; empty when it is valid. Errors
  // as ProgramConfig's.
  virtual base::Result<std::vector<ConfigProblem>> CheckProgramConfig(const std::string& program,
                                                                      std::string_view toml) = 0;

  // Saves `toml` as the new section of `program` if the file's revision is still
  // `revision` and the new file is valid: the old file is kept as a backup first, the new
  // one written atomically, then the config is reloaded. `done` is called once: at once
  // when nothing was saved (stale, invalid, or an error: IoError when the backup or the
  // file could not be written, the file being as it was), or with the reload's outcome,
  // on a later turn of the loop than this call's (a reload changes the programs, tasks and
  // followers that the request's own caller may be in the middle of using).
  virtual void SaveProgramConfig(const std::string& program, std::string_view toml, const std::string& revision,
                                 ConfigSaveDoneFn done) = 0;
};

}  // namespace vigil::api
