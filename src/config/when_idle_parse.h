// SPDX-License-Identifier: MIT
// Reading a task's when_idle table (docs/config.md#tasks) into a WhenIdleSpec.
// Internal to the config module: task_parse.cc calls it.
#pragma once

#include <toml++/toml.h>

#include <optional>

#include "config/config_error.h"
#include "config/spec.h"
#include "config/toml_reader.h"

namespace vigil::config {

// Reads `node` (the value of task.NAME.when_idle at `key`) into *out. Errors, as
// "FILE:LINE: task.NAME.when_idle.KEY: reason": not a table, an unknown key, a wrong
// type or a value out of range, and neither cpu_below nor load_below given.
base::Status ReadWhenIdle(const TomlReader& reader, const toml::node& node, const KeyPath& key,
                          std::optional<WhenIdleSpec>* out);

}  // namespace vigil::config
