// SPDX-License-Identifier: MIT
// The [task.NAME] tables as read, before a restart task's program names are resolved.
// Internal to the config module: parse.cc fills them.
#pragma once

#include <toml++/toml.h>

#include <string>
#include <vector>

#include "config/config_error.h"
#include "config/program_table.h"
#include "config/spec.h"

namespace vigil::config {

struct TaskTable {
  TaskSpec spec;                            // complete except spec.programs, which ResolveTaskPrograms fills
  int line = 0;                             // the [task.NAME] header
  std::vector<DependencyRef> program_refs;  // action = "restart": `programs` as written
  int programs_line = 0;                    // the programs key, 0 when absent
};

// Reads one [task.NAME] table (the name is already validated). Checks each key in file
// order, then the rules that involve several keys: schedule and timezone, command or
// action, keys that do not fit the action, what the action needs, user and group.
base::Status ParseTaskTable(const ErrorContext& errors, const std::string& config_dir, const std::string& name,
                            const toml::node& node, TaskTable* out);

// Expands a restart task's program names to instance names, like depends_on: a table name
// means all its instances (`targets` is TargetsOf the config's programs). An unknown name
// is reported at its array element. `*references` counts the targets of every restart task
// so far, as written; past kMaxReferences the task is refused at its programs key.
base::Status ResolveTaskPrograms(const ErrorContext& errors, const ProgramTargets& targets, size_t* references,
                                 TaskTable* task);

}  // namespace vigil::config
