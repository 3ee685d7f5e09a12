// SPDX-License-Identifier: MIT
// Reading a run's output for the report (see task_output.h).
#include "report/task_output.h"

#include <charconv>
#include <string>

namespace vigil::report {
namespace {

// The whole number at the start of `text` (after spaces), if any.
template <typename T>
std::optional<T> LeadingNumber(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  T value{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end == text.data()) return std::nullopt;
  return value;
}

template <typename Fn>
void ForEachLine(std::string_view text, Fn fn) {
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    fn(line);
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
}

}  // namespace

std::optional<uint64_t> CleanupBytesFreed(std::string_view output) {
  std::optional<uint64_t> bytes;
  ForEachLine(output, [&](std::string_view line) {
    if (line.substr(0, 8) != "deleted ") return;
    const size_t open = line.find('(');
    if (open == std::string_view::npos) return;
    std::string_view rest = line.substr(open + 1);
    auto n = LeadingNumber<uint64_t>(rest);
    if (n && rest.find(" bytes)") != std::string_view::npos) bytes = n;
  });
  return bytes;
}

Updates UpdatesIn(std::string_view output) {
  constexpr std::string_view kFound = "updates found:";
  constexpr std::string_view kApplied = "updates applied:";
  Updates u;
  ForEachLine(output, [&](std::string_view line) {
    if (line.substr(0, kFound.size()) == kFound) {
      if (auto n = LeadingNumber<int64_t>(line.substr(kFound.size()))) u.found = n;
    } else if (line.substr(0, kApplied.size()) == kApplied) {
      if (auto n = LeadingNumber<int64_t>(line.substr(kApplied.size()))) u.applied = n;
    }
  });
  return u;
}

}  // namespace vigil::report
