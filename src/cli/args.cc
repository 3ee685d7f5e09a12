// SPDX-License-Identifier: MIT
// Builds the CLI11 parser from the command table and parses argv into an Invocation.
#include "cli/args.h"

#include <CLI/CLI.hpp>
#include <algorithm>

#include "cli/exit_codes.h"

namespace vigil::cli {
namespace {

void AddArguments(CLI::App& sub, ArgShape shape, Invocation& inv) {
  switch (shape) {
    case ArgShape::kNone:
      break;
    case ArgShape::kOptionalNames:
      sub.add_option("names", inv.names, "Programs or instances to show (default: all)");
      break;
    case ArgShape::kActionNames:
      sub.add_option("names", inv.names, "Programs or instances, or 'all'")->required();
      sub.add_flag("--no-wait", inv.no_wait,
                   "Return once vigild accepted the request, without waiting for the result");
      break;
    case ArgShape::kSignal:
      sub.add_option("signal", inv.signal, "Signal name or number: HUP, SIGUSR1, 15")->required();
      sub.add_option("names", inv.names, "Programs or instances, or 'all'")->required();
      break;
    case ArgShape::kLogs:
      sub.add_option("name", inv.name, "Program or instance")->required();
      sub.add_flag("-f,--follow", inv.follow, "Keep printing new output until interrupted");
      // 100000 is the API's own limit (docs/api.md); checking here makes it a usage error.
      sub.add_option("-n,--lines", inv.lines, "Number of recent lines to print first")
          ->check(CLI::Range(0, 100000))
          ->capture_default_str();
      sub.add_flag("--stderr", inv.stderr_stream, "Show the stderr log instead of stdout");
      break;
    case ArgShape::kFile:
      sub.add_option("file", inv.file, "Config file to validate")->required();
      break;
  }
}

// "vigil: names is required" plus a pointer to the help of the command being parsed, so
// the message reads like every other vigil error.
std::string FailureMessage(const CLI::App* app, const CLI::Error& e) {
  std::string help = "vigil --help";
  std::vector<CLI::App*> chosen = app->get_subcommands();
  if (!chosen.empty()) help = "vigil " + chosen.front()->get_name() + " --help";
  return "vigil: " + std::string(e.what()) + "\nRun '" + help + "' for usage.\n";
}

}  // namespace

ParsedArgs ParseArgs(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  Invocation inv;
  CLI::App app{"Control vigild, the vigil process supervisor.", "vigil"};
  app.require_subcommand(1);
  app.failure_message(FailureMessage);
  // Global options may follow the command too: `vigil status --json`.
  app.fallthrough();
  app.add_option("--socket", inv.socket,
                 "vigild's socket (default: $VIGIL_SOCKET, then the per-user default)");
  app.add_flag("--json", inv.json, "Print the API's JSON reply instead of text");
  for (const Command& command : Commands()) {
    AddArguments(*app.add_subcommand(command.name, command.help), command.shape, inv);
  }

  // CLI11 consumes the vector from the back.
  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    // exit() prints help for --help (code 0) or the error and a hint (non-zero).
    int code = app.exit(e, out, err);
    return ParsedArgs{std::nullopt, code == 0 ? kExitOk : kExitUsage};
  }
  inv.command = app.get_subcommands().front()->get_name();
  return ParsedArgs{std::move(inv), kExitOk};
}

}  // namespace vigil::cli
