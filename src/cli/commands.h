// SPDX-License-Identifier: MIT
// The CLI's sub-commands: one table (name, help, arguments, handler), in the manner of
// ninja's kTools[], and the handlers that turn a parsed Invocation into API calls and output.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cli/client.h"

namespace vigil::cli {

// Everything the command line said, filled in by ParseArgs() (args.h).
struct Invocation {
  std::string command;             // a name from Commands()
  std::string socket;              // --socket; empty means "resolve from the environment"
  bool json = false;               // --json: print the API's JSON instead of text
  std::vector<std::string> names;  // programs, instances or "all"
  bool no_wait = false;            // --no-wait (start, stop, restart)
  std::string timeout;             // --timeout (start, stop, restart): "30s"; "" = vigild's default
  std::string signal;              // signal: "HUP", "SIGHUP", "hup" or a number
  std::string name;                // logs: the program; run, enable, disable, history: the task
  bool follow = false;             // logs -f
  int lines = 20;                  // logs -n
  bool stderr_stream = false;      // logs --stderr
  std::string file;                // check: the config file
  bool wait = false;               // run --wait
  int limit = 0;                   // history, events --limit; 0 = the command's default
  std::string since;               // events --since: "1h", "30m", "2d" or unix ms
  std::string subject;             // events --program / --task
  std::string type;                // events --type
  bool once = false;               // top --once: print one table and exit
  std::string severity;            // findings --severity: "info", "warn" or "crit"
  std::string verb;                // alert: "test"
  std::string step;                // metrics --step: "1m", "1h"
  // notify: what to tell vigild about the calling program (docs/readiness.md)
  bool notify_ready = false;                  // --ready: READY=1
  bool notify_watchdog = false;               // --watchdog: WATCHDOG=1
  bool notify_stopping = false;               // --stopping: STOPPING=1
  std::optional<std::string> notify_status;   // --status TEXT: STATUS=TEXT
  bool viewer = false;                        // token, web --viewer: the read-only role
  bool rotate = false;                        // token --rotate
};

// The current time as unix ms, from the system clock.
int64_t SystemUnixMs();

// Where a command sends requests and writes output. Not owned.
struct Context {
  Client& client;
  std::filesystem::path socket;  // for messages only; `client` already knows it
  std::ostream& out;
  std::ostream& err;
  bool color = false;  // the caller decided stdout is a terminal that wants ANSI colors
  // "Now" for relative times ("in 4h12m"); tests pin it.
  std::function<int64_t()> now_ms = SystemUnixMs;
};

// Which positional arguments and options a command takes; args.cc turns it into CLI11
// definitions so the table stays the single list of commands.
enum class ArgShape {
  kNone,           // reload, shutdown, version
  kOptionalNames,  // status [NAME...]
  kActionNames,    // start|stop|restart NAME...|all [--no-wait] [--timeout D]
  kSignal,         // signal SIG NAME...
  kLogs,           // logs NAME [-f] [-n N] [--stderr]
  kFile,           // check FILE
  kTask,           // enable|disable TASK
  kRunTask,        // run TASK [--wait]
  kHistory,        // history [TASK] [--limit N]
  kEvents,         // events [--since D] [--program NAME|--task NAME] [--type T] [--limit N]
  kTop,            // top [NAME...] [--once]
  kFindings,       // findings [--since D] [--severity S] [--limit N]
  kAlert,          // alert test NAME
  kMetrics,        // metrics [NAME] [--since D] [--step D]
  kReport,         // report [--since D]
  kNotify,         // notify [--ready] [--watchdog] [--stopping] [--status TEXT]
  kToken,          // token [--viewer] [--rotate]
  kWeb,            // web [--viewer]
};

struct Command {
  const char* name;
  const char* help;
  ArgShape shape;
  // Returns the process exit code (exit_codes.h); reports failures on ctx.err.
  int (*run)(const Invocation& invocation, Context& ctx);
};

// Every command, in the order `vigil --help` lists them.
std::span<const Command> Commands();

// Runs invocation.command; kExitUsage if there is no such command.
int RunCommand(const Invocation& invocation, Context& ctx);

// "HUP" for "HUP", "hup", "SIGHUP" and "sighup"; numbers are kept as they are.
std::string NormalizeSignalName(std::string_view signal);

// Validates a config file without a daemon (`vigil check FILE`); in check_command.cc.
int RunCheck(const Invocation& invocation, Context& ctx);

// The task and history commands, in task_commands.cc.
int RunTasks(const Invocation& invocation, Context& ctx);
int RunTaskNow(const Invocation& invocation, Context& ctx);  // `vigil run`
int RunEnable(const Invocation& invocation, Context& ctx);
int RunDisable(const Invocation& invocation, Context& ctx);
int RunHistory(const Invocation& invocation, Context& ctx);
int RunEvents(const Invocation& invocation, Context& ctx);

// `vigil top`, in top_command.cc; `vigil health`, in health_command.cc.
int RunTop(const Invocation& invocation, Context& ctx);
int RunHealth(const Invocation& invocation, Context& ctx);
// `vigil findings`, in findings_command.cc.
int RunFindings(const Invocation& invocation, Context& ctx);
// `vigil alert test NAME`, in findings_command.cc.
int RunAlert(const Invocation& invocation, Context& ctx);
// web_commands.cc: the HTTP listener's token and a login link.
int RunToken(const Invocation& invocation, Context& ctx);
int RunWeb(const Invocation& invocation, Context& ctx);
// `vigil metrics [NAME]`, in metrics_command.cc.
int RunMetrics(const Invocation& invocation, Context& ctx);
// `vigil notify`, in notify_command.cc: a datagram to $NOTIFY_SOCKET, no API call.
int RunNotify(const Invocation& invocation, Context& ctx);
// `vigil report`, in report_command.cc.
int RunReport(const Invocation& invocation, Context& ctx);

// Default and largest --limit of `history` and `events`; the API's own bounds (docs/api.md).
inline constexpr int kDefaultHistoryLimit = 20;
inline constexpr int kDefaultEventsLimit = 100;
inline constexpr int kMaxLimit = 1000;

}  // namespace vigil::cli
