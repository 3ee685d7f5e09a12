// SPDX-License-Identifier: MIT
// Request targets of vigild's HTTP API (docs/formats/api.md), with names percent-encoded.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::cli {

// Percent-encodes everything but RFC 3986 unreserved characters, so instance names such as
// "web:0" and names with '/' or '?' stay one path segment.
std::string PercentEncode(std::string_view text);

// "/v1/programs?names=web%2Cdb": the programs vigild resolves those names to.
std::string ProgramsTarget(const std::vector<std::string>& names);
// /v1/top, with ?names= as ProgramsTarget.
std::string TopTarget(const std::vector<std::string>& names);

// "/v1/programs/NAME/logs?stream=stdout|stderr&lines=N[&follow=1]".
std::string LogsTarget(std::string_view name, bool stderr_stream, int lines, bool follow);

// "/v1/tasks", or "/v1/tasks/NAME" plus `suffix` ("", "/enable", "/run?wait=1").
std::string TaskTarget(std::string_view task, std::string_view suffix);

// "/v1/runs?limit=N[&task=NAME]"; an empty `task` means every task.
std::string RunsTarget(std::string_view task, int limit);

// "/v1/runs/ID/output".
std::string RunOutputTarget(int64_t run_id);

// "/v1/events?limit=N[&since=S][&subject=NAME][&type=TYPE]"; empty filters are left out.
// GET /v1/findings with the options given ("" = not given).
std::string FindingsTarget(std::string_view since, std::string_view severity, int limit);

std::string EventsTarget(std::string_view since, std::string_view subject, std::string_view type,
                         int limit);

}  // namespace vigil::cli
