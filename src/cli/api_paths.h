// SPDX-License-Identifier: MIT
// Request targets of vigild's HTTP API (docs/formats/api.md), with names percent-encoded.
#pragma once

#include <string>
#include <string_view>

namespace vigil::cli {

// Percent-encodes everything but RFC 3986 unreserved characters, so instance names such as
// "web:0" and names with '/' or '?' stay one path segment.
std::string PercentEncode(std::string_view text);

// "/v1/programs/NAME/logs?stream=stdout|stderr&lines=N[&follow=1]".
std::string LogsTarget(std::string_view name, bool stderr_stream, int lines, bool follow);

}  // namespace vigil::cli
