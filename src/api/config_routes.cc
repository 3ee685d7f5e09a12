// SPDX-License-Identifier: MIT
// The config editor's routes (docs/api.md, "Config editing"): read a program's section,
// check an edit of it, save one. The config controller does the work; these check who
// asks, read the body and shape the answers.
#include <exception>
#include <nlohmann/json.hpp>
#include <optional>

#include "api/json_codec.h"
#include "api/router.h"

namespace vigil::api {
namespace {

using nlohmann::json;

// A viewer of the HTTP listener reaches these only through GET (the gate refuses the
// rest); this keeps the rule if another way in ever appears.
constexpr std::string_view kReadOnly = "a viewer may only read";

json ProblemsJson(const std::vector<ConfigProblem>& problems) {
  json list = json::array();
  for (const ConfigProblem& p : problems) list.push_back(ToJson(p));
  return list;
}

Response SaveResponse(const ConfigSaveOutcome& outcome) {
  if (outcome.stale) {
    return JsonResponse(409,
                        json{{"error", "the config file changed since it was read"}, {"revision", outcome.revision}});
  }
  if (!outcome.problems.empty()) {
    return JsonResponse(400, json{{"error", "the edit is not valid; the config file is unchanged"},
                                  {"errors", ProblemsJson(outcome.problems)}});
  }
  json reload = json{{"ok", false}, {"error", "no reload"}};
  if (outcome.reload && *outcome.reload) {
    reload = ToJson(**outcome.reload);
  } else if (outcome.reload) {
    reload["error"] = outcome.reload->error().message();
  }
  return JsonResponse(
      200, json{{"revision", outcome.revision}, {"backup", outcome.backup.string()}, {"reload", std::move(reload)}});
}

}  // namespace

base::Result<std::string> Router::ConfigProgram(const std::string& name) {
  if (name == "all") {
    return base::Status::NotFound("\"all\" is not a program: a config section belongs to one program");
  }
  auto found = controllers_.programs.FindPrograms({name});
  if (!found) return found.error();
  // Program names have no ':' (config/parse.cc), so one names an instance.
  return name.substr(0, name.find(':'));
}

void Router::GetProgramConfig(const Request& r, RespondFn& respond) {
  auto program = ConfigProgram(r.params[0]);
  if (!program) return respond(ErrorResponse(program.error()));
  auto view = controllers_.config.ProgramConfig(*program, /*hide_secrets=*/r.caller.read_only);
  if (!view) return respond(ErrorResponse(view.error()));
  respond(JsonResponse(200, json{{"program", view->program},
                                 {"file", view->file.string()},
                                 {"line", view->line},
                                 {"revision", view->revision},
                                 {"toml", view->toml},
                                 {"read_only", r.caller.read_only}}));
}

std::optional<Router::ConfigEdit> Router::ReadConfigEdit(const Request& r, bool with_revision, RespondFn& respond) {
  // Validate is not for viewers either: a loader's message may quote a value from anywhere
  // in the file.
  if (r.caller.read_only) {
    respond(JsonError(403, std::string(kReadOnly)));
    return std::nullopt;
  }
  auto program = ConfigProgram(r.params[0]);
  if (!program) {
    respond(ErrorResponse(program.error()));
    return std::nullopt;
  }
  auto body = ParseConfigEditRequest(r.body, with_revision);
  if (!body) {
    respond(ErrorResponse(body.error()));
    return std::nullopt;
  }
  return ConfigEdit{std::move(*program), std::move(body->toml), std::move(body->revision)};
}

void Router::ValidateProgramConfig(const Request& r, RespondFn& respond) {
  auto edit = ReadConfigEdit(r, /*with_revision=*/false, respond);
  if (!edit) return;
  auto problems = controllers_.config.CheckProgramConfig(edit->program, edit->toml);
  if (!problems) return respond(ErrorResponse(problems.error()));
  if (problems->empty()) return respond(JsonResponse(200, json{{"valid", true}}));
  respond(JsonResponse(200, json{{"valid", false}, {"errors", ProblemsJson(*problems)}}));
}

void Router::SaveProgramConfig(const Request& r, RespondFn& respond) {
  auto edit = ReadConfigEdit(r, /*with_revision=*/true, respond);
  if (!edit) return;
  controllers_.config.SaveProgramConfig(
      edit->program, edit->toml, edit->revision,
      [alive = std::weak_ptr<char>(alive_), respond = std::move(respond)](base::Result<ConfigSaveOutcome> outcome) {
        // After a reload, on a later turn of the loop: the server may be gone.
        if (alive.expired()) return;
        try {
          respond(outcome ? SaveResponse(*outcome) : ErrorResponse(outcome.error()));
        } catch (const std::exception& e) {
          respond(JsonError(500, std::string("internal error: ") + e.what()));
        }
      });
}

}  // namespace vigil::api
