// SPDX-License-Identifier: MIT
// Names of the event types.
#include "base/event_type.h"

namespace vigil::base {

std::string_view EventTypeName(EventType type) {
  switch (type) {
    case EventType::kState: return "state";
    case EventType::kNote: return "note";
    case EventType::kSignal: return "signal";
    case EventType::kSpawnError: return "spawn_error";
    case EventType::kLog: return "log";
    case EventType::kReload: return "reload";
    case EventType::kConfigError: return "config_error";
    case EventType::kTask: return "task";
    case EventType::kTaskRun: return "task_run";
    case EventType::kDaemon: return "daemon";
    case EventType::kCheck: return "check";
    case EventType::kAction: return "action";
  }
  return "note";
}

std::optional<EventType> ParseEventType(std::string_view name) {
  for (EventType type : kEventTypes) {
    if (EventTypeName(type) == name) return type;
  }
  return std::nullopt;
}

std::string_view EventTypeList() {
  return "state, note, signal, spawn_error, log, reload, config_error, task, task_run, daemon, check, action";
}

}  // namespace vigil::base
