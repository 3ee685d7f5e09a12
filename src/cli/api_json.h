// SPDX-License-Identifier: MIT
// Reads vigild's JSON replies (docs/formats/api.md) into plain CLI structs, without
// exceptions: the one place the CLI touches nlohmann::json's throwing accessors.
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace vigil::cli {

// One program as GET /v1/programs reports it; only the fields the CLI displays.
struct ProgramView {
  std::string name;
  std::string state;
  std::string want;
  int64_t pid = 0;         // 0 when no process is running
  int64_t uptime_ms = -1;  // -1 when no process is running
  int64_t restarts = 0;
  std::string last_exit;  // "exit 1", "signal 9 (SIGKILL)", or ""
  std::string reason;
};

// Parses a reply body. InvalidArgument with the parser's complaint if it is not JSON.
base::Result<nlohmann::json> ParseJson(std::string_view body);

// A program object; missing or mistyped fields keep ProgramView's defaults, so a newer
// daemon with extra or renamed fields still produces a readable table.
ProgramView ProgramFromJson(const nlohmann::json& object);

// The "programs" array of `reply`; InvalidArgument if there is none.
base::Result<std::vector<ProgramView>> ProgramsFromJson(const nlohmann::json& reply);

// The string array `reply[key]`; empty if missing. Non-string items are skipped.
std::vector<std::string> StringListFromJson(const nlohmann::json& reply, const char* key);

// The human message of an error reply: its "error" string, else the trimmed body, else
// "HTTP <status>".
std::string ErrorMessageFromBody(std::string_view body, int http_status);

}  // namespace vigil::cli
