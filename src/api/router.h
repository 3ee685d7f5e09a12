// SPDX-License-Identifier: MIT
// api::Router: the /v1 API (docs/api.md) as one route table {method, pattern, handler};
// maps a request (method, target, body) to controller calls and builds the response. 404
// and 405 (with Allow) come from the table. Knows nothing about sockets or Beast, so the
// transport (http_server.cc) stays a thin layer.
// Thread rule: loop thread only, like the controllers it calls.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/controllers.h"
#include "api/websocket.h"
#include "base/status.h"
#include "event/loop.h"

namespace vigil::api {

// Returns the last `n` lines of a program's log, following rotation as the logs module
// does. NotFound means "no log yet" and is answered as an empty tail.
using TailFn = std::function<base::Result<std::vector<std::string>>(
    const std::filesystem::path& path, size_t n)>;

// Starts delivering live log bytes to `on_data` until the returned handle is destroyed, or
// until the stream ends: then `on_end` gets its last line, once.
using FollowFn = std::function<base::Result<event::HandlePtr>(std::function<void(std::string_view)> on_data,
                                                              std::function<void(std::string_view)> on_end)>;

// One response, independent of the transport.
struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::string allow;  // the Allow header of a 405
  // More header fields (Set-Cookie, Location, WWW-Authenticate, Retry-After, ...).
  std::vector<std::pair<std::string, std::string>> headers;
  // Runs once the response has been written, or has failed to be written.
  std::function<void()> after_write;
  // Set for a download: the transport sends this file as the body (its size when the
  // answer starts, read in pieces as the client takes them) instead of `body`; a file that
  // does not exist is sent as an empty body.
  std::filesystem::path file;
  // Set for ?follow=1: the transport sends a chunked text/plain response whose first
  // chunk is `body`, then calls `follow` and streams what it receives; when the stream
  // ends, its last line is the last chunk. If `follow` fails, the transport sends
  // ErrorResponse() of its status instead.
  FollowFn follow;
  // Set for GET /v1/stream: the transport answers the WebSocket upgrade (426 if the request
  // was not one) and runs the connection for this peer.
  WebSocketPeerPtr websocket;
};

using RespondFn = std::function<void(Response)>;

// The single mapping from StatusCode to HTTP status.
int HttpStatusFor(base::StatusCode code);
// `value` as the JSON body of a `status` answer.
Response JsonResponse(int status, const nlohmann::json& value);
// {"error": message} with `status`.
Response JsonError(int status, const std::string& message);
// {"error": message} with HttpStatusFor(status.code()).
Response ErrorResponse(const base::Status& status);

// Who is asking, as far as the routes care. The unix socket's callers (whoever may open it)
// and the HTTP listener's admins have full access; the listener's viewers only read, and
// the config routes hide secrets from them.
struct CallerContext {
  bool read_only = false;
};

class Router {
 public:
  static constexpr size_t kDefaultLogLines = 100;
  static constexpr size_t kMaxLogLines = 100000;
  static constexpr size_t kDefaultRuns = 20;
  static constexpr size_t kMaxRuns = 1000;
  static constexpr size_t kDefaultEvents = 100;
  static constexpr size_t kMaxEvents = 1000;
  static constexpr size_t kDefaultLifetimes = 50;
  static constexpr size_t kMaxLifetimes = 1000;

  // A matched request: the path's {parameters} in order, the query, the body, who asks.
  struct Request {
    std::vector<std::string> params;
    const std::map<std::string, std::string>& query;
    std::string_view body;
    const CallerContext& caller;
  };
  using Handler = void (Router::*)(const Request& request, RespondFn& respond);
  struct Route {
    std::string_view method;
    std::string_view pattern;  // "/v1/programs/{name}/logs": {...} matches one segment
    Handler handler;
  };
  // Every route, in the order docs/api.md lists them.
  static std::span<const Route> Routes();

  Router(Controllers controllers, TailFn tail_fn);
  ~Router();
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  // Handles one request. `respond` is called exactly once: synchronously, or later when a
  // controller's callback fires; it is never called after the Router is destroyed. The
  // views need only be valid during the call.
  void Handle(std::string_view method, std::string_view target, std::string_view body, RespondFn respond,
              const CallerContext& caller = {});

