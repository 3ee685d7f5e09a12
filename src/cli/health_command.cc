// SPDX-License-Identifier: MIT
// `vigil health`: the machine's figures (CPU, memory, swap, load, pressure, filesystems)
// and every health check with its state, since when and the last sample in words, all
// from one GET /v1/health.
#include <nlohmann/json.hpp>

#include "cli/api_json.h"
#include "cli/call.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/format.h"
#include "cli/machine_format.h"

namespace vigil::cli {

int RunHealth(const Invocation& inv, Context& ctx) {
  ApiReply reply = CallApi(ctx, GetRequest("/v1/health"));
  if (reply.exit_code != kExitOk) return reply.exit_code;
  auto checks = reply.body.find("checks");
  if (checks == reply.body.end() || !checks->is_array()) {
    return ReportUnexpectedReply(ctx, base::Status::InvalidArgument("no \"checks\" in the reply"));
  }
  if (inv.json) {
    ctx.out << reply.body.dump() << '\n';
    return kExitOk;
  }
  // The machine's figures first; a vigild without them in its answer shows the checks alone.
  if (std::string text = FormatMachine(reply.body); !text.empty()) ctx.out << text << '\n';
  if (checks->empty()) {
    ctx.out << "no health checks configured\n";
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows = {{"CHECK", "STATE", "SINCE", "MESSAGE"}};
  for (const nlohmann::json& c : *checks) {
    if (!c.is_object()) continue;
    auto since = c.find("since_ms");
    const int64_t since_ms = since != c.end() && since->is_number_integer() ? since->get<int64_t>() : 0;
    rows.push_back({StringFromJson(c, "name"), StringFromJson(c, "state"),
                    since_ms > 0 ? FormatUptime(ctx.now_ms() - since_ms) + " ago" : "-",
                    StringFromJson(c, "message")});
  }
  for (const std::string& line : AlignColumns(rows)) ctx.out << line << '\n';
  return kExitOk;
}

}  // namespace vigil::cli
