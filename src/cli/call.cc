// SPDX-License-Identifier: MIT
// Sending requests to vigild and reporting their failures, for every command.
#include "cli/call.h"

#include "cli/api_json.h"
#include "cli/exit_codes.h"

namespace vigil::cli {

void ReportClientError(Context& ctx, const base::Status& status) {
  if (status.code() == base::StatusCode::kUnavailable) {
    ctx.err << "vigil: cannot reach vigild at " << ctx.socket.string() << ": " << status.message()
            << " (is vigild running?)\n";
  } else {
    ctx.err << "vigil: " << status.message() << "\n";
  }
}

int ReportUnexpectedReply(Context& ctx, const base::Status& status) {
  ctx.err << "vigil: unexpected reply from vigild: " << status.message() << "\n";
  return kExitFailed;
}

ApiReply CallApi(Context& ctx, HttpRequest request) {
  ApiReply reply;
  base::Result<HttpResponse> response = ctx.client.Send(request);
  if (!response) {
    ReportClientError(ctx, response.error());
    reply.exit_code = ExitCodeForClientStatus(response.error());
    return reply;
  }
  reply.exit_code = ExitCodeForHttpStatus(response->status);
  if (reply.exit_code != kExitOk) {
    ctx.err << "vigil: " << ErrorMessageFromBody(response->body, response->status) << "\n";
    return reply;
  }
  base::Result<nlohmann::json> parsed = ParseJson(response->body);
  if (!parsed) {
    reply.exit_code = ReportUnexpectedReply(ctx, parsed.error());
    return reply;
  }
  reply.raw = std::move(response->body);
  reply.body = std::move(parsed.value());
  return reply;
}

HttpRequest GetRequest(std::string target) { return {HttpMethod::kGet, std::move(target), ""}; }

HttpRequest PostRequest(std::string target, const nlohmann::json& body) {
  return {HttpMethod::kPost, std::move(target), body.dump()};
}

void PrintRaw(Context& ctx, const std::string& raw) {
  ctx.out << raw;
  if (raw.empty() || raw.back() != '\n') ctx.out << '\n';
}

}  // namespace vigil::cli
