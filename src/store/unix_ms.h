// SPDX-License-Identifier: MIT
// Conversions between base::WallTime and the integer Unix milliseconds the database stores.
#pragma once

#include <chrono>
#include <cstdint>

#include "base/clock.h"

namespace vigil::store {

inline int64_t ToUnixMs(base::WallTime t) { return base::UnixMs(t); }

inline base::WallTime FromUnixMs(int64_t ms) {
  return base::WallTime(std::chrono::duration_cast<base::WallTime::duration>(std::chrono::milliseconds(ms)));
}

}  // namespace vigil::store
