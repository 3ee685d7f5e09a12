// SPDX-License-Identifier: MIT
// daemon::ConfigEditor: vigild's api::ConfigController, on the config file it was started
// with (docs/api.md, "Config editing"). It reads the file anew for every request, so what it
// shows and checks is the file as it is, and a save that follows someone else's change is
// refused by the revision. A save keeps a backup (config_backups.h), replaces the file
// atomically, and runs the daemon's reload on a later turn of the loop.
// Thread rule: loop thread only. Owned by the daemon, which outlives it, as do the ports.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "api/config_controller.h"
#include "event/clock.h"

namespace vigil::daemon {

class ConfigEditor : public api::ConfigController {
 public:
  struct Ports {
    std::filesystem::path config_file;  // absolute, as DaemonSpec::config_path
    std::filesystem::path backup_dir;   // STATE_DIR/config-backups
    const event::Clock& clock;          // names the backups
    // Runs `fn` on a later turn of the loop (event::Loop::Post).
    std::function<void(std::function<void()>)> post;
    // What POST /v1/reload and SIGHUP do.
    std::function<base::Result<api::ReloadSummary>()> reload;
    // A line for the event log.
    std::function<void(const std::string&)> note;
  };

  explicit ConfigEditor(Ports ports) : ports_(std::move(ports)), alive_(std::make_shared<char>()) {}

  base::Result<api::ProgramConfigView> ProgramConfig(const std::string& program, bool hide_secrets) override;
  base::Result<std::vector<api::ConfigProblem>> CheckProgramConfig(const std::string& program,
                                                                   std::string_view toml) override;
  void SaveProgramConfig(const std::string& program, std::string_view toml, const std::string& revision,
                         api::ConfigSaveDoneFn done) override;

 private:
  struct File {
    std::string text;
    std::string revision;
  };
  base::Result<File> Read() const;

  Ports ports_;
  // Expires with the editor, so a posted reload that runs after it is gone does nothing.
  std::shared_ptr<char> alive_;
};

}  // namespace vigil::daemon
