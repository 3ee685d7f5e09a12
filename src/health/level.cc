// SPDX-License-Identifier: MIT
// Names and severities of check levels.
#include "health/level.h"

#include <array>
#include <utility>

namespace vigil::health {
namespace {

constexpr std::array<std::pair<Level, std::string_view>, 5> kNames = {{
    {Level::kPending, "PENDING"},
    {Level::kOk, "OK"},
    {Level::kUnknown, "UNKNOWN"},
    {Level::kWarn, "WARN"},
    {Level::kCrit, "CRIT"},
}};

}  // namespace

std::string_view LevelName(Level level) {
  for (const auto& [l, name] : kNames) {
    if (l == level) return name;
  }
  return "?";
}

std::optional<Level> LevelFromName(std::string_view name) {
  for (const auto& [l, n] : kNames) {
    if (n == name) return l;
  }
  return std::nullopt;
}

int Severity(Level level) { return static_cast<int>(level); }

}  // namespace vigil::health
