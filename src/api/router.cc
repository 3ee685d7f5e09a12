// SPDX-License-Identifier: MIT
// The /v1 routes: the route table, request validation, controller calls and JSON responses.
#include "api/router.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <exception>
#include <nlohmann/json.hpp>
#include <optional>

#include "api/json_codec.h"
#include "api/prometheus.h"
#include "api/url.h"
#include "base/units.h"

namespace vigil::api {
namespace {

using nlohmann::json;
using Query = std::map<std::string, std::string>;

// ?stream=stdout (the default) or stderr.
base::Result<Stream> StreamParam(const Query& query) {
  auto it = query.find("stream");
  if (it == query.end() || it->second == "stdout") return Stream::kStdout;
  if (it->second == "stderr") return Stream::kStderr;
  return base::Status::InvalidArgument("query parameter \"stream\" must be stdout or stderr");
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

// A log line's seq (docs/api.md, GET /v1/stream): lines read back from before vigild
// started have seqs of 0 and below.
std::optional<int64_t> SeqParam(const Query& query, const std::string& key) {
  auto it = query.find(key);
  if (it == query.end()) return std::nullopt;
  int64_t value = 0;
  const char* end = it->second.data() + it->second.size();
  auto [ptr, ec] = std::from_chars(it->second.data(), end, value);
  if (ec != std::errc() || ptr != end || it->second.empty()) return std::nullopt;
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
base::Result<size_t> LimitParam(const Query& query, const std::string& key, size_t fallback, size_t max) {
  auto it = query.find(key);
  if (it == query.end()) return fallback;
  std::optional<int64_t> value = ParseNumber(it->second);
  if (!value || *value < 1 || static_cast<uint64_t>(*value) > max) {
    return base::Status::InvalidArgument("query parameter \"" + key + "\" must be a number from 1 to " +
                                         std::to_string(max) + ", got \"" + it->second + "\"");
  }
  return static_cast<size_t>(*value);
}

int64_t NowUnixMs() { return base::UnixMs(std::chrono::system_clock::now()); }

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

// ?names=web,db: the programs those names select, resolved as every action resolves them.
// Absent: an empty list (everything); present but listing nothing: an error.
base::Result<std::vector<std::string>> NamesParam(const Query& query) {
  std::vector<std::string> names;
  auto it = query.find("names");
  if (it == query.end()) return names;
  std::string_view rest = it->second;
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    if (comma != 0) names.emplace_back(rest.substr(0, comma));
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  if (names.empty()) return base::Status::InvalidArgument("query parameter \"names\" must list program names");
  return names;
}

json ProgramsJson(const std::vector<ProgramInfo>& programs) {
  json list = json::array();
  for (const ProgramInfo& info : programs) list.push_back(ToJson(info));
  return list;
}

// "timeout" of a waiting action, from the query: a duration ("30s", "5m"); absent = the
// controller's default.
base::Result<std::optional<base::Duration>> TimeoutParam(const Query& query) {
  auto it = query.find("timeout");
  if (it == query.end()) return std::optional<base::Duration>();
  base::Result<base::Duration> timeout = base::ParseDuration(it->second);
  if (!timeout) return base::Status::InvalidArgument("query parameter \"timeout\": " + timeout.error().message());
  return std::optional<base::Duration>(*timeout);
}

// The path of a target, without its query, for messages.
std::string_view PathOf(std::string_view target) { return target.substr(0, target.find('?')); }

// Splits "/v1/programs/{name}" into its segments.
std::vector<std::string_view> PatternSegments(std::string_view pattern) {
  std::vector<std::string_view> out;
  size_t pos = 1;  // after the leading '/'
  while (pos <= pattern.size()) {
    size_t slash = pattern.find('/', pos);
    if (slash == std::string_view::npos) slash = pattern.size();
    out.push_back(pattern.substr(pos, slash - pos));
    pos = slash + 1;
  }
  return out;
}

// Whether `segments` fit `pattern`; the {parameter} segments go to `params`.
bool Matches(std::string_view pattern, const std::vector<std::string>& segments, std::vector<std::string>* params) {
  std::vector<std::string_view> parts = PatternSegments(pattern);
  if (parts.size() != segments.size()) return false;
  std::vector<std::string> found;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (parts[i].size() > 2 && parts[i].front() == '{' && parts[i].back() == '}') {
      found.push_back(segments[i]);
    } else if (parts[i] != segments[i]) {
      return false;
    }
  }
  *params = std::move(found);
  return true;
}

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

Response JsonResponse(int status, const json& value) {
  Response response;
  response.status = status;
  response.body = DumpJson(value);
  return response;
}

Response JsonError(int status, const std::string& message) {
  return JsonResponse(status, json{{"error", message}});
}

Response ErrorResponse(const base::Status& status) {
  return JsonError(HttpStatusFor(status.code()), status.message());
}

std::span<const Router::Route> Router::Routes() {
  static const Route kRoutes[] = {
      {"GET", "/v1/info", &Router::GetInfo},
      {"GET", "/v1/programs", &Router::ListPrograms},
      {"GET", "/v1/programs/{name}", &Router::GetProgram},
      {"POST", "/v1/start", &Router::StartPrograms},
      {"POST", "/v1/stop", &Router::StopPrograms},
      {"POST", "/v1/restart", &Router::RestartPrograms},
      {"POST", "/v1/programs/{name}/start", &Router::StartProgram},
      {"POST", "/v1/programs/{name}/stop", &Router::StopProgram},
      {"POST", "/v1/programs/{name}/restart", &Router::RestartProgram},
      {"POST", "/v1/programs/{name}/autostart", &Router::SetAutostart},
      {"POST", "/v1/signal", &Router::SignalPrograms},
      {"POST", "/v1/programs/{name}/signal", &Router::SignalProgram},
      {"POST", "/v1/reload", &Router::Reload},
      {"POST", "/v1/shutdown", &Router::Shutdown},
      {"GET", "/v1/programs/{name}/logs", &Router::ProgramLogs},
      {"GET", "/v1/programs/{name}/logs/download", &Router::DownloadLog},
      {"GET", "/v1/programs/{name}/lifetimes", &Router::ListLifetimes},
      {"GET", "/v1/stream", &Router::OpenStream},
      {"GET", "/v1/tasks", &Router::ListTasks},
      {"GET", "/v1/tasks/{name}", &Router::GetTask},
      {"POST", "/v1/tasks/{name}/run", &Router::RunTask},
      {"POST", "/v1/tasks/{name}/enable", &Router::EnableTask},
      {"POST", "/v1/tasks/{name}/disable", &Router::DisableTask},
      {"GET", "/v1/runs", &Router::ListRuns},
      {"GET", "/v1/runs/{id}/output", &Router::RunOutput},
      {"GET", "/v1/events", &Router::ListEvents},
      {"GET", "/v1/top", &Router::Top},
      {"GET", "/v1/health", &Router::Health},
      {"GET", "/v1/findings", &Router::ListFindings},
      {"GET", "/v1/metrics", &Router::ListMetrics},
      {"GET", "/v1/metrics/history", &Router::MetricHistory},
      {"GET", "/v1/report", &Router::Report},
      {"POST", "/v1/alerts/{name}/test", &Router::TestAlert},
      {"GET", "/v1/programs/{name}/config", &Router::GetProgramConfig},
      {"PUT", "/v1/programs/{name}/config", &Router::SaveProgramConfig},
      {"POST", "/v1/programs/{name}/config/validate", &Router::ValidateProgramConfig},
      {"GET", "/metrics", &Router::Metrics},
      {"GET", "/v1/token", &Router::GetToken},
      {"POST", "/v1/token/rotate", &Router::RotateToken},
      {"POST", "/v1/web/login-link", &Router::LoginLink},
  };
  return kRoutes;
}

Router::Router(Controllers controllers, TailFn tail_fn)
    : controllers_(controllers), tail_fn_(std::move(tail_fn)), alive_(std::make_shared<char>()) {}

Router::~Router() = default;

void Router::Handle(std::string_view method, std::string_view target, std::string_view body, RespondFn respond,
                    const CallerContext& caller) {
  // Answered once, whichever way: a handler may hand its copy on (to a controller that
  // answers later) and still fail afterwards; then the catch below answers, and the copy
  // handed on (if it survives) finds the answer given.
  auto answer = std::make_shared<RespondFn>(std::move(respond));
  respond = [answer](Response response) {
    if (RespondFn fn = std::exchange(*answer, nullptr)) fn(std::move(response));
  };
  // The boundary for nlohmann (and std::bad_alloc): nothing thrown below reaches Beast.
  try {
    auto parsed = ParseTarget(target);
    if (!parsed) {
      respond(ErrorResponse(parsed.error()));
      return;
    }
    std::string allow;
    for (const Route& route : Routes()) {
      std::vector<std::string> params;
      if (!Matches(route.pattern, parsed->segments, &params)) continue;
      if (route.method == method) {
        Request request{std::move(params), parsed->query, body, caller};
        (this->*route.handler)(request, respond);
        return;
      }
      allow += (allow.empty() ? "" : ", ") + std::string(route.method);
    }
    if (allow.empty()) {
      respond(JsonError(404, "no such route: " + std::string(PathOf(target))));
      return;
    }
    Response response = JsonError(405, "method " + std::string(method) + " not allowed here; use " + allow);
    response.allow = allow;
    respond(std::move(response));
  } catch (const std::exception& e) {
    if (RespondFn fn = std::exchange(*answer, nullptr)) fn(JsonError(500, std::string("internal error: ") + e.what()));
  }
}

// --- daemon ---

void Router::GetInfo(const Request&, RespondFn& respond) {
  respond(JsonResponse(200, ToJson(controllers_.daemon.Info())));
}

void Router::Reload(const Request&, RespondFn& respond) {
  auto summary = controllers_.daemon.Reload();
  respond(summary ? JsonResponse(200, ToJson(*summary)) : ErrorResponse(summary.error()));
}

void Router::Shutdown(const Request&, RespondFn& respond) {
  Response response = JsonResponse(202, json{{"ok", true}});
  // After the write, so the client learns the request was accepted before the daemon
  // starts tearing down.
  response.after_write = [alive = std::weak_ptr<char>(alive_), daemon = &controllers_.daemon] {
    if (!alive.expired()) daemon->Shutdown();
  };
  respond(std::move(response));
}

// --- the HTTP listener's access (unix socket only: the web module's gate refuses these
// paths over TCP) ---

void Router::GetToken(const Request& r, RespondFn& respond) { Token(r, /*rotate=*/false, respond); }

void Router::RotateToken(const Request& r, RespondFn& respond) { Token(r, /*rotate=*/true, respond); }

void Router::Token(const Request& r, bool rotate, RespondFn& respond) {
  auto role = r.query.find("role");
  auto token = controllers_.daemon.Token(role == r.query.end() ? "admin" : role->second, rotate);
  if (!token) return respond(ErrorResponse(token.error()));
  respond(JsonResponse(200, json{{"role", token->role}, {"token", token->token}, {"file", token->file.string()}}));
}

void Router::LoginLink(const Request& r, RespondFn& respond) {
  auto role = r.query.find("role");
  auto url = controllers_.daemon.LoginLink(role == r.query.end() ? "admin" : role->second);
  if (!url) return respond(ErrorResponse(url.error()));
  respond(JsonResponse(200, json{{"url", *url}}));
}

// --- programs ---

void Router::ListPrograms(const Request& r, RespondFn& respond) {
  base::Result<std::vector<std::string>> names = NamesParam(r.query);
  if (!names) return respond(ErrorResponse(names.error()));
  // The busiest route (every dashboard polls it): written straight into the body, one
  // program at a time, instead of copying every program and building a JSON value first.
  // The same bytes as JsonResponse(200, {"programs": [...]}).
  Response response;
  response.body.reserve(programs_body_bytes_);
  response.body = "{\"programs\":[";
  base::Status s = controllers_.programs.VisitPrograms(*names, [&response](const ProgramInfo& info) {
    if (response.body.back() != '[') response.body.push_back(',');
    AppendJson(info, &response.body);
  });
  if (!s.ok()) return respond(ErrorResponse(s));
  response.body += "]}\n";
  programs_body_bytes_ = response.body.size();
  respond(std::move(response));
}

// --- resource use ---

void Router::Top(const Request& r, RespondFn& respond) {
  base::Result<std::vector<std::string>> names = NamesParam(r.query);
  if (!names) return respond(ErrorResponse(names.error()));
  controllers_.health.Top(*names, [respond = std::move(respond)](base::Result<TopView> view) {
    respond(view ? JsonResponse(200, ToJson(*view)) : ErrorResponse(view.error()));
  });
}

void Router::Health(const Request&, RespondFn& respond) {
  // The checks as they stand now; the machine's figures are measured now, and the answer
  // goes once the filesystems have answered (or their timeout has passed).
  json checks = json::array();
  for (const CheckInfo& c : controllers_.health.Checks()) checks.push_back(ToJson(c));
  controllers_.health.Machine(
      [respond = std::move(respond), checks = std::move(checks)](base::Result<TopView> view) mutable {
        if (!view) return respond(ErrorResponse(view.error()));
        json body = ToJson(*view);
        body.erase("programs");  // GET /v1/top has them
        body["checks"] = std::move(checks);
        respond(JsonResponse(200, body));
      });
}

void Router::Metrics(const Request&, RespondFn& respond) {
  // The programs' CPU and memory come from a usage view, which may take a moment.
  controllers_.health.Top({}, [this, alive = std::weak_ptr<char>(alive_), respond = std::move(respond)](
                                  base::Result<TopView> view) {
    if (alive.expired()) return;
    Scrape scrape;
    scrape.version = controllers_.daemon.Info().version;
    scrape.now_ms = NowUnixMs();
    scrape.programs = controllers_.programs.ListPrograms();
    if (view) scrape.usage = std::move(view->programs);
    scrape.tasks = controllers_.tasks.ListTasks();
    scrape.checks = controllers_.health.Checks();
    scrape.self = controllers_.daemon.Self();
    Response response;
    response.content_type = std::string(kPrometheusContentType);
    response.body = PrometheusText(scrape);
    respond(std::move(response));
  });
}

void Router::ListFindings(const Request& r, RespondFn& respond) {
  FindingQuery query;
  auto since = SinceParam(r.query, NowUnixMs());
  if (!since) return respond(ErrorResponse(since.error()));
  query.since_ms = *since;
  if (auto it = r.query.find("severity"); it != r.query.end()) {
    const std::string& s = it->second;
    if (s != "info" && s != "warn" && s != "crit") {
      return respond(ErrorResponse(
          base::Status::InvalidArgument("severity must be info, warn or crit, got \"" + s + "\"")));
    }
    query.min_rank = s == "info" ? 0 : s == "warn" ? 1 : 2;
  }
  auto before = IdParam(r.query, "before");
  if (!before) return respond(ErrorResponse(before.error()));
  query.before_id = *before;
  auto limit = LimitParam(r.query, "limit", kDefaultEvents, kMaxEvents);
  if (!limit) return respond(ErrorResponse(limit.error()));
  query.limit = static_cast<int>(*limit);
  auto found = controllers_.health.ListFindings(query);
  if (!found) return respond(ErrorResponse(found.error()));
  json list = json::array();
  int64_t oldest_id = 0;
  const size_t count = std::min(found->size(), *limit);
  for (size_t i = 0; i < count; ++i) {
    list.push_back(ToJson((*found)[i]));
    if (oldest_id == 0 || (*found)[i].id < oldest_id) oldest_id = (*found)[i].id;
  }
  json next_before = count == *limit && oldest_id > 0 ? json(oldest_id) : json(nullptr);
  respond(JsonResponse(200, json{{"findings", std::move(list)}, {"next_before", next_before}}));
}

void Router::ListMetrics(const Request&, RespondFn& respond) {
  auto names = controllers_.health.MetricNames();
  respond(names ? JsonResponse(200, json{{"metrics", *names}}) : ErrorResponse(names.error()));
}

// ?name=system.cpu&since=1h&until=...&step=1m: since and until as SinceParam reads them
// (until defaults to now), step a duration of whole seconds (default 1m).
void Router::MetricHistory(const Request& r, RespondFn& respond) {
  MetricHistoryQuery query;
  auto name = r.query.find("name");
  if (name == r.query.end() || name->second.empty()) {
    return respond(ErrorResponse(base::Status::InvalidArgument("query parameter \"name\" is required")));
  }
  query.name = name->second;
  const int64_t now_ms = NowUnixMs();
  Query window = r.query;
  if (!window.contains("since")) window["since"] = "1h";
  auto since = SinceParam(window, now_ms);
  if (!since) return respond(ErrorResponse(since.error()));
  query.since_ms = *since;
  query.until_ms = now_ms + 1;  // the sample taken this millisecond counts
  if (auto it = r.query.find("until"); it != r.query.end()) {
    auto until = SinceParam(Query{{"since", it->second}}, now_ms);
    if (!until) {
      return respond(ErrorResponse(base::Status::InvalidArgument(
          "query parameter \"until\" must be a duration back from now such as 1h, or a unix time in ms; got \"" +
          it->second + "\"")));
    }
    query.until_ms = *until;
  }
  if (auto it = r.query.find("step"); it != r.query.end()) {
    base::Result<base::Duration> step = base::ParseDuration(it->second);
    if (!step || step->count() < 1000 || step->count() % 1000 != 0) {
      return respond(ErrorResponse(base::Status::InvalidArgument(
          "query parameter \"step\" must be a duration of whole seconds, at least 1s, such as 1m or 1h; got \"" +
          it->second + "\"")));
    }
    query.step_s = step->count() / 1000;
  }
  auto points = controllers_.health.MetricHistory(query);
  if (!points) return respond(ErrorResponse(points.error()));
  json list = json::array();
  auto hundredths = [](double v) { return std::round(v * 100) / 100; };
  for (const MetricPointInfo& p : *points) {
    list.push_back(json{{"time_ms", p.time_ms}, {"count", p.count}, {"avg", hundredths(p.avg)},
                        {"max", hundredths(p.max)}});
  }
  respond(JsonResponse(200, json{{"name", query.name},
                                 {"since_ms", query.since_ms},
                                 {"until_ms", query.until_ms},
                                 {"step_s", query.step_s},
                                 {"points", std::move(list)}}));
}

// ?since=7d (the default) or a unix time in ms: the report of that period up to now.
void Router::Report(const Request& r, RespondFn& respond) {
  constexpr int64_t kDefaultPeriodMs = int64_t{7} * 24 * 3600 * 1000;
  const int64_t now = NowUnixMs();
  int64_t period_ms = kDefaultPeriodMs;
  if (r.query.count("since") > 0) {
    auto since = SinceParam(r.query, now);
    if (!since) return respond(ErrorResponse(since.error()));
    period_ms = now - *since;
    if (period_ms <= 0) {
      return respond(ErrorResponse(base::Status::InvalidArgument("query parameter \"since\" must be in the past")));
    }
  }
  auto view = controllers_.health.Report(period_ms);
  if (!view) return respond(ErrorResponse(view.error()));
  respond(JsonResponse(200, json{{"text", view->text}, {"report", json::parse(view->json, nullptr, false)}}));
}

void Router::TestAlert(const Request& r, RespondFn& respond) {
  const std::string name = r.params[0];
  // The answer comes when the delivery has ended, possibly after the server is gone.
  controllers_.health.TestAlert(
      name, [alive = std::weak_ptr<char>(alive_), respond = std::move(respond), name](base::Status s) mutable {
        if (alive.expired()) return;
        respond(s.ok() ? JsonResponse(200, json{{"alert", name}, {"sent", true}}) : ErrorResponse(s));
      });
}

void Router::GetProgram(const Request& r, RespondFn& respond) {
  auto info = controllers_.programs.GetProgram(r.params[0]);
  respond(info ? JsonResponse(200, ToJson(*info)) : ErrorResponse(info.error()));
}

void Router::StartPrograms(const Request& r, RespondFn& respond) { ActOnBody(Action::kStart, r, respond); }
void Router::StopPrograms(const Request& r, RespondFn& respond) { ActOnBody(Action::kStop, r, respond); }
void Router::RestartPrograms(const Request& r, RespondFn& respond) { ActOnBody(Action::kRestart, r, respond); }
void Router::StartProgram(const Request& r, RespondFn& respond) { ActOnOne(Action::kStart, r, respond); }
void Router::StopProgram(const Request& r, RespondFn& respond) { ActOnOne(Action::kStop, r, respond); }
void Router::RestartProgram(const Request& r, RespondFn& respond) { ActOnOne(Action::kRestart, r, respond); }

void Router::ActOnBody(Action action, const Request& r, RespondFn& respond) {
  auto request = ParseActionRequest(r.body);
  if (!request) {
    respond(ErrorResponse(request.error()));
    return;
  }
  Act(action, std::move(request->programs), WaitOptions{request->wait, request->timeout}, std::move(respond));
}

void Router::ActOnOne(Action action, const Request& r, RespondFn& respond) {
  auto wait = BoolParam(r.query, "wait", true);
  if (!wait) {
    respond(ErrorResponse(wait.error()));
    return;
  }
  auto timeout = TimeoutParam(r.query);
  if (!timeout) {
    respond(ErrorResponse(timeout.error()));
    return;
  }
  Act(action, {r.params[0]}, WaitOptions{*wait, *timeout}, std::move(respond));
}

void Router::Act(Action action, std::vector<std::string> names, const WaitOptions& wait, RespondFn respond) {
  ProgramsDoneFn done = [alive = std::weak_ptr<char>(alive_),
                         respond = std::move(respond)](base::Result<std::vector<ProgramInfo>> programs) {
    // The controller may call this long after the request, when the server is gone.
    if (alive.expired()) return;
    try {
      respond(programs ? JsonResponse(200, json{{"ok", true}, {"programs", ProgramsJson(*programs)}})
                       : ErrorResponse(programs.error()));
    } catch (const std::exception& e) {
      respond(JsonError(500, std::string("internal error: ") + e.what()));
    }
  };
  ProgramController& programs = controllers_.programs;
  switch (action) {
    case Action::kStart:
      programs.Start(names, wait, std::move(done));
      break;
    case Action::kStop:
      programs.Stop(names, wait, std::move(done));
      break;
    case Action::kRestart:
      programs.Restart(names, wait, std::move(done));
      break;
  }
}

void Router::SignalPrograms(const Request& r, RespondFn& respond) {
  auto request = ParseSignalRequest(r.body, /*with_programs=*/true);
  if (!request) {
    respond(ErrorResponse(request.error()));
    return;
  }
  Signal(request->programs, request->signo, respond);
}

void Router::SignalProgram(const Request& r, RespondFn& respond) {
  auto request = ParseSignalRequest(r.body, /*with_programs=*/false);
  if (!request) {
    respond(ErrorResponse(request.error()));
    return;
  }
  Signal({r.params[0]}, request->signo, respond);
}

void Router::Signal(const std::vector<std::string>& names, int signo, RespondFn& respond) {
  auto outcomes = controllers_.programs.Signal(names, signo);
  if (!outcomes) {
    respond(ErrorResponse(outcomes.error()));
    return;
  }
  json results = json::array();
  std::vector<std::string> errors;
  for (const SignalOutcome& o : *outcomes) {
    json one{{"program", o.program}, {"sent", o.error.empty()}};
    if (o.error.empty()) {
      one["pid"] = o.pid;
    } else {
      one["error"] = o.error;
      errors.push_back(o.error);
    }
    results.push_back(std::move(one));
  }
  if (!outcomes->empty() && errors.size() == outcomes->size()) {
    // Nobody got it: a refusal, with every reason.
    std::string message = errors.front();
    for (size_t i = 1; i < errors.size(); ++i) message += "; " + errors[i];
    respond(ErrorResponse(base::Status::Conflict(message)));
    return;
  }
  auto programs = controllers_.programs.FindPrograms(names);
  respond(JsonResponse(200, json{{"ok", errors.empty()},
                                 {"results", std::move(results)},
                                 {"programs", programs ? ProgramsJson(*programs) : json::array()}}));
}

void Router::ProgramLogs(const Request& r, RespondFn& respond) {
  const std::string& name = r.params[0];
  auto parsed_stream = StreamParam(r.query);
  if (!parsed_stream) return respond(ErrorResponse(parsed_stream.error()));
  const Stream stream = *parsed_stream;
  auto count = CountParam(r.query, "lines", kDefaultLogLines, kMaxLogLines);
  if (!count) return respond(ErrorResponse(count.error()));
  auto follow = BoolParam(r.query, "follow", false);
  if (!follow) return respond(ErrorResponse(follow.error()));

  auto path = controllers_.programs.LogPath(name, stream);
  if (!path) return respond(ErrorResponse(path.error()));
  if (r.query.count("from_seq") != 0) return LogLinesBySeq(r, *path, stream, respond);
  std::vector<std::string> lines;
  if (*count > 0) {
    auto tail = Tail(*path, *count);
    if (!tail) return respond(ErrorResponse(tail.error()));
    lines = std::move(tail).value();
  }
  if (!*follow) return respond(JsonResponse(200, json{{"lines", lines}}));

  Response response;
  response.content_type = "text/plain; charset=utf-8";
  for (const std::string& line : lines) response.body += line + "\n";
  response.follow = [programs = &controllers_.programs, name, stream](
                        std::function<void(std::string_view)> on_data, std::function<void(std::string_view)> on_end) {
    return programs->FollowLog(name, stream, std::move(on_data), std::move(on_end));
  };
  respond(std::move(response));
}

// The last `n` lines of a log; a log not written yet (NotFound) has none.
base::Result<std::vector<std::string>> Router::Tail(const std::filesystem::path& path, size_t n) const {
  if (!tail_fn_) return base::Status::Internal("no log reader configured");
  auto tail = tail_fn_(path, n);
  if (!tail && tail.error().code() == base::StatusCode::kNotFound) return std::vector<std::string>{};
  return tail;
}

// ?from_seq=A&to_seq=B: the lines a slow stream client missed (a `dropped` message), by
// the seqs of GET /v1/stream, read back from the file and its rotated predecessors.
void Router::LogLinesBySeq(const Request& r, const std::filesystem::path& path, Stream stream, RespondFn& respond) {
  const std::optional<int64_t> from = SeqParam(r.query, "from_seq");
  if (!from) return respond(JsonError(400, "query parameter \"from_seq\" must be a line's seq"));
  const auto newest = static_cast<int64_t>(controllers_.programs.LogLineCount(r.params[0], stream));
  std::optional<int64_t> to = r.query.count("to_seq") != 0 ? SeqParam(r.query, "to_seq") : newest;
  if (!to) return respond(JsonError(400, "query parameter \"to_seq\" must be a line's seq"));
  to = std::min(*to, newest);
  if (*to < *from) return respond(JsonResponse(200, json{{"from_seq", *from}, {"lines", json::array()}}));
  const int64_t back = newest - *from + 1;
  if (back > static_cast<int64_t>(kMaxLogLines)) {
    return respond(JsonError(400, "from_seq is too far back: at most " + std::to_string(kMaxLogLines) +
                                      " lines before the newest can be read this way"));
  }
  auto tail = Tail(path, static_cast<size_t>(back));
  if (!tail) return respond(ErrorResponse(tail.error()));
  std::vector<std::string> read = std::move(tail).value();
  // The tail ends at the newest line; what rotation took away is missing from its start.
  int64_t seq = newest - static_cast<int64_t>(read.size()) + 1;
  json lines = json::array();
  int64_t first = 0;
  for (std::string& line : read) {
    if (seq >= *from && seq <= *to) {
      if (lines.empty()) first = seq;
      lines.push_back(std::move(line));
    }
    ++seq;
  }
  respond(JsonResponse(200, json{{"from_seq", lines.empty() ? *from : first}, {"lines", std::move(lines)}}));
}

void Router::OpenStream(const Request&, RespondFn& respond) {
  auto peer = controllers_.daemon.OpenStream();
  if (!peer) return respond(ErrorResponse(peer.error()));
  Response response;
  response.status = 101;
  response.websocket = std::move(peer).value();
  respond(std::move(response));
}

// --- tasks, runs, events ---

void Router::ListTasks(const Request&, RespondFn& respond) {
  json tasks = json::array();
  for (const TaskInfo& task : controllers_.tasks.ListTasks()) tasks.push_back(ToJson(task));
  respond(JsonResponse(200, json{{"tasks", std::move(tasks)}}));
}

void Router::GetTask(const Request& r, RespondFn& respond) {
  auto info = controllers_.tasks.GetTask(r.params[0]);
  respond(info ? JsonResponse(200, ToJson(*info)) : ErrorResponse(info.error()));
}

void Router::RunTask(const Request& r, RespondFn& respond) {
  // Unlike program actions, the default is not to wait: a task run may take hours.
  auto wait = BoolParam(r.query, "wait", false);
  if (!wait) return respond(ErrorResponse(wait.error()));
  auto done = [alive = std::weak_ptr<char>(alive_), respond = std::move(respond)](base::Result<RunInfo> run) {
    // With wait, this fires when the run ends, possibly after the server is gone.
    if (alive.expired()) return;
    try {
      respond(run ? JsonResponse(200, json{{"ok", true}, {"run", ToJson(*run)}}) : ErrorResponse(run.error()));
    } catch (const std::exception& e) {
      respond(JsonError(500, std::string("internal error: ") + e.what()));
    }
  };
  controllers_.tasks.RunTask(r.params[0], RunBy::kPerson, *wait, std::move(done));
}

void Router::EnableTask(const Request& r, RespondFn& respond) { SetTaskEnabled(r, true, respond); }
void Router::DisableTask(const Request& r, RespondFn& respond) { SetTaskEnabled(r, false, respond); }

void Router::SetTaskEnabled(const Request& r, bool enabled, RespondFn& respond) {
  auto info = controllers_.tasks.SetTaskEnabled(r.params[0], enabled);
  respond(info ? JsonResponse(200, json{{"ok", true}, {"task", ToJson(*info)}}) : ErrorResponse(info.error()));
}

void Router::ListRuns(const Request& r, RespondFn& respond) {
  std::string task;
  if (auto it = r.query.find("task"); it != r.query.end()) task = it->second;
  auto limit = LimitParam(r.query, "limit", kDefaultRuns, kMaxRuns);
  if (!limit) return respond(ErrorResponse(limit.error()));
  auto runs = controllers_.tasks.ListRuns(task, static_cast<int>(*limit));
  if (!runs) return respond(ErrorResponse(runs.error()));
  json list = json::array();
  // Without a history database the controller lists each task's last run, which may be
  // more than asked for; the page size is this route's promise, so it is kept here.
  for (size_t i = 0; i < runs->size() && i < *limit; ++i) list.push_back(ToJson((*runs)[i]));
  respond(JsonResponse(200, json{{"runs", std::move(list)}}));
}

void Router::RunOutput(const Request& r, RespondFn& respond) {
  std::optional<int64_t> id = ParseNumber(r.params[0]);
  if (!id) {
    return respond(
        ErrorResponse(base::Status::InvalidArgument("run id must be a number, got \"" + r.params[0] + "\"")));
  }
  auto output = controllers_.tasks.RunOutput(*id);
  respond(output ? JsonResponse(200, json{{"output", *output}}) : ErrorResponse(output.error()));
}

void Router::ListEvents(const Request& r, RespondFn& respond) {
  EventQuery request;
  auto since = SinceParam(r.query, NowUnixMs());
  if (!since) return respond(ErrorResponse(since.error()));
  request.since_ms = *since;
  if (auto it = r.query.find("subject"); it != r.query.end()) request.subject = it->second;
  if (auto it = r.query.find("type"); it != r.query.end()) {
    request.type = base::ParseEventType(it->second);
    if (!request.type) {
      return respond(ErrorResponse(base::Status::InvalidArgument("unknown event type \"" + it->second +
                                                                 "\" (one of: " +
                                                                 std::string(base::EventTypeList()) + ")")));
    }
  }
  auto before = IdParam(r.query, "before");
  if (!before) return respond(ErrorResponse(before.error()));
  request.before_id = *before;
  auto limit = LimitParam(r.query, "limit", kDefaultEvents, kMaxEvents);
  if (!limit) return respond(ErrorResponse(limit.error()));
  request.limit = static_cast<int>(*limit);

  auto events = controllers_.events.ListEvents(request);
  if (!events) return respond(ErrorResponse(events.error()));
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
  respond(JsonResponse(200, json{{"events", std::move(list)}, {"next_before", next_before}}));
}

void Router::SetAutostart(const Request& r, RespondFn& respond) {
  const json body = json::parse(r.body, nullptr, /*allow_exceptions=*/false);
  if (!body.is_object() || !body.contains("enabled") || !body["enabled"].is_boolean()) {
    return respond(ErrorResponse(base::Status::InvalidArgument("expected a JSON body {\"enabled\": true or false}")));
  }
  auto programs = controllers_.programs.SetAutostart({r.params[0]}, body["enabled"].get<bool>());
  if (!programs) return respond(ErrorResponse(programs.error()));
  json list = json::array();
  for (const ProgramInfo& p : *programs) list.push_back(ToJson(p));
  respond(JsonResponse(200, json{{"programs", std::move(list)}}));
}

void Router::DownloadLog(const Request& r, RespondFn& respond) {
  auto stream = StreamParam(r.query);
  if (!stream) return respond(ErrorResponse(stream.error()));
  auto path = controllers_.programs.LogPath(r.params[0], *stream);
  if (!path) return respond(ErrorResponse(path.error()));
  // "web:1" -> web_1.out.log: a name any browser saves as it is.
  std::string name = r.params[0];
  for (char& c : name) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                       c == '-' || c == '_';
    if (!plain) c = '_';
  }
  Response response;
  response.content_type = "text/plain; charset=utf-8";
  response.file = *path;
  response.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + name +
                                                           (*stream == Stream::kStderr ? ".err.log" : ".out.log") +
                                                           "\"");
  respond(std::move(response));
}

void Router::ListLifetimes(const Request& r, RespondFn& respond) {
  // An unknown name is a 404, not an empty history: it is most likely a typo.
  auto known = controllers_.programs.FindPrograms({r.params[0]});
  if (!known) return respond(ErrorResponse(known.error()));
  auto before = IdParam(r.query, "before");
  if (!before) return respond(ErrorResponse(before.error()));
  auto limit = LimitParam(r.query, "limit", kDefaultLifetimes, kMaxLifetimes);
  if (!limit) return respond(ErrorResponse(limit.error()));
  auto lives = controllers_.events.ListLifetimes(r.params[0], *before, static_cast<int>(*limit));
  if (!lives) return respond(ErrorResponse(lives.error()));
  json list = json::array();
  for (const LifetimeInfo& l : *lives) {
    list.push_back(json{{"id", l.id},
                        {"program", l.program},
                        {"pid", l.pid},
                        {"started_ms", l.started_ms},
                        {"ended_ms", l.ended_ms},
                        {"exit_status", l.exit_status},
                        {"reason", l.reason}});
  }
  // A full page may have older lifetimes behind it.
  json next_before = lives->size() == *limit && !lives->empty() ? json(lives->back().id) : json(nullptr);
  respond(JsonResponse(200, json{{"lifetimes", std::move(list)}, {"next_before", next_before}}));
}

}  // namespace vigil::api
