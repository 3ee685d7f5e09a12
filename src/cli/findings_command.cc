// SPDX-License-Identifier: MIT
// `vigil findings`: the findings journal from GET /v1/findings, oldest first, in the same
// blocks as log_dir/findings.log; and `vigil alert test NAME`.
#include <nlohmann/json.hpp>

#include "base/clock.h"
#include "cli/api_json.h"
#include "cli/api_paths.h"
#include "cli/call.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/format.h"

namespace vigil::cli {

int RunFindings(const Invocation& inv, Context& ctx) {
  const int limit = inv.limit > 0 ? inv.limit : kDefaultEventsLimit;
  ApiReply reply = CallApi(ctx, GetRequest(FindingsTarget(inv.since, inv.severity, limit)));
  if (reply.exit_code != kExitOk) return reply.exit_code;
  if (inv.json) {
    PrintRaw(ctx, reply.raw);
    return kExitOk;
  }
  auto findings = reply.body.find("findings");
  if (findings == reply.body.end() || !findings->is_array()) {
    return ReportUnexpectedReply(ctx, base::Status::InvalidArgument("no \"findings\" in the reply"));
  }
  if (findings->empty()) {
    ctx.out << "no findings" << (inv.since.empty() ? "" : " since " + inv.since) << "\n";
    return kExitOk;
  }
  // The API gives the newest first; a journal reads from the top down.
  for (auto it = findings->rbegin(); it != findings->rend(); ++it) {
    const nlohmann::json& f = *it;
    if (!f.is_object()) continue;
    const int64_t time_ms = f.value("time_ms", int64_t{0});
    const int64_t id = f.value("id", int64_t{0});
    const int64_t raise = f.value("raise_id", int64_t{0});
    std::string severity = StringFromJson(f, "severity");
    for (char& c : severity) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
    ctx.out << base::FormatIso8601(base::WallTime(std::chrono::milliseconds(time_ms))) << "  " << severity << "  "
            << StringFromJson(f, "category") << " " << StringFromJson(f, "subject") << "  (#" << id
            << (raise > 0 ? ", ends #" + std::to_string(raise) : "") << ")\n  " << StringFromJson(f, "text")
            << "\n\n";
  }
  return kExitOk;
}

int RunAlert(const Invocation& inv, Context& ctx) {
  ApiReply reply =
      CallApi(ctx, PostRequest("/v1/alerts/" + PercentEncode(inv.name) + "/test", nlohmann::json::object()));
  if (reply.exit_code != kExitOk) return reply.exit_code;
  if (inv.json) {
    PrintRaw(ctx, reply.raw);
    return kExitOk;
  }
  ctx.out << "test notification sent through " << inv.name << "\n";
  return kExitOk;
}

}  // namespace vigil::cli
