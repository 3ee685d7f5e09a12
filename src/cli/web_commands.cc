// SPDX-License-Identifier: MIT
// `vigil token [--viewer] [--rotate]` and `vigil web [--viewer]`: the HTTP listener's
// credentials, asked of vigild over its unix socket (the only place it hands them out).
#include <nlohmann/json.hpp>

#include "cli/api_json.h"
#include "cli/call.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"

namespace vigil::cli {

int RunToken(const Invocation& inv, Context& ctx) {
  const std::string role = inv.viewer ? "viewer" : "admin";
  ApiReply reply = CallApi(ctx, inv.rotate ? PostRequest("/v1/token/rotate?role=" + role, nlohmann::json::object())
                                           : GetRequest("/v1/token?role=" + role));
  if (reply.exit_code != kExitOk) return reply.exit_code;
  if (inv.json) {
    PrintRaw(ctx, reply.raw);
    return kExitOk;
  }
  const std::string token = StringFromJson(reply.body, "token");
  if (token.empty()) return ReportUnexpectedReply(ctx, base::Status::InvalidArgument("no \"token\" in the reply"));
  ctx.out << token << "\n";
  if (inv.rotate) ctx.err << "vigil: the " << role << " token was replaced; its browser sessions ended\n";
  return kExitOk;
}

int RunWeb(const Invocation& inv, Context& ctx) {
  ApiReply reply =
      CallApi(ctx, PostRequest(std::string("/v1/web/login-link?role=") + (inv.viewer ? "viewer" : "admin"),
                               nlohmann::json::object()));
  if (reply.exit_code != kExitOk) return reply.exit_code;
  if (inv.json) {
    PrintRaw(ctx, reply.raw);
    return kExitOk;
  }
  const std::string url = StringFromJson(reply.body, "url");
  if (url.empty()) return ReportUnexpectedReply(ctx, base::Status::InvalidArgument("no \"url\" in the reply"));
  ctx.out << url << "\n";
  ctx.err << "vigil: open it in a browser within 2 minutes; it logs in once\n";
  return kExitOk;
}

}  // namespace vigil::cli
