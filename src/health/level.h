// SPDX-License-Identifier: MIT
// The state of a health check: PENDING until it knows, then OK, WARN, CRIT or UNKNOWN.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace vigil::health {

enum class Level : uint8_t {
  kPending,  // not known yet: no sample, or a grace period
  kOk,
  kUnknown,  // the check could not measure (a timeout, a plugin's exit 3)
  kWarn,
  kCrit,
};

// "PENDING", "OK", "UNKNOWN", "WARN", "CRIT": what users read and the API sends.
std::string_view LevelName(Level level);
std::optional<Level> LevelFromName(std::string_view name);

// Orders levels by how bad they are: an unknown is worse than OK (nobody knows that it is
// fine) and better than a measured problem.
int Severity(Level level);

}  // namespace vigil::health
