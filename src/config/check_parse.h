// SPDX-License-Identifier: MIT
// Reading the [health] table and [check.NAME] tables into CheckSpecs (docs/config.md,
// "Health checks"). Internal to the config module: parse.cc calls it.
#pragma once

#include <toml++/toml.h>

#include <cstddef>
#include <string>

#include "base/clock.h"
#include "config/config_error.h"
#include "config/spec.h"

namespace vigil::config {

// Checks are cheap to write and each one is sampled on the same timer, so their number is
// bounded like programs' (kMaxPrograms) to keep a typo or a generated config from making
// one sampling round take seconds.
inline constexpr size_t kMaxChecks = 10000;

// Reads [health] (`node` is null when the file has none): `every`, the sampling interval a
// check without its own `every` gets. *every keeps its value when the key is absent.
base::Status ParseHealthTable(const ErrorContext& errors, const toml::node* node, base::Duration* every);

// Reads one [check.NAME] table (the name is already validated); `default_every` comes from
// [health]. Checks the keys' own values in file order after the metric, then the rules that
// involve several keys: path against the metric, at least one level, crit >= warn, clear
// at or below the lowest level.
base::Status ParseCheckTable(const ErrorContext& errors, const std::string& name, const toml::node& node,
                             base::Duration default_every, CheckSpec* out);

}  // namespace vigil::config