 private:
  enum class Action { kStart, kStop, kRestart };

  void GetInfo(const Request& r, RespondFn& respond);
  void ListPrograms(const Request& r, RespondFn& respond);
  void GetProgram(const Request& r, RespondFn& respond);
  void StartPrograms(const Request& r, RespondFn& respond);
  void StopPrograms(const Request& r, RespondFn& respond);
  void RestartPrograms(const Request& r, RespondFn& respond);
  void StartProgram(const Request& r, RespondFn& respond);
  void StopProgram(const Request& r, RespondFn& respond);
  void RestartProgram(const Request& r, RespondFn& respond);
  void SignalPrograms(const Request& r, RespondFn& respond);
  void SignalProgram(const Request& r, RespondFn& respond);
  void ProgramLogs(const Request& r, RespondFn& respond);
  base::Result<std::vector<std::string>> Tail(const std::filesystem::path& path, size_t n) const;
  void LogLinesBySeq(const Request& r, const std::filesystem::path& path, Stream stream, RespondFn& respond);
  void OpenStream(const Request& r, RespondFn& respond);
  void Reload(const Request& r, RespondFn& respond);
  void Shutdown(const Request& r, RespondFn& respond);
  void ListTasks(const Request& r, RespondFn& respond);
  void GetTask(const Request& r, RespondFn& respond);
  void RunTask(const Request& r, RespondFn& respond);
  void EnableTask(const Request& r, RespondFn& respond);
  void DisableTask(const Request& r, RespondFn& respond);
  void ListRuns(const Request& r, RespondFn& respond);
  void RunOutput(const Request& r, RespondFn& respond);
  void ListEvents(const Request& r, RespondFn& respond);
  void ListLifetimes(const Request& r, RespondFn& respond);
  void DownloadLog(const Request& r, RespondFn& respond);
  void SetAutostart(const Request& r, RespondFn& respond);
  void Top(const Request& r, RespondFn& respond);
  void Health(const Request& r, RespondFn& respond);
  void ListFindings(const Request& r, RespondFn& respond);
  void ListMetrics(const Request& r, RespondFn& respond);
  void MetricHistory(const Request& r, RespondFn& respond);
  void Report(const Request& r, RespondFn& respond);
  void TestAlert(const Request& r, RespondFn& respond);
  void Metrics(const Request& r, RespondFn& respond);
  void GetToken(const Request& r, RespondFn& respond);
  void RotateToken(const Request& r, RespondFn& respond);
  void Token(const Request& r, bool rotate, RespondFn& respond);
  void LoginLink(const Request& r, RespondFn& respond);
  // The config editor's routes (config_routes.cc).
  void GetProgramConfig(const Request& r, RespondFn& respond);
  void ValidateProgramConfig(const Request& r, RespondFn& respond);
  void SaveProgramConfig(const Request& r, RespondFn& respond);
  // The program whose section a config route is about: "web" for "web" and "web:1";
  // NotFound for a name vigild does not know, and for "all".
  base::Result<std::string> ConfigProgram(const std::string& name);
  // A validate's or save's program and body; nullopt once `respond` has refused it (403
  // for a read-only caller, 404, 400).
  struct ConfigEdit {
    std::string program;
    std::string toml;
    std::string revision;
  };
  std::optional<ConfigEdit> ReadConfigEdit(const Request& r, bool with_revision, RespondFn& respond);

  // start, stop or restart of `names`, from a body ({"programs", "wait", "timeout"}) or
  // from one path name and the query (wait, timeout).
  void ActOnBody(Action action, const Request& r, RespondFn& respond);
  void ActOnOne(Action action, const Request& r, RespondFn& respond);
  void Act(Action action, std::vector<std::string> names, const WaitOptions& wait, RespondFn respond);
  void Signal(const std::vector<std::string>& names, int signo, RespondFn& respond);
  void SetTaskEnabled(const Request& r, bool enabled, RespondFn& respond);

  Controllers controllers_;
  TailFn tail_fn_;
  // The size of the last GET /v1/programs body, reserved for the next one.
  size_t programs_body_bytes_ = 0;
  // Expires with the Router, so a callback that fires after it is gone does nothing.
  std::shared_ptr<char> alive_;
};

}  // namespace vigil::api
