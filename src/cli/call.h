// SPDX-License-Identifier: MIT
// The request helpers every command handler shares: send one request to vigild, report a
// failure the way all commands do, and print --json replies.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "base/status.h"
#include "cli/client.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"

namespace vigil::cli {

// A 2xx reply, parsed; or the exit code of a failure already reported on ctx.err.
struct ApiReply {
  int exit_code = kExitOk;
  std::string raw;
  nlohmann::json body;
};

// Sends `request`. A transport failure, a non-2xx status or a body that is not JSON is
// reported on ctx.err ("vigil: ...") and turned into its exit code (exit_codes.h).
ApiReply CallApi(Context& ctx, HttpRequest request);

HttpRequest GetRequest(std::string target);
HttpRequest PostRequest(std::string target, const nlohmann::json& body);

// "vigil: cannot reach vigild at SOCKET: REASON (is vigild running?)" for Unavailable,
// "vigil: MESSAGE" otherwise.
void ReportClientError(Context& ctx, const base::Status& status);

// "vigil: unexpected reply from vigild: MESSAGE"; returns kExitFailed.
int ReportUnexpectedReply(Context& ctx, const base::Status& status);

// --json output is the reply exactly as vigild sent it, so scripts see the documented API.
void PrintRaw(Context& ctx, const std::string& raw);

}  // namespace vigil::cli
