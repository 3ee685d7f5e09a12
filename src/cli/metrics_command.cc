// SPDX-License-Identifier: MIT
// `vigil metrics`: the metrics with history (GET /v1/metrics), or one metric's points
// (GET /v1/metrics/history) as a table of time, average, maximum and samples.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/clock.h"
#include "base/units.h"
#include "cli/api_json.h"
#include "cli/api_paths.h"
#include "cli/call.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/format.h"

namespace vigil::cli {
namespace {

using nlohmann::json;

std::string HistoryTarget(const Invocation& inv) {
  std::string target = "/v1/metrics/history?name=" + PercentEncode(inv.name);
  if (!inv.since.empty()) target += "&since=" + PercentEncode(inv.since);
  if (!inv.step.empty()) target += "&step=" + PercentEncode(inv.step);
  return target;
}

// Memory of programs is in bytes: shown as a size; everything else as a number.
std::string Value(const std::string& name, double value) {
  if (name.rfind("program.memory:", 0) == 0) return base::FormatSize(static_cast<uint64_t>(value));
  return fmt::format("{:.2f}", value);
}

int ListNames(Context& ctx, bool as_json) {
  ApiReply reply = CallApi(ctx, GetRequest("/v1/metrics"));
  if (reply.exit_code != kExitOk) return reply.exit_code;
  if (as_json) {
    PrintRaw(ctx, reply.raw);
    return kExitOk;
  }
  auto names = reply.body.find("metrics");
  if (names == reply.body.end() || !names->is_array()) {
    return ReportUnexpectedReply(ctx, base::Status::InvalidArgument("no \"metrics\" in the reply"));
  }
  if (names->empty()) ctx.out << "no metric history yet (see [health] history in docs/config.md)\n";
  for (const json& n : *names) {
    if (n.is_string()) ctx.out << n.get<std::string>() << "\n";
  }
  return kExitOk;
}

}  // namespace

int RunMetrics(const Invocation& inv, Context& ctx) {
  if (inv.name.empty()) return ListNames(ctx, inv.json);
  ApiReply reply = CallApi(ctx, GetRequest(HistoryTarget(inv)));
  if (reply.exit_code != kExitOk) return reply.exit_code;
  if (inv.json) {
    PrintRaw(ctx, reply.raw);
    return kExitOk;
  }
  auto points = reply.body.find("points");
  if (points == reply.body.end() || !points->is_array()) {
    return ReportUnexpectedReply(ctx, base::Status::InvalidArgument("no \"points\" in the reply"));
  }
  if (points->empty()) {
    ctx.out << "no samples of " << inv.name << " since " << (inv.since.empty() ? "1h" : inv.since) << " ago\n";
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows = {{"TIME", "AVG", "MAX", "SAMPLES"}};
  for (const json& p : *points) {
    if (!p.is_object()) continue;
    const int64_t time_ms = p.value("time_ms", int64_t{0});
    rows.push_back({base::FormatIso8601(base::WallTime(std::chrono::milliseconds(time_ms))),
                    Value(inv.name, p.value("avg", 0.0)), Value(inv.name, p.value("max", 0.0)),
                    std::to_string(p.value("count", int64_t{0}))});
  }
  for (const std::string& line : AlignColumns(rows)) ctx.out << line << "\n";
  return kExitOk;
}

}  // namespace vigil::cli
