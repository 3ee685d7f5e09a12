// SPDX-License-Identifier: MIT
// The /v1 routes: request validation, Controller calls and JSON responses.
#include "api/router.h"

#include <algorithm>
#include <chrono>
#include <exception>
#include <nlohmann/json.hpp>
#include <optional>

#include "api/json_codec.h"
#include "api/url.h"
#include "base/units.h"

namespace vigil::api {
namespace {

using nlohmann::json;
using Query = std::map<std::string, std::string>;

Response JsonResponse(int status, const json& value) {
  Response response;
  response.status = status;
  response.body = DumpJson(value);
  return response;
}

Response JsonError(int status, const std::string& message) {
  return JsonResponse(status, json{{"error", message}});
}

// Answers 405 unless `method` is `allowed`. Every route accepts exactly one method.
bool MethodIs(std::string_view method, std::string_view allowed, RespondFn& respond) {
  if (method == allowed) return true;
  Response response = JsonError(
      405, "method " + std::string(method) + " not allowed here; use " + std::string(allowed));
  response.allow = std::string(allowed);
  respond(std::move(response));
  return false;
}

// "1"/"true" and "0"/"false"; `fallback` when the parameter is absent.
base::Result<bool> BoolParam(const Query& query, const std::string& key, bool fallback) {
  auto it = query.find(key);
  if (it == query.end()) return fallback;
  if (it->second == "1" || it->second == "true") return true;
  if (it->second == "0" || it->second == "false") return false;
  return base::Status::InvalidArgument("query parameter \"" + key + "\" must be 0 or 1");
}

base::Result<size_t> CountParam(const Query& query, const std::string& key, size_t fallback,
                                size_t max) {
  auto it = query.find(key);
  if (it == query.end()) return fallback;
  const std::string& text = it->second;
  size_t value = 0;
  bool valid = !text.empty() && text.size() <= 9;  // keeps the arithmetic far from overflow
  for (char c : text) {
    valid = valid && c >= '0' && c <= '9';
    if (valid) value = value * 10 + static_cast<size_t>(c - '0');
  }
  if (!valid || value > max) {
    return base::Status::InvalidArgument("query parameter \"" + key +
                                         "\" must be a number from 0 to " + std::to_string(max));
  }
  return value;
}

// A run or event id, or a unix time in ms: digits only, at most 18 of them so the value
// fits an int64_t without an overflow check.
std::optional<int64_t> ParseNumber(std::string_view text) {
  if (text.empty() || text.size() > 18) return std::nullopt;
  int64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

// An id parameter such as "before"; 0 when absent.
base::Result<int64_t> IdParam(const Query& query, const std::string& key) {
  auto it = query.find(key);
  if (it == query.end()) return int64_t{0};
  std::optional<int64_t> id = ParseNumber(it->second);
  if (!id) return base::Status::InvalidArgument("query parameter \"" + key + "\" must be an id");
  return *id;
}

// A page size from 1 to `max`. 0 is refused: an empty page can never move "before" paging
// on, and a caller who asks for nothing has made a mistake.
base::Result<size_t> LimitParam(const Query& query, const std::string& key, size_t fallback,
                                size_t max) {
  auto limit = CountParam(query, key, fallback, max);
  if (limit && *limit == 0) {
    return base::Status::InvalidArgument("query parameter \"" + key +
                                         "\" must be a number from 1 to " + std::to_string(max));
  }
  return limit;
}

int64_t NowUnixMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// "since": a duration back from now ("1h", "30m", "2d", as base::ParseDuration reads them),
// or, when it is all digits, a unix time in ms. 0 (also the default) is no lower bound.
base::Result<int64_t> SinceParam(const Query& query, int64_t now_ms) {
  auto it = query.find("since");
  if (it == query.end()) return int64_t{0};
  if (std::optional<int64_t> unix_ms = ParseNumber(it->second)) return *unix_ms;
  base::Result<base::Duration> back = base::ParseDuration(it->second);
  if (!back) {
    return base::Status::InvalidArgument(
        "query parameter \"since\" must be a duration such as 1h, 30m or 2d, or a unix time in "
        "ms; got \"" +
        it->second + "\"");
  }
  // Further back than 1970 is the same as no bound at all.
  return std::max<int64_t>(0, now_ms - back->count());
}

json ProgramsJson(const std::vector<ProgramInfo>& programs) {
  json list = json::array();
  for (const ProgramInfo& info : programs) list.push_back(ToJson(info));
  return list;
}

std::string_view PathOf(std::string_view target) { return target.substr(0, target.find('?')); }

}  // namespace

int HttpStatusFor(base::StatusCode code) {
  switch (code) {
    case base::StatusCode::kOk:
      return 200;
    case base::StatusCode::kInvalidArgument:
      return 400;
    case base::StatusCode::kNotFound:
      return 404;
    case base::StatusCode::kConflict:
      return 409;
    case base::StatusCode::kUnavailable:
      return 503;
    case base::StatusCode::kDeadlineExceeded:
      return 504;
    case base::StatusCode::kIoError:
    case base::StatusCode::kInternal:
      return 500;
  }
  return 500;
}

Response ErrorResponse(const base::Status& status) {
  return JsonError(HttpStatusFor(status.code()), status.message());
}

Router::Router(Controller& controller, TailFn tail_fn)
    : controller_(controller), tail_fn_(std::move(tail_fn)), alive_(std::make_shared<char>()) {}

Router::~Router() = default;

void Router::Handle(std::string_view method, std::string_view target, std::string_view body,
                    RespondFn respond) {
  // The boundary for nlohmann (and std::bad_alloc): nothing thrown below reaches Beast.
  try {
    auto parsed = ParseTarget(target);
    if (!parsed) {
      respond(ErrorResponse(parsed.error()));
      return;
    }
    const std::vector<std::string>& segments = parsed->segments;
    if (segments.size() >= 2 && segments[0] == "v1" &&
        HandleV1(method, segments, parsed->query, body, respond)) {
      return;
    }
    respond(JsonError(404, "no such route: " + std::string(PathOf(target))));
  } catch (const std::exception& e) {
    respond(JsonError(500, std::string("internal error: ") + e.what()));
  }
}

bool Router::HandleV1(std::string_view method, const std::vector<std::string>& segments,
                      const Query& query, std::string_view body, RespondFn& respond) {
  const std::string& what = segments[1];
  if (segments.size() == 2) {
    if (what == "info") {
      if (MethodIs(method, "GET", respond)) respond(JsonResponse(200, ToJson(controller_.Info())));
      return true;
    }
    if (what == "programs") {
      if (MethodIs(method, "GET", respond)) {
        respond(JsonResponse(200, json{{"programs", ProgramsJson(controller_.ListPrograms())}}));
      }
      return true;
    }
    if (what == "start" || what == "stop" || what == "restart") {
      if (!MethodIs(method, "POST", respond)) return true;
      auto request = ParseActionRequest(body);
      if (!request) {
        respond(ErrorResponse(request.error()));
        return true;
      }
      Action action = what == "start"  ? Action::kStart
                      : what == "stop" ? Action::kStop
                                       : Action::kRestart;
      RunAction(action, std::move(request->programs), request->wait, std::move(respond));
      return true;
    }
    if (what == "signal") {
      if (!MethodIs(method, "POST", respond)) return true;
      auto request = ParseSignalRequest(body, /*with_programs=*/true);
      respond(request ? Signal(request->programs, request->signo) : ErrorResponse(request.error()));
      return true;
    }
    if (what == "reload") {
      if (!MethodIs(method, "POST", respond)) return true;
      auto summary = controller_.Reload();
      respond(summary ? JsonResponse(200, ToJson(*summary)) : ErrorResponse(summary.error()));
      return true;
    }
    if (what == "tasks") {
      if (MethodIs(method, "GET", respond)) {
        json tasks = json::array();
        for (const TaskInfo& task : controller_.ListTasks()) tasks.push_back(ToJson(task));
        respond(JsonResponse(200, json{{"tasks", std::move(tasks)}}));
      }
      return true;
    }
    if (what == "runs") {
      if (MethodIs(method, "GET", respond)) respond(Runs(query));
      return true;
    }
    if (what == "events") {
      if (MethodIs(method, "GET", respond)) respond(Events(query));
      return true;
    }
    if (what == "shutdown") {
      if (!MethodIs(method, "POST", respond)) return true;
      Response response = JsonResponse(202, json{{"ok", true}});
      // After the write, so the client learns the request was accepted before the
      // daemon starts tearing down.
      response.after_write = [alive = std::weak_ptr<char>(alive_), controller = &controller_] {
        if (!alive.expired()) controller->Shutdown();
      };
      respond(std::move(response));
      return true;
    }
  }
  if (what == "programs" && (segments.size() == 3 || segments.size() == 4)) {
    return HandleProgram(method, segments, query, body, respond);
  }
  if (what == "tasks" && (segments.size() == 3 || segments.size() == 4)) {
    return HandleTask(method, segments, query, respond);
  }
  if (what == "runs" && segments.size() == 4 && segments[3] == "output") {
    if (MethodIs(method, "GET", respond)) respond(RunOutput(segments[2]));
    return true;
  }
  return false;
}

bool Router::HandleTask(std::string_view method, const std::vector<std::string>& segments,
                        const Query& query, RespondFn& respond) {
  const std::string& name = segments[2];
  if (segments.size() == 3) {
    if (!MethodIs(method, "GET", respond)) return true;
    auto info = controller_.GetTask(name);
    respond(info ? JsonResponse(200, ToJson(*info)) : ErrorResponse(info.error()));
    return true;
  }
  const std::string& verb = segments[3];
  if (verb == "run") {
    if (!MethodIs(method, "POST", respond)) return true;
    // Unlike program actions, the default is not to wait: a task run may take hours.
    auto wait = BoolParam(query, "wait", false);
    if (!wait) {
      respond(ErrorResponse(wait.error()));
      return true;
    }
    RunTask(name, *wait, std::move(respond));
    return true;
  }
  if (verb == "enable" || verb == "disable") {
    if (!MethodIs(method, "POST", respond)) return true;
    auto info = controller_.SetTaskEnabled(name, verb == "enable");
    respond(info ? JsonResponse(200, json{{"ok", true}, {"task", ToJson(*info)}})
                 : ErrorResponse(info.error()));
    return true;
  }
  return false;
}

bool Router::HandleProgram(std::string_view method, const std::vector<std::string>& segments,
                           const Query& query, std::string_view body, RespondFn& respond) {
  const std::string& name = segments[2];
  if (segments.size() == 3) {
    if (!MethodIs(method, "GET", respond)) return true;
    auto info = controller_.GetProgram(name);
    respond(info ? JsonResponse(200, ToJson(*info)) : ErrorResponse(info.error()));
    return true;
  }
  const std::string& verb = segments[3];
  if (verb == "start" || verb == "stop" || verb == "restart") {
    if (!MethodIs(method, "POST", respond)) return true;
    auto wait = BoolParam(query, "wait", true);
    if (!wait) {
      respond(ErrorResponse(wait.error()));
      return true;
    }
    Action action = verb == "start"  ? Action::kStart
                    : verb == "stop" ? Action::kStop
                                     : Action::kRestart;
    RunAction(action, {name}, *wait, std::move(respond));
    return true;
  }
  if (verb == "signal") {
    if (!MethodIs(method, "POST", respond)) return true;
    auto request = ParseSignalRequest(body, /*with_programs=*/false);
    respond(request ? Signal({name}, request->signo) : ErrorResponse(request.error()));
    return true;
  }
  if (verb == "logs") {
    if (MethodIs(method, "GET", respond)) respond(Logs(name, query));
    return true;
  }
  return false;
}

void Router::RunAction(Action action, std::vector<std::string> names, bool wait,
                       RespondFn respond) {
  DoneFn done = [this, alive = std::weak_ptr<char>(alive_), names,
                 respond = std::move(respond)](base::Status status) {
    // The Controller may call this long after the request, when the server is gone.
    if (alive.expired()) return;
    try {
      if (!status.ok()) {
        respond(ErrorResponse(status));
        return;
      }
      respond(JsonResponse(200, json{{"ok", true}, {"programs", ProgramsJson(Affected(names))}}));
    } catch (const std::exception& e) {
      respond(JsonError(500, std::string("internal error: ") + e.what()));
    }
  };
  switch (action) {
    case Action::kStart:
      controller_.Start(names, wait, std::move(done));
      break;
    case Action::kStop:
      controller_.Stop(names, wait, std::move(done));
      break;
    case Action::kRestart:
      controller_.Restart(names, wait, std::move(done));
      break;
  }
}

void Router::RunTask(const std::string& name, bool wait, RespondFn respond) {
  auto done = [alive = std::weak_ptr<char>(alive_),
               respond = std::move(respond)](base::Result<RunInfo> run) {
    // With wait, this fires when the run ends, possibly after the server is gone.
    if (alive.expired()) return;
    try {
      if (!run) {
        respond(ErrorResponse(run.error()));
        return;
      }
      respond(JsonResponse(200, json{{"ok", true}, {"run", ToJson(*run)}}));
    } catch (const std::exception& e) {
      respond(JsonError(500, std::string("internal error: ") + e.what()));
    }
  };
  controller_.RunTask(name, wait, std::move(done));
}

Response Router::Runs(const Query& query) {
  std::string task;
  if (auto it = query.find("task"); it != query.end()) task = it->second;
  auto limit = LimitParam(query, "limit", kDefaultRuns, kMaxRuns);
  if (!limit) return ErrorResponse(limit.error());
  auto runs = controller_.ListRuns(task, static_cast<int>(*limit));
  if (!runs) return ErrorResponse(runs.error());
  json list = json::array();
  // Without a history database the Controller lists each task's last run, which may be
  // more than asked for; the page size is this route's promise, so it is kept here.
  for (size_t i = 0; i < runs->size() && i < *limit; ++i) list.push_back(ToJson((*runs)[i]));
  return JsonResponse(200, json{{"runs", std::move(list)}});
}

Response Router::RunOutput(const std::string& id_text) {
  std::optional<int64_t> id = ParseNumber(id_text);
  if (!id) {
    return ErrorResponse(
        base::Status::InvalidArgument("run id must be a number, got \"" + id_text + "\""));
  }
  auto output = controller_.RunOutput(*id);
  if (!output) return ErrorResponse(output.error());
  return JsonResponse(200, json{{"output", *output}});
}

Response Router::Events(const Query& query) {
  EventQuery request;
  auto since = SinceParam(query, NowUnixMs());
  if (!since) return ErrorResponse(since.error());
  request.since_ms = *since;
  if (auto it = query.find("subject"); it != query.end()) request.subject = it->second;
  if (auto it = query.find("type"); it != query.end()) request.type = it->second;
  auto before = IdParam(query, "before");
  if (!before) return ErrorResponse(before.error());
  request.before_id = *before;
  auto limit = LimitParam(query, "limit", kDefaultEvents, kMaxEvents);
  if (!limit) return ErrorResponse(limit.error());
  request.limit = static_cast<int>(*limit);

  auto events = controller_.ListEvents(request);
  if (!events) return ErrorResponse(events.error());
  json list = json::array();
  int64_t oldest_id = 0;
  size_t count = std::min(events->size(), *limit);
  for (size_t i = 0; i < count; ++i) {
    const EventInfo& event = (*events)[i];
    list.push_back(ToJson(event));
    if (oldest_id == 0 || event.id < oldest_id) oldest_id = event.id;
  }
  // A full page may have older events behind it; a short one is the end of the history.
  json next_before = count == *limit && oldest_id > 0 ? json(oldest_id) : json(nullptr);
  return JsonResponse(200, json{{"events", std::move(list)}, {"next_before", next_before}});
}

Response Router::Signal(const std::vector<std::string>& names, int signo) {
  base::Status status = controller_.Signal(names, signo);
  if (!status.ok()) return ErrorResponse(status);
  return JsonResponse(200, json{{"ok", true}, {"programs", ProgramsJson(Affected(names))}});
}

Response Router::Logs(const std::string& name, const Query& query) {
  Stream stream = Stream::kStdout;
  if (auto it = query.find("stream"); it != query.end()) {
    if (it->second == "stderr") {
      stream = Stream::kStderr;
    } else if (it->second != "stdout") {
      return ErrorResponse(
          base::Status::InvalidArgument("query parameter \"stream\" must be stdout or stderr"));
    }
  }
  auto count = CountParam(query, "lines", kDefaultLogLines, kMaxLogLines);
  if (!count) return ErrorResponse(count.error());
  auto follow = BoolParam(query, "follow", false);
  if (!follow) return ErrorResponse(follow.error());

  auto path = controller_.LogPath(name, stream);
  if (!path) return ErrorResponse(path.error());
  std::vector<std::string> lines;
  if (*count > 0) {
    if (!tail_fn_) return ErrorResponse(base::Status::Internal("no log reader configured"));
    auto tail = tail_fn_(*path, *count);
    if (tail) {
      lines = std::move(tail).value();
    } else if (tail.error().code() != base::StatusCode::kNotFound) {
      // NotFound means the program has not written anything yet: an empty tail.
      return ErrorResponse(tail.error());
    }
  }
  if (!*follow) return JsonResponse(200, json{{"lines", lines}});

  Response response;
  response.content_type = "text/plain; charset=utf-8";
  for (const std::string& line : lines) response.body += line + "\n";
  response.follow = [controller = &controller_, name,
                     stream](std::function<void(std::string_view)> sink) {
    return controller->FollowLog(name, stream, std::move(sink));
  };
  return response;
}

std::vector<ProgramInfo> Router::Affected(const std::vector<std::string>& names) {
  std::vector<ProgramInfo> affected;
  for (ProgramInfo& info : controller_.ListPrograms()) {
    for (const std::string& name : names) {
      bool instance_of = info.name.size() > name.size() &&
                         info.name.compare(0, name.size(), name) == 0 &&
                         info.name[name.size()] == ':';
      if (name == "all" || info.name == name || instance_of) {
        affected.push_back(std::move(info));
        break;
      }
    }
  }
  return affected;
}

}  // namespace vigil::api
