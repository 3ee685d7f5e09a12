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

std::string LogsTarget(std::string_view name, bool stderr_stream, int lines, bool follow) {
  std::string target = "/v1/programs/" + PercentEncode(name) + "/logs?stream=";
  target += stderr_stream ? "stderr" : "stdout";
  target += "&lines=" + std::to_string(lines);
  if (follow) target += "&follow=1";
  return target;
}

}  // namespace vigil::cli
