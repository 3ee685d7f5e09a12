// SPDX-License-Identifier: MIT
// api::Router: maps one HTTP request (method, target, body) of the /v1 API (docs/api.md)
// to Controller calls and builds the response. Knows nothing about sockets or Beast, so
// the transport (http_server.cc) stays a thin layer.
// Thread rule: loop thread only, like the Controller it calls.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "api/controller.h"
#include "base/status.h"
#include "event/loop.h"

namespace vigil::api {

// Returns the last `n` lines of a program's log, following rotation as the logs module
// does. NotFound means "no log yet" and is answered as an empty tail.
using TailFn = std::function<base::Result<std::vector<std::string>>(
    const std::filesystem::path& path, size_t n)>;

// Starts delivering live log bytes to `sink` until the returned handle is destroyed.
using FollowFn =
    std::function<base::Result<event::HandlePtr>(std::function<void(std::string_view)> sink)>;

// One response, independent of the transport.
struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::string allow;  // the Allow header of a 405
  // Runs once the response has been written, or has failed to be written.
  std::function<void()> after_write;
  // Set for ?follow=1: the transport sends a chunked text/plain response whose first
  // chunk is `body`, then calls `follow` and streams what the sink receives. If `follow`
  // fails, the transport sends ErrorResponse() of its status instead.
  FollowFn follow;
};

using RespondFn = std::function<void(Response)>;

// The single mapping from StatusCode to HTTP status.
int HttpStatusFor(base::StatusCode code);
// {"error": message} with HttpStatusFor(status.code()).
Response ErrorResponse(const base::Status& status);

class Router {
 public:
  static constexpr size_t kDefaultLogLines = 100;
  static constexpr size_t kMaxLogLines = 100000;
  static constexpr size_t kDefaultRuns = 20;
  static constexpr size_t kMaxRuns = 1000;
  static constexpr size_t kDefaultEvents = 100;
  static constexpr size_t kMaxEvents = 1000;

  Router(Controller& controller, TailFn tail_fn);
  ~Router();
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  // Handles one request. `respond` is called exactly once: synchronously, or later when
  // the Controller's DoneFn fires; it is never called after the Router is destroyed.
  // The views need only be valid during the call.
  void Handle(std::string_view method, std::string_view target, std::string_view body,
              RespondFn respond);

 private:
  enum class Action { kStart, kStop, kRestart };

  // Both return false, without calling `respond`, when no route matches.
  bool HandleV1(std::string_view method, const std::vector<std::string>& segments,
                const std::map<std::string, std::string>& query, std::string_view body,
                RespondFn& respond);
  bool HandleProgram(std::string_view method, const std::vector<std::string>& segments,
                     const std::map<std::string, std::string>& query, std::string_view body,
                     RespondFn& respond);
  // /v1/tasks/{name}[/run|/enable|/disable].
  bool HandleTask(std::string_view method, const std::vector<std::string>& segments,
                  const std::map<std::string, std::string>& query, RespondFn& respond);
  void RunAction(Action action, std::vector<std::string> names, bool wait, RespondFn respond);
  void RunTask(const std::string& name, bool wait, RespondFn respond);
  Response Runs(const std::map<std::string, std::string>& query);
  Response RunOutput(const std::string& id_text);
  Response Events(const std::map<std::string, std::string>& query);
  Response Signal(const std::vector<std::string>& names, int signo);
  Response Logs(const std::string& name, const std::map<std::string, std::string>& query);
  // The programs `names` refer to, in ListPrograms() order: exact names, instances of a
  // program ("web" -> "web:0", "web:1"), or everything for "all".
  std::vector<ProgramInfo> Affected(const std::vector<std::string>& names);

  Controller& controller_;
  TailFn tail_fn_;
  // Expires with the Router, so a DoneFn that fires after it is gone does nothing.
  std::shared_ptr<char> alive_;
};

}  // namespace vigil::api
