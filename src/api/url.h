// SPDX-License-Identifier: MIT
// Splits an HTTP request target ("/v1/programs/web%3A1/logs?lines=5") into decoded path
// segments and query parameters. Pure functions, no I/O.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace vigil::api {

struct Target {
  std::vector<std::string> segments;         // "/v1/programs/" -> {"v1", "programs"}
  std::map<std::string, std::string> query;  // the last value wins for repeated keys
};

// Decodes %XX escapes, and '+' as a space when `plus_is_space` (query strings only).
// InvalidArgument for a truncated or non-hex escape or a decoded NUL byte.
base::Result<std::string> PercentDecode(std::string_view text, bool plus_is_space);

// Parses an origin-form target. Each path segment is decoded after splitting, so "%2F"
// stays inside its segment. One trailing slash is ignored. InvalidArgument if the target
// does not start with '/' or an escape is malformed.
base::Result<Target> ParseTarget(std::string_view target);

}  // namespace vigil::api
