// SPDX-License-Identifier: MIT
// Entry point of the `vigil` CLI: parse arguments, find the socket, run one command.
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "cli/args.h"
#include "cli/client.h"
#include "cli/commands.h"
#include "cli/socket_path.h"

namespace {

// ANSI colors only for a terminal that has not opted out (https://no-color.org).
bool WantColor() {
  if (isatty(STDOUT_FILENO) == 0) return false;
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color != nullptr && no_color[0] != '\0') return false;
  const char* term = std::getenv("TERM");
  return term == nullptr || std::strcmp(term, "dumb") != 0;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace vigil::cli;
  std::vector<std::string> args(argv + 1, argv + argc);
  ParsedArgs parsed = ParseArgs(args, std::cout, std::cerr);
  if (!parsed.invocation) return parsed.exit_code;

  std::filesystem::path socket = ResolveSocketPathFromEnvironment(parsed.invocation->socket);
  std::unique_ptr<Client> client = MakeUnixSocketClient(socket);
  Context ctx{*client, socket, std::cout, std::cerr, WantColor()};
  int code = RunCommand(*parsed.invocation, ctx);
  std::cout.flush();
  return code;
}
