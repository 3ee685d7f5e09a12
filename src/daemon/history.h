// SPDX-License-Identifier: MIT
// daemon::History: what vigild records in its SQLite store, in the daemon's terms: events,
// process lifetimes, desired states and the retention schedule; and the API's event
// history. Works without a store (when the database cannot be opened): then it records
// nothing and says why in problem().
// Thread rule: loop thread only.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "api/event_controller.h"
#include "base/clock.h"
#include "base/event_type.h"
#include "config/spec.h"
#include "event/loop.h"
#include "store/store.h"

namespace vigil::daemon {

class History : public api::EventController {
 public:
  History(event::Loop& loop, const std::filesystem::path& db_path, base::Duration retention);
  ~History() override;

  store::Store* store() { return store_.get(); }
  // "" when history is recorded.
  std::string problem() const;

  // The event's id in the store (0 when history is not recorded).
  int64_t RecordEvent(base::EventType type, const std::string& subject, const std::string& message,
                      const std::string& details_json = "{}", base::WallTime time = std::chrono::system_clock::now());
  void ProcessStarted(const std::string& program, pid_t pid);
  void ProcessEnded(const std::string& program, pid_t pid, const std::string& exit_status, const std::string& reason);

  // The user's choice for a program, remembered with a fingerprint of its config: the
  // choice holds across vigild restarts only while the config stays the same.
  void SetWant(const config::ProgramSpec& spec, bool want_up);
  // The remembered want, if any and if the program's config is unchanged since.
  std::optional<bool> RememberedWant(const config::ProgramSpec& spec) const;

  static std::string Fingerprint(const config::ProgramSpec& spec);

  // api::EventController
  base::Result<std::vector<api::EventInfo>> ListEvents(const api::EventQuery& query) override;
  base::Result<std::vector<api::LifetimeInfo>> ListLifetimes(const std::string& program, int64_t before_id,
                                                             int limit) override;

 private:
  void PruneNow();

  event::Loop& loop_;
  std::unique_ptr<store::Store> store_;
  std::string open_problem_;
  base::Duration retention_;
  std::unordered_map<std::string, store::DesiredState> wants_;  // loaded at start
  std::unordered_map<pid_t, int64_t> lifetimes_;                // pid -> lifetime id
  event::HandlePtr prune_timer_;
};

}  // namespace vigil::daemon
