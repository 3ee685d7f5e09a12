// SPDX-License-Identifier: MIT
// The JSON side of the API (docs/api.md): Controller structs to JSON and request bodies
// from JSON. Never throws: nlohmann's exceptions stop here.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/controllers.h"
#include "base/clock.h"
#include "base/status.h"

namespace vigil::api {

nlohmann::json ToJson(const ProgramInfo& info);
// Appends DumpJson(ToJson(info)) without its newline to `out`, byte for byte (nlohmann's
// key order and escaping), without building a JSON value: GET /v1/programs writes every
// program this way.
void AppendJson(const ProgramInfo& info, std::string* out);
nlohmann::json ToJson(const DaemonInfo& info);
nlohmann::json ToJson(const ReloadSummary& summary);
nlohmann::json ToJson(const TaskInfo& info);
nlohmann::json ToJson(const RunInfo& info);
// `details_json` becomes a JSON object under the same key; text that is not a JSON object
// becomes {} so one bad row cannot fail a whole listing.
nlohmann::json ToJson(const EventInfo& info);
// {"system": {...}, "programs": [...]}; shares rounded to 0.1.
nlohmann::json ToJson(const TopView& view);
// A check; `value`, `warn` and `crit` are null when absent.
nlohmann::json ToJson(const CheckInfo& check);
nlohmann::json ToJson(const FindingInfo& finding);
// {"line", "outside", "key", "message"}: one problem of a config edit.
nlohmann::json ToJson(const ConfigProblem& problem);

// Serialises compactly with a trailing newline (friendly to curl). Invalid UTF-8 from
// program output or names is replaced with U+FFFD instead of failing the response.
std::string DumpJson(const nlohmann::json& value);

// Body of POST /v1/start|stop|restart: {"programs": [...], "wait": bool, "timeout": "30s"}.
struct ActionRequest {
  std::vector<std::string> programs;
  bool wait = true;
  std::optional<base::Duration> timeout;  // a duration string, or an integer number of seconds
};
// InvalidArgument for malformed JSON, a missing or empty "programs", wrong types, a bad
// timeout or unknown fields.
base::Result<ActionRequest> ParseActionRequest(std::string_view body);

// Body of POST /v1/signal ({"programs": [...], "signal": "HUP"}) or, with
// `with_programs` false, of POST /v1/programs/{name}/signal ({"signal": "HUP"}).
// "signal" is a name ("HUP", "SIGHUP") or a number (9 or "9").
struct SignalRequest {
  std::vector<std::string> programs;
  int signo = 0;
};
base::Result<SignalRequest> ParseSignalRequest(std::string_view body, bool with_programs);

// Body of POST /v1/programs/{name}/config/validate ({"toml": "..."}) or, with
// `with_revision`, of PUT /v1/programs/{name}/config ({"toml": "...", "revision": "..."}).
struct ConfigEditRequest {
  std::string toml;
  std::string revision;
};
base::Result<ConfigEditRequest> ParseConfigEditRequest(std::string_view body, bool with_revision);

}  // namespace vigil::api
