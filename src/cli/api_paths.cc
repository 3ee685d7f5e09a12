// SPDX-License-Identifier: MIT
// Builds request targets for vigild's API.
#include "cli/api_paths.h"

namespace vigil::cli {

std::string PercentEncode(std::string_view text) {
  constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  return out;
}

namespace {

// `base`, or `base?names=a,b` for the programs named.
std::string WithNames(const std::string& base, const std::vector<std::string>& names) {
  if (names.empty()) return base;
  std::string joined;
  for (const std::string& name : names) joined += (joined.empty() ? "" : ",") + name;
  return base + "?names=" + PercentEncode(joined);
}

}  // namespace

std::string ProgramsTarget(const std::vector<std::string>& names) { return WithNames("/v1/programs", names); }

std::string TopTarget(const std::vector<std::string>& names) { return WithNames("/v1/top", names); }

std::string LogsTarget(std::string_view name, bool stderr_stream, int lines, bool follow) {
  std::string target = "/v1/programs/" + PercentEncode(name) + "/logs?stream=";
  target += stderr_stream ? "stderr" : "stdout";
  target += "&lines=" + std::to_string(lines);
  if (follow) target += "&follow=1";
  return target;
}

std::string TaskTarget(std::string_view task, std::string_view suffix) {
  return "/v1/tasks/" + PercentEncode(task) + std::string(suffix);
}

std::string RunsTarget(std::string_view task, int limit) {
  std::string target = "/v1/runs?limit=" + std::to_string(limit);
  if (!task.empty()) target += "&task=" + PercentEncode(task);
  return target;
}

std::string RunOutputTarget(int64_t run_id) {
  return "/v1/runs/" + std::to_string(run_id) + "/output";
}

std::string EventsTarget(std::string_view since, std::string_view subject, std::string_view type,
                         int limit) {
  std::string target = "/v1/events?limit=" + std::to_string(limit);
  if (!since.empty()) target += "&since=" + PercentEncode(since);
  if (!subject.empty()) target += "&subject=" + PercentEncode(subject);
  if (!type.empty()) target += "&type=" + PercentEncode(type);
  return target;
}

std::string FindingsTarget(std::string_view since, std::string_view severity, int limit) {
  std::string target = "/v1/findings?limit=" + std::to_string(limit);
  if (!since.empty()) target += "&since=" + PercentEncode(since);
  if (!severity.empty()) target += "&severity=" + PercentEncode(severity);
  return target;
}

}  // namespace vigil::cli
