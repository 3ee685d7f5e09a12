// SPDX-License-Identifier: MIT
// Builds the CLI11 parser from the command table and parses argv into an Invocation.
#include "cli/args.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <optional>

#include "base/event_type.h"
#include "base/units.h"
#include "cli/exit_codes.h"

namespace vigil::cli {
namespace {

// --since: what GET /v1/events accepts, checked here so a typo is a usage error (exit 2)
// rather than a refusal from vigild.
std::string CheckSince(std::string& text) {
  bool digits = !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
  if (digits || base::ParseDuration(text).has_value()) return "";
  return "expected a duration such as 1h, 30m or 2d, or a unix time in ms, got \"" + text + "\"";
}

// --type: the event types vigild records. A misspelt type would otherwise match nothing
// and look like an empty history.
std::string CheckEventType(std::string& text) {
  if (base::ParseEventType(text)) return "";
  return "unknown event type \"" + text + "\" (one of: " + std::string(base::EventTypeList()) + ")";
}

// --timeout: a duration, checked here so a typo is a usage error (exit 2).
std::string CheckTimeout(std::string& text) {
  base::Result<base::Duration> d = base::ParseDuration(text);
  return d ? "" : d.error().message();
}

void AddLimit(CLI::App& sub, Invocation& inv, int fallback, const char* what) {
  std::string help = std::string("How many of the newest ") + what + " to show (1 to " +
                     std::to_string(kMaxLimit) + ", default " + std::to_string(fallback) + ")";
  sub.add_option("--limit", inv.limit, help)->check(CLI::Range(1, kMaxLimit));
}

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
      sub.add_option("--timeout", inv.timeout,
                     "Give up waiting after this long (30s, 5m); default: 30s more than the start_seconds "
                     "and stop_timeout of every program involved")
          ->check(CLI::Validator(CheckTimeout, "DURATION"));
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
    case ArgShape::kTask:
      sub.add_option("task", inv.name, "Task name")->required();
      break;
    case ArgShape::kRunTask:
      sub.add_option("task", inv.name, "Task name")->required();
      sub.add_flag("--wait", inv.wait,
                   "Wait for the run to end, print its output, and exit 0 only if it exited 0");
      break;
    case ArgShape::kHistory:
      sub.add_option("task", inv.name, "Only this task's runs (default: every task)");
      AddLimit(sub, inv, kDefaultHistoryLimit, "runs");
      break;
    case ArgShape::kTop:
      sub.add_option("names", inv.names, "Programs or instances to show (default: all)");
      sub.add_flag("--once", inv.once, "Print the table once and exit (also with --json)");
      break;
    case ArgShape::kEvents: {
      sub.add_option("--since", inv.since,
                     "Only events this recent (1h, 30m, 2d) or since a unix time in ms")
          ->check(CLI::Validator(CheckSince, "DURATION|UNIX_MS"));
      // Programs and tasks share one namespace of subjects in the history; two options
      // only make the command read naturally.
      CLI::Option* program =
          sub.add_option("--program", inv.subject, "Only events about this program");
      CLI::Option* task = sub.add_option("--task", inv.subject, "Only events about this task");
      program->excludes(task);
      sub.add_option("--type", inv.type, "Only events of this type: " + std::string(base::EventTypeList()))
          ->check(CLI::Validator(CheckEventType, "TYPE"));
      AddLimit(sub, inv, kDefaultEventsLimit, "events");
      break;
    }
    case ArgShape::kFindings:
      sub.add_option("--since", inv.since, "Only findings this recent (1h, 7d) or since a unix time in ms")
          ->check(CLI::Validator(CheckSince, "DURATION|UNIX_MS"));
      sub.add_option("--severity", inv.severity, "Only findings at least this severe: info, warn or crit")
          ->check(CLI::IsMember({"info", "warn", "crit"}));
      AddLimit(sub, inv, kDefaultEventsLimit, "findings");
      break;
    case ArgShape::kMetrics:
      sub.add_option("name", inv.name, "The metric, e.g. system.cpu or program.memory:web (default: list them)");
      sub.add_option("--since", inv.since, "From this long ago (default 1h) or a unix time in ms")
          ->check(CLI::Validator(CheckSince, "DURATION|UNIX_MS"));
      sub.add_option("--step", inv.step, "One point per this long (default 1m; 1h and more read hourly rollups)");
      break;
    case ArgShape::kReport:
      sub.add_option("--since", inv.since, "The period: this long back (default 7d) or from a unix time in ms")
          ->check(CLI::Validator(CheckSince, "DURATION|UNIX_MS"));
      break;
    case ArgShape::kNotify:
      sub.add_flag("--ready", inv.notify_ready, "The program is ready (READY=1)");
      sub.add_flag("--watchdog", inv.notify_watchdog, "A heartbeat for watchdog = \"...\" (WATCHDOG=1)");
      sub.add_flag("--stopping", inv.notify_stopping, "The program is stopping on its own (STOPPING=1)");
      sub.add_option("--status", inv.notify_status, "A line of status for vigil status (STATUS=TEXT)");
      break;
    case ArgShape::kToken:
      sub.add_flag("--viewer", inv.viewer, "The viewer's token (read-only) instead of the admin's");
      sub.add_flag("--rotate", inv.rotate, "Replace the token first: the old one and its browser sessions stop working");
      break;
    case ArgShape::kWeb:
      sub.add_flag("--viewer", inv.viewer, "Log in as a viewer (read-only) instead of an admin");
      break;
    case ArgShape::kAlert:
      sub.add_option("verb", inv.verb, "What to do: test")->required()->check(CLI::IsMember({"test"}));
      sub.add_option("name", inv.name, "The [alert.NAME] channel")->required();
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

// The first word that is not an option (or an option's value): the command.
std::optional<std::string> CommandWord(const std::vector<std::string>& args) {
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--socket") {
      ++i;  // its value
      continue;
    }
    if (!args[i].empty() && args[i][0] == '-') continue;
    return args[i];
  }
  return std::nullopt;
}

}  // namespace

ParsedArgs ParseArgs(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  // CLI11 would take an unknown command for a stray argument ("A subcommand is required").
  if (std::optional<std::string> word = CommandWord(args)) {
    bool known = false;
    for (const Command& command : Commands()) known = known || *word == command.name;
    if (!known) {
      err << "vigil: unknown command \"" << *word << "\"\nRun 'vigil --help' for the commands.\n";
      return ParsedArgs{std::nullopt, kExitUsage};
    }
  }
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
