// SPDX-License-Identifier: MIT
// Command-line parsing for `vigil`: the only file that sees CLI11 (it costs ~5 s per
// translation unit), built from the command table in commands.h.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "cli/commands.h"

namespace vigil::cli {

struct ParsedArgs {
  // Set when a command should run; unset when parsing already decided the outcome
  // (--help, or a usage error that was printed).
  std::optional<Invocation> invocation;
  int exit_code = 0;  // kExitOk after --help, kExitUsage after a usage error
};

// Parses `args` (argv without argv[0]). Help goes to `out`; usage errors go to `err`.
ParsedArgs ParseArgs(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace vigil::cli
