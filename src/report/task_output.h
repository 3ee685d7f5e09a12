// SPDX-License-Identifier: MIT
// What a health report reads in a task run's output (the last lines the history keeps):
// the bytes a built-in cleanup freed, and the updates a task says it found or applied.
// The conventions are documented in docs/tasks.md ("What the report reads").
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace vigil::report {

// A cleanup run's "deleted 12 files (3456 bytes); kept ..." line: the bytes. nullopt if
// the output has no such line.
std::optional<uint64_t> CleanupBytesFreed(std::string_view output);

struct Updates {
  std::optional<int64_t> found;    // from a line "updates found: N"
  std::optional<int64_t> applied;  // from a line "updates applied: N"
};

// The last "updates found: N" and "updates applied: N" lines of a run's output (each at
// the start of a line, N a whole number).
Updates UpdatesIn(std::string_view output);

}  // namespace vigil::report
