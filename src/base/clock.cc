// SPDX-License-Identifier: MIT
// ISO-8601 formatting of wall-clock times.
#include "base/clock.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

namespace vigil::base {

std::string FormatIso8601(WallTime t) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count() % 1000;
  auto secs = std::chrono::time_point_cast<std::chrono::seconds>(t);
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03d}Z", secs, ms);
}

}  // namespace vigil::base
