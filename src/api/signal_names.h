// SPDX-License-Identifier: MIT
// Signal names accepted by the API ("HUP", "SIGHUP", "1") and their numbers.
#pragma once

#include <string_view>

#include "base/status.h"

namespace vigil::api {

// Parses "HUP", "SIGHUP" (any case) or a decimal number in 1..SIGRTMAX. InvalidArgument
// names the rejected text. A local table: vigil_api does not link vigil_config.
base::Result<int> ParseSignalName(std::string_view text);

}  // namespace vigil::api
