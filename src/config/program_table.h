// SPDX-License-Identifier: MIT
// The [program.NAME] tables as read, before instance expansion and dependency checks.
// Internal to the config module: parse.cc fills them, expand.cc turns them into specs.
#pragma once

#include <toml++/toml.h>

#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "config/config_error.h"
#include "config/spec.h"

namespace vigil::config {

// One entry of depends_on, or of a restart task's programs.
struct DependencyRef {
  std::string name;  // as written: a table name or one instance name ("web:1")
  int line = 0;
  size_t index = 0;  // position in the array, for the key path
};

struct ProgramTable {
  // name == table_name; argv, directory and environment values may still hold
  // "{instance}"; depends_on is empty (see `dependencies`).
  ProgramSpec spec;
  int instances = 1;
  int line = 0;             // the [program.NAME] header
  int depends_on_line = 0;  // the depends_on key, 0 when absent
  std::vector<DependencyRef> dependencies;
  // The check shorthands (health = {...}, memory_limit = ...), read once the programs,
  // tasks and checks are known (ParseProgramChecks); null when absent. They point into the
  // TOML tree, which outlives the parse.
  const toml::node* health = nullptr;
  const toml::node* memory_limit = nullptr;
  const toml::node* max_runtime = nullptr;
};

// Reads one [program.NAME] table (the name is already validated).
base::Status ParseProgramTable(const ErrorContext& errors, const std::string& config_dir, const std::string& name,
                               const toml::node& node, ProgramTable* out);

// Instances multiply what a few lines say, so what a config expands to is bounded too, in
// proportion to what vigild is measured with (docs/benchmarks.md: 1000 programs): at most
// kMaxPrograms programs, instances counted, and kMaxReferences dependencies, and as many
// restart-task targets, with instances expanded and counted as written (duplicates too,
// since each costs a lookup).
inline constexpr size_t kMaxPrograms = 10000;
inline constexpr size_t kMaxReferences = 100000;

// What a depends_on entry or a restart task's program may name, with the instance names
// it stands for: a table name means all its instances; an instance name ("web:1") of a
// multi-instance program means that one.
using ProgramTargets = std::map<std::string, std::vector<std::string>, std::less<>>;
ProgramTargets TargetsOf(const std::vector<ProgramSpec>& programs);

// Expands instances ("web" x3 -> web:0, web:1, web:2, substituting {instance}), resolves
// depends_on to instance names and rejects unknown dependencies, cycles, and more programs
// or dependencies than the bounds above. Programs keep file order, instances in index order.
base::Result<std::vector<ProgramSpec>> ExpandPrograms(const ErrorContext& errors,
                                                      const std::vector<ProgramTable>& tables);

}  // namespace vigil::config
