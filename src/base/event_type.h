// SPDX-License-Identifier: MIT
// The kinds of event vigild records (vigild.log, the history database, GET /v1/events):
// one enum, one name each. The names are the words of the API and the database; everything
// inside vigil uses the enum.
#pragma once

#include <array>
#include <optional>
#include <string_view>

namespace vigil::base {

enum class EventType {
  kState,        // a program changed state
  kNote,         // something a program or vigild did, in words
  kSignal,       // a signal sent to a program (stop, kill, on request)
  kSpawnError,   // a program's process could not be started
  kLog,          // a log file problem (disk full...) or its recovery
  kReload,       // the config was reloaded
  kConfigError,  // a reload was refused
  kTask,         // a task was enabled, disabled, skipped, queued, retried...
  kTaskRun,      // a task run started or ended
  kDaemon,       // vigild started, stopped, or has a problem
  kCheck,        // a health check changed state
  kAction,       // a health check acted (restart, run, signal, kill, top, exec) and what came of it
};

inline constexpr std::array<EventType, 12> kEventTypes = {
    EventType::kState,  EventType::kNote,        EventType::kSignal, EventType::kSpawnError,
    EventType::kLog,    EventType::kReload,      EventType::kConfigError, EventType::kTask,
    EventType::kTaskRun, EventType::kDaemon,     EventType::kCheck,
    EventType::kAction,
};

// "state", "note", "signal", "spawn_error", "log", "reload", "config_error", "task",
// "task_run", "daemon", "check", "action".
std::string_view EventTypeName(EventType type);
// The inverse of EventTypeName; nullopt for any other text.
std::optional<EventType> ParseEventType(std::string_view name);
// "state, note, signal, ..." for help texts and error messages.
std::string_view EventTypeList();

}  // namespace vigil::base
