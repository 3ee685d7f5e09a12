// SPDX-License-Identifier: MIT
// The command table and the handlers that talk to vigild.
#include "cli/commands.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <optional>

#include "cli/api_json.h"
#include "cli/api_paths.h"
#include "cli/call.h"
#include "cli/exit_codes.h"
#include "cli/format.h"
#include "cli/version.h"

namespace vigil::cli {
namespace {

using nlohmann::json;

int RunStatus(const Invocation& inv, Context& ctx) {
  // vigild resolves the names ("web" is every instance of web), as for every action.
  ApiReply reply = CallApi(ctx, GetRequest(ProgramsTarget(inv.names)));
  if (reply.exit_code != kExitOk) return reply.exit_code;
  if (inv.json) {
    PrintRaw(ctx, reply.raw);
    return kExitOk;
  }
  base::Result<std::vector<ProgramView>> programs = ProgramsFromJson(reply.body);
  if (!programs) return ReportUnexpectedReply(ctx, programs.error());
  if (programs->empty()) {
    ctx.out << "no programs configured\n";
    return kExitOk;
  }
  ctx.out << FormatStatusTable(*programs, ctx.color);
  return kExitOk;
}

int RunAction(const char* action, const Invocation& inv, Context& ctx) {
  json body{{"programs", inv.names}, {"wait", !inv.no_wait}};
  if (!inv.timeout.empty()) body["timeout"] = inv.timeout;
  HttpRequest request = PostRequest(std::string("/v1/") + action, body);
  // With wait, vigild answers when the programs settle or its timeout passes (--timeout,
  // or its default); a client-side limit would only cut that short.
  if (!inv.no_wait) request.timeout = std::nullopt;
  ApiReply reply = CallApi(ctx, std::move(request));
  if (reply.exit_code != kExitOk) return reply.exit_code;
  if (inv.json) {
    PrintRaw(ctx, reply.raw);
    return kExitOk;
  }
  base::Result<std::vector<ProgramView>> programs = ProgramsFromJson(reply.body);
  if (!programs) return ReportUnexpectedReply(ctx, programs.error());
  for (const ProgramView& p : *programs) ctx.out << FormatProgramLine(p) << '\n';
  return kExitOk;
}

int RunStart(const Invocation& inv, Context& ctx) { return RunAction("start", inv, ctx); }
int RunStop(const Invocation& inv, Context& ctx) { return RunAction("stop", inv, ctx); }
int RunRestart(const Invocation& inv, Context& ctx) { return RunAction("restart", inv, ctx); }

int RunSignal(const Invocation& inv, Context& ctx) {
  std::string signal = NormalizeSignalName(inv.signal);
  ApiReply reply = CallApi(
      ctx, PostRequest("/v1/signal", json{{"programs", inv.names}, {"signal", signal}}));
  if (reply.exit_code != kExitOk) return reply.exit_code;
  if (inv.json) {
    PrintRaw(ctx, reply.raw);
    return reply.body.value("ok", false) ? kExitOk : kExitFailed;
  }
  // One line per program: who got it (with the pid), and on stderr who could not.
  int code = kExitOk;
  auto results = reply.body.find("results");
  if (results == reply.body.end() || !results->is_array()) {
    return ReportUnexpectedReply(ctx, base::Status::InvalidArgument("no \"results\" in the reply"));
  }
  for (const json& r : *results) {
    const std::string program = StringFromJson(r, "program");
    if (r.value("sent", false)) {
      ctx.out << program << ": sent " << signal;
      if (int64_t pid = r.value("pid", int64_t{0}); pid > 0) ctx.out << " (pid " << pid << ")";
      ctx.out << '\n';
    } else {
      ctx.err << "vigil: " << StringFromJson(r, "error") << '\n';
      code = kExitFailed;
    }
  }
  return code;
}

int RunLogs(const Invocation& inv, Context& ctx) {
  std::string target = LogsTarget(inv.name, inv.stderr_stream, inv.lines, inv.follow);
  if (!inv.follow) {
    ApiReply reply = CallApi(ctx, GetRequest(target));
    if (reply.exit_code != kExitOk) return reply.exit_code;
    if (inv.json) {
      PrintRaw(ctx, reply.raw);
      return kExitOk;
    }
    for (const std::string& line : StringListFromJson(reply.body, "lines")) {
      ctx.out << line << '\n';
    }
    return kExitOk;
  }

  // Following prints bytes as they arrive (no --json form): flushing each piece keeps
  // `vigil logs -f | grep` live.
  base::Result<HttpResponse> response = ctx.client.Stream(target, [&ctx](std::string_view data) {
    ctx.out.write(data.data(), static_cast<std::streamsize>(data.size()));
    ctx.out.flush();
  });
  if (!response) {
    ReportClientError(ctx, response.error());
    return ExitCodeForClientStatus(response.error());
  }
  int code = ExitCodeForHttpStatus(response->status);
  if (code != kExitOk) {
    ctx.err << "vigil: " << ErrorMessageFromBody(response->body, response->status) << "\n";
  } else if (response->ended_early) {
    // Not a failure (vigild exiting ends every follow), but output may be missing if
    // vigild dropped us for reading too slowly, so say so where it cannot mix with the log.
    ctx.err << "vigil: vigild closed the log stream\n";
  }
  return code;
}

int RunReload(const Invocation& inv, Context& ctx) {
  ApiReply reply = CallApi(ctx, PostRequest("/v1/reload", json::object()));
  if (reply.exit_code != kExitOk) return reply.exit_code;
  if (inv.json) {
    PrintRaw(ctx, reply.raw);
    return kExitOk;
  }
  // StringListFromJson reads a missing or malformed "tasks" as empty lists.
  auto changes = [](const json& object) {
    return ReloadChanges{StringListFromJson(object, "added"), StringListFromJson(object, "removed"),
                         StringListFromJson(object, "changed"), StringListFromJson(object, "unchanged")};
  };
  auto tasks = reply.body.find("tasks");
  ctx.out << FormatReloadSummary(changes(reply.body),
                                 tasks != reply.body.end() ? changes(*tasks) : ReloadChanges{});
  return kExitOk;
}

int RunShutdown(const Invocation& inv, Context& ctx) {
  ApiReply reply = CallApi(ctx, PostRequest("/v1/shutdown", json::object()));
  if (reply.exit_code != kExitOk) return reply.exit_code;
  if (inv.json) {
    PrintRaw(ctx, reply.raw);
  } else {
    ctx.out << "vigild is shutting down\n";
  }
  return kExitOk;
}

int RunVersion(const Invocation& inv, Context& ctx) {
  // The CLI's own version comes first so it is printed even when vigild is down.
  if (!inv.json) ctx.out << "vigil " << kVersion << '\n';
  ApiReply reply = CallApi(ctx, GetRequest("/v1/info"));
  if (reply.exit_code != kExitOk) return reply.exit_code;
  if (inv.json) {
    ctx.out << json{{"version", kVersion}, {"daemon", reply.body}}.dump() << '\n';
    return kExitOk;
  }
  const json& info = reply.body;
  ctx.out << "vigild " << StringFromJson(info, "version");
  auto pid = info.find("pid");
  if (pid != info.end() && pid->is_number_integer())
    ctx.out << " (pid " << pid->get<int64_t>() << ")";
  ctx.out << '\n';
  if (std::string config = StringFromJson(info, "config_path"); !config.empty()) {
    ctx.out << "config: " << config << '\n';
  }
  for (const std::string& problem : StringListFromJson(info, "problems")) {
    ctx.out << "problem: " << problem << '\n';
  }
  return kExitOk;
}

// The one list of commands (ninja's kTools[]): args.cc builds the parser from it and
// RunCommand() dispatches through it.
constexpr Command kCommands[] = {
    {"status", "Show the state of all programs, or the named ones", ArgShape::kOptionalNames,
     RunStatus},
    {"start", "Start programs and wait until they run", ArgShape::kActionNames, RunStart},
    {"stop", "Stop programs and wait until they exit", ArgShape::kActionNames, RunStop},
    {"restart", "Stop then start programs, and wait until they run", ArgShape::kActionNames,
     RunRestart},
    {"signal", "Send a signal to programs' processes", ArgShape::kSignal, RunSignal},
    {"logs", "Print a program's recent log lines, or follow them", ArgShape::kLogs, RunLogs},
    {"tasks", "Show scheduled tasks with their next and last runs", ArgShape::kNone, RunTasks},
    {"run", "Run a task now; with --wait, print its output and exit with its status",
     ArgShape::kRunTask, RunTaskNow},
    {"enable", "Let a task run on its schedule again", ArgShape::kTask, RunEnable},
    {"disable", "Stop a task's scheduled runs (vigil run still works)", ArgShape::kTask,
     RunDisable},
    {"history", "Show recent task runs with the end of their output", ArgShape::kHistory,
     RunHistory},
    {"events", "Show vigild's event history, oldest first", ArgShape::kEvents, RunEvents},
    {"top", "Show the CPU, memory, processes and open files of programs, refreshed every 2 s",
     ArgShape::kTop, RunTop},
    {"health", "Show every health check with its state and last sample", ArgShape::kNone, RunHealth},
    {"findings", "Show what vigil noticed and did, in plain words, oldest first", ArgShape::kFindings,
     RunFindings},
    {"alert", "alert test NAME: send a test notification through an alert channel", ArgShape::kAlert, RunAlert},
    {"metrics", "List the metrics with history, or show one metric's history", ArgShape::kMetrics, RunMetrics},
    {"report", "Print the health report of the last 7 days, or of --since", ArgShape::kReport, RunReport},
    {"notify", "From a supervised program: tell vigild it is ready, alive, stopping, or its status",
     ArgShape::kNotify, RunNotify},
    {"web", "Print a one-time link that logs a browser in to vigild's HTTP listener", ArgShape::kWeb, RunWeb},
    {"token", "Print the HTTP listener's API token (for Authorization: Bearer)", ArgShape::kToken, RunToken},
    {"reload", "Re-read vigild's config file and apply the changes", ArgShape::kNone, RunReload},
    {"shutdown", "Stop all programs and exit vigild", ArgShape::kNone, RunShutdown},
    {"check", "Validate a config file without a daemon", ArgShape::kFile, RunCheck},
    {"version", "Print the versions of vigil and vigild", ArgShape::kNone, RunVersion},
};

}  // namespace

std::span<const Command> Commands() { return kCommands; }

int RunCommand(const Invocation& invocation, Context& ctx) {
  for (const Command& command : kCommands) {
    if (invocation.command == command.name) return command.run(invocation, ctx);
  }
  ctx.err << "vigil: unknown command " << invocation.command << "\n";
  return kExitUsage;
}

std::string NormalizeSignalName(std::string_view signal) {
  std::string upper(signal);
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  if (upper.size() > 3 && upper.compare(0, 3, "SIG") == 0) upper.erase(0, 3);
  return upper;
}

}  // namespace vigil::cli
