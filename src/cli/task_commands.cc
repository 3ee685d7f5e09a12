// SPDX-License-Identifier: MIT
// The task and history commands: tasks, run, enable, disable, history and events.
#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>

#include "cli/api_json.h"
#include "cli/api_paths.h"
#include "cli/call.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/history_format.h"

namespace vigil::cli {
namespace {

// The body of a POST that needs none: the task routes take their input from the path.
HttpRequest PostWithoutBody(std::string target) {
  return {HttpMethod::kPost, std::move(target), ""};
}

int SetEnabled(const Invocation& inv, Context& ctx, bool enabled) {
  ApiReply reply =
      CallApi(ctx, PostWithoutBody(TaskTarget(inv.name, enabled ? "/enable" : "/disable")));
  if (reply.exit_code != kExitOk) return reply.exit_code;
  if (inv.json) {
    PrintRaw(ctx, reply.raw);
    return kExitOk;
  }
  base::Result<TaskView> task = TaskFieldFromJson(reply.body, "task");
  if (!task) return ReportUnexpectedReply(ctx, task.error());
  ctx.out << inv.name << ": " << (enabled ? "enabled" : "disabled");
  if (enabled) {
    // @reboot tasks, and schedules with no future fire time, have no next run.
    ctx.out << (task->next_run_ms < 0 ? " (no scheduled run)"
                                      : " (next run " + FormatLocalMinute(task->next_run_ms) + ")");
  }
  ctx.out << '\n';
  return kExitOk;
}

// Prints the run's kept output; if vigild cannot give it (it was not kept: the reason is
// printed on stderr), the last lines the run record holds. Returns the exit code of the
// request for the output.
int PrintRunOutput(Context& ctx, const RunView& run) {
  ApiReply reply = CallApi(ctx, GetRequest(RunOutputTarget(run.id)));
  std::string output =
      reply.exit_code == kExitOk ? StringFromJson(reply.body, "output") : run.output_tail;
  ctx.out << output;
  if (!output.empty() && output.back() != '\n') ctx.out << '\n';
  return reply.exit_code;
}

}  // namespace

int64_t SystemUnixMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int RunTasks(const Invocation& inv, Context& ctx) {
  ApiReply reply = CallApi(ctx, GetRequest("/v1/tasks"));
  if (reply.exit_code != kExitOk) return reply.exit_code;
  if (inv.json) {
    PrintRaw(ctx, reply.raw);
    return kExitOk;
  }
  base::Result<std::vector<TaskView>> tasks = TasksFromJson(reply.body);
  if (!tasks) return ReportUnexpectedReply(ctx, tasks.error());
  if (tasks->empty()) {
    ctx.out << "no tasks configured\n";
    return kExitOk;
  }
  ctx.out << FormatTasksTable(*tasks, ctx.now_ms());
  return kExitOk;
}

int RunTaskNow(const Invocation& inv, Context& ctx) {
  HttpRequest request =
      PostWithoutBody(TaskTarget(inv.name, inv.wait ? "/run?wait=1" : "/run?wait=0"));
  // A waited-for run is bounded by the task's own timeout, in vigild; a client-side limit
  // would only cut a long backup short.
  if (inv.wait) request.timeout = std::nullopt;
  ApiReply reply = CallApi(ctx, std::move(request));
  if (reply.exit_code != kExitOk) return reply.exit_code;
  base::Result<RunView> run = RunFieldFromJson(reply.body, "run");
  if (!run) return ReportUnexpectedReply(ctx, run.error());

  if (!inv.wait) {
    if (inv.json) {
      PrintRaw(ctx, reply.raw);
    } else if (run->id == 0) {
      // overlap = queue or replace: vigild starts it once the current run is gone.
      ctx.out << inv.name << ": run queued behind the current one\n";
    } else {
      ctx.out << inv.name << ": started run " << run->id << '\n';
    }
    return kExitOk;
  }
  int output_code = kExitOk;
  if (inv.json) {
    PrintRaw(ctx, reply.raw);
    if (!run->output_problem.empty()) {
      ctx.err << "vigil: the output of run " << run->id << " was not kept: " << run->output_problem << '\n';
      output_code = kExitFailed;
    }
  } else {
    output_code = PrintRunOutput(ctx, *run);
    ctx.out << FormatRunSummary(*run) << '\n';
  }
  // A run whose output was lost is not a success to report with exit 0, whatever it exited.
  if (output_code != kExitOk) return output_code;
  return RunSucceeded(*run) ? kExitOk : kExitFailed;
}

int RunEnable(const Invocation& inv, Context& ctx) { return SetEnabled(inv, ctx, true); }
int RunDisable(const Invocation& inv, Context& ctx) { return SetEnabled(inv, ctx, false); }

int RunHistory(const Invocation& inv, Context& ctx) {
  int limit = inv.limit > 0 ? inv.limit : kDefaultHistoryLimit;
  ApiReply reply = CallApi(ctx, GetRequest(RunsTarget(inv.name, limit)));
  if (reply.exit_code != kExitOk) return reply.exit_code;
  if (inv.json) {
    PrintRaw(ctx, reply.raw);
    return kExitOk;
  }
  base::Result<std::vector<RunView>> runs = RunsFromJson(reply.body);
  if (!runs) return ReportUnexpectedReply(ctx, runs.error());
  if (runs->empty()) {
    ctx.out << "no runs yet\n";
    return kExitOk;
  }
  ctx.out << FormatHistory(*runs);
  return kExitOk;
}

int RunEvents(const Invocation& inv, Context& ctx) {
  int limit = inv.limit > 0 ? inv.limit : kDefaultEventsLimit;
  ApiReply reply =
      CallApi(ctx, GetRequest(EventsTarget(inv.since, inv.subject, inv.type, limit)));
  if (reply.exit_code != kExitOk) return reply.exit_code;
  if (inv.json) {
    PrintRaw(ctx, reply.raw);
    return kExitOk;
  }
  base::Result<std::vector<EventView>> events = EventsFromJson(reply.body);
  if (!events) return ReportUnexpectedReply(ctx, events.error());
  if (events->empty()) {
    ctx.out << "no events\n";
    return kExitOk;
  }
  ctx.out << FormatEvents(*events);
  return kExitOk;
}

}  // namespace vigil::cli
