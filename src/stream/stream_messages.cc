// SPDX-License-Identifier: MIT
// Builders of the larger /v1/stream messages (see stream_messages.h).
#include "stream/stream_messages.h"

#include <cmath>

namespace vigil::stream {

using nlohmann::json;

namespace {
double Hundredths(double v) { return std::round(v * 100) / 100; }
}  // namespace

std::string Dump(const json& value) { return value.dump(-1, ' ', false, json::error_handler_t::replace); }

std::shared_ptr<const std::string> Shared(const json& value) { return std::make_shared<const std::string>(Dump(value)); }

json MetricsMessage(const api::TopView& view, int64_t time_ms) {
  const api::SystemUsage& s = view.system;
  json programs = json::object();
  for (const api::ProgramUsage& p : view.programs) {
    programs[p.name] = json{{"cpu_percent", Hundredths(p.cpu_percent)}, {"memory_bytes", p.memory_bytes}};
  }
  return json{{"type", "metrics"},
              {"time_ms", time_ms},
              {"system",
               {{"cpus", s.cpus},
                {"cpu_percent", Hundredths(s.cpu_percent)},
                {"memory_used_percent", Hundredths(s.memory_used_percent)},
                {"memory_total_bytes", s.memory_total_bytes},
                {"memory_available_bytes", s.memory_available_bytes},
                {"load1", Hundredths(s.load1)}}},
              {"programs", std::move(programs)}};
}

}  // namespace vigil::stream
