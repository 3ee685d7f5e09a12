// SPDX-License-Identifier: MIT
// Reading the [health] table and [check.NAME] tables into CheckSpecs (docs/config.md,
// "Health checks"). Internal to the config module: parse.cc calls it.
#pragma once

#include <toml++/toml.h>

#include <cstddef>
#include <string>

#include "base/clock.h"
#include "config/config_error.h"
#include "config/program_table.h"
#include "config/spec.h"

namespace vigil::config {

// Checks are cheap to write and each one is sampled on the same timer, so their number is
// bounded like programs' (kMaxPrograms) to keep a typo or a generated config from making
// one sampling round take seconds.
inline constexpr size_t kMaxChecks = 10000;

// Reads [health] (`node` is null when the file has none): `every`, the sampling interval a
// check without its own `every` gets, and `history` (true, false, or an array of "system",
// "disks", "programs"). *every and *history keep their values when a key is absent;
// history->every is set to the interval either way.
base::Status ParseHealthTable(const ErrorContext& errors, const toml::node* node, base::Duration* every,
                              HistorySpec* history);

// What a check may refer to: the programs (names as depends_on takes them) and tasks of
// the same config, and the interval from [health].
struct CheckContext {
  const ProgramTargets& programs;
  const std::vector<TaskSpec>& tasks;
  base::Duration default_every;
};

// Reads one [check.NAME] table (the name is already validated). The kind comes from the
// one defining key present (metric, http, tcp, command, file, process); then `program`;
// then every other key on its own in file order; then the rules that involve several keys
// (path against the metric, at least one level, crit >= warn, clear at or below the
// lowest level, what an action needs).
base::Status ParseCheckTable(const ErrorContext& errors, const std::string& name, const toml::node& node,
                             const CheckContext& context, CheckSpec* out);

// Turns the check shorthands of one [program.NAME] into checks, one per instance, named
// "INSTANCE.health", "INSTANCE.memory_limit" and "INSTANCE.max_runtime", appended to *out:
//   health = { http = "..." | tcp = "..." | command = ..., fails = 3, every, timeout,
//              grace, expect, body, tls_verify, ca_file }
//                                     -> restart when it fails `fails` times in a row;
//   memory_limit = "500MB" | { max = "500MB", for = "2m", every }
//                                     -> restart when the group's memory stays above it
//                                        (by default for 3 samples in a row);
//   max_runtime = "6h"                -> restart when its process has run that long.
// A name already taken by a [check.NAME] is an error at the program's key.
base::Status ParseProgramChecks(const ErrorContext& errors, const ProgramTable& table,
                                const std::vector<std::string>& instances, const CheckContext& context,
                                std::vector<CheckSpec>* out);

}  // namespace vigil::config
