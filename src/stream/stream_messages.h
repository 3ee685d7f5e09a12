// SPDX-License-Identifier: MIT
// The JSON messages of GET /v1/stream that are more than one field (docs/api.md shows each
// with an example), built in one place so the hub, the sessions and the tests agree.
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "api/health_controller.h"

namespace vigil::stream {

// `value` as one message: compact, invalid UTF-8 from program output replaced.
std::string Dump(const nlohmann::json& value);
std::shared_ptr<const std::string> Shared(const nlohmann::json& value);

// {"type":"metrics","time_ms":...,"system":{...},"programs":{"web":{...}}}
nlohmann::json MetricsMessage(const api::TopView& view, int64_t time_ms);

}  // namespace vigil::stream
