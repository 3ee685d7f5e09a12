// SPDX-License-Identifier: MIT
// `vigil report [--since 7d] [--json]`: the health report from GET /v1/report, as text, or
// the API's JSON object.
#include <nlohmann/json.hpp>

#include "cli/api_paths.h"
#include "cli/call.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"

namespace vigil::cli {

int RunReport(const Invocation& inv, Context& ctx) {
  std::string target = "/v1/report";
  if (!inv.since.empty()) target += "?since=" + PercentEncode(inv.since);
  ApiReply reply = CallApi(ctx, GetRequest(target));
  if (reply.exit_code != kExitOk) return reply.exit_code;
  if (inv.json) {
    PrintRaw(ctx, reply.raw);
    return kExitOk;
  }
  auto text = reply.body.find("text");
  if (text == reply.body.end() || !text->is_string()) {
    return ReportUnexpectedReply(ctx, base::Status::InvalidArgument("no \"text\" in the reply"));
  }
  ctx.out << text->get<std::string>();
  return kExitOk;
}

}  // namespace vigil::cli
