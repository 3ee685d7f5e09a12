// SPDX-License-Identifier: MIT
// The [task.NAME] tables as read, before their program references are resolved. Internal
// to the config module: parse.cc fills them.
#pragma once

#include <toml++/toml.h>

#include <string>
#include <vector>

#include "config/config_error.h"
#include "config/spec.h"

namespace vigil::config {

struct TaskTable {
  TaskSpec spec;  // spec.programs is filled by ResolveTaskPrograms
  int line = 0;
  std::vector<std::string> program_refs;  // action = "restart": as written
  int programs_line = 0;
};

// Reads one [task.NAME] table (the name is already validated).
base::Status ParseTaskTable(const ErrorContext& errors, const std::string& config_dir, const std::string& name,
                            const toml::node& node, TaskTable* out);

// Expands a restart task's program names to instance names; unknown names are errors.
base::Status ResolveTaskPrograms(const ErrorContext& errors, const std::vector<ProgramSpec>& programs,
                                 TaskTable* task);

}  // namespace vigil::config
