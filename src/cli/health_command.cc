// SPDX-License-Identifier: MIT
// `vigil health`: the machine's figures (GET /v1/top: CPU, memory, swap, load, pressure,
// filesystems) and every health check with its state, since when and the last sample in
// words (GET /v1/health).
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
  // The machine's figures, measured now. Without them (an older vigild) the checks still show.
  ApiReply machine = CallApi(ctx, GetRequest("/v1/top"));
  const bool have_machine = machine.exit_code == kExitOk && machine.body.is_object();
  if (inv.json) {
    nlohmann::json out = reply.body;
    if (have_machine) {
      for (const char* key : {"system", "disks"}) {
        if (machine.body.contains(key)) out[key] = machine.body[key];
      }
    }
    ctx.out << out.dump() << '\n';
    return kExitOk;
  }
  if (have_machine) {
    if (std::string text = FormatMachine(machine.body); !text.empty()) ctx.out << text << '\n';
  }
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
