// SPDX-License-Identifier: MIT
// The machine's figures as `vigil top` and `vigil health` print them: the CPU, memory,
// swap, load and pressure line, and a line per filesystem, from the "system" and "disks"
// of GET /v1/top and GET /v1/health.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace vigil::cli {

// A number field of `object`, 0 when absent or not a number.
double Number(const nlohmann::json& object, const char* key);
// One decimal: "12.3".
std::string Percent(double value);
// The machine's line and its filesystems' lines, each ending in a newline; "" when the
// reply has neither.
std::string FormatMachine(const nlohmann::json& reply);

}  // namespace vigil::cli
