// SPDX-License-Identifier: MIT
// The one place errno becomes a Status.
#include "base/status.h"

#include <cstring>

namespace vigil::base {

Status ErrnoStatus(const std::string& context, int errno_value) {
  return Status::IoError(context + ": " + std::strerror(errno_value));
}

}  // namespace vigil::base
