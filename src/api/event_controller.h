// SPDX-License-Identifier: MIT
// api::EventController: vigild's event history (docs/api.md, docs/store.md).
// Thread rule: every method is called on the loop thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/event_type.h"
#include "base/status.h"

namespace vigil::api {

struct EventInfo {
  int64_t id = 0;
  int64_t time_ms = 0;
  std::string type;     // base::EventTypeName(): "state", "note", "signal", ...
  std::string subject;  // program, task, or "vigild"
  std::string message;
  std::string details_json;  // a JSON object as text
};

struct EventQuery {
  int64_t since_ms = 0;                 // 0 = no lower bound
  std::string subject;                  // "" = any
  std::optional<base::EventType> type;  // nullopt = any
  int64_t before_id = 0;                // paging: events older than this id; 0 = from the newest
  int limit = 100;
};

// One process of a program (docs/api.md, "GET /v1/programs/{name}/lifetimes").
struct LifetimeInfo {
  int64_t id = 0;
  std::string program;  // the instance: "web" or "web:1"
  int pid = 0;
  int64_t started_ms = 0;
  int64_t ended_ms = -1;    // -1 while it runs
  std::string exit_status;  // "exit 1", "killed by SIGKILL"; "" while it runs
  std::string reason;       // why it ended
};

class EventController {
 public:
  virtual ~EventController() = default;
  // Newest first. Unavailable when history is not recorded (no database).
  virtual base::Result<std::vector<EventInfo>> ListEvents(const EventQuery& query) = 0;
  // The processes of a program or instance, newest first, older than `before_id` (0: from
  // the newest). Unavailable as ListEvents.
  virtual base::Result<std::vector<LifetimeInfo>> ListLifetimes(const std::string& program, int64_t before_id,
                                                                int limit) {
    (void)program;
    (void)before_id;
    (void)limit;
    return base::Status::Unavailable("no history database");
  }
};

}  // namespace vigil::api
