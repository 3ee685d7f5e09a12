// SPDX-License-Identifier: MIT
// Signal names <-> numbers for stop_signal in the config and `vigil signal` in the CLI.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace vigil::config {

// Accepts a Linux signal by name with or without the SIG prefix, in any case ("TERM",
// "SIGTERM", "term"), the aliases IOT, CLD and POLL, real-time signals as "RTMIN",
// "RTMIN+3", "RTMAX-1", and numbers 1..SIGRTMAX ("15"). Signal 0 and anything else is
// InvalidArgument, e.g. `unknown signal "TERMINATE"`.
base::Result<int> ParseSignal(std::string_view text);

// "SIGTERM", "SIGRTMIN+3"; numbers with no name give "signal 99".
std::string SignalName(int signo);

}  // namespace vigil::config
