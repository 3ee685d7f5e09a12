// SPDX-License-Identifier: MIT
// Log level detection for the live stream (see log_level.h).
#include "stream/log_level.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <nlohmann/json.hpp>

namespace vigil::stream {
namespace {

// The built-in detection looks this far into a line: far enough for a timestamp, a
// logger name and the level, not so far that a message mentioning "error" counts.
constexpr size_t kScanBytes = 96;

bool IsWordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; }

bool IsUpper(std::string_view word) {
  return std::all_of(word.begin(), word.end(), [](char c) { return std::isupper(static_cast<unsigned char>(c)) != 0; });
}

// "level":"warn" in a JSON line (any prefix before the object, such as vigil's timestamp).
std::optional<LogLevel> JsonLevel(std::string_view line) {
  const size_t brace = line.find('{');
  if (brace == std::string_view::npos || brace > 40 || line.back() != '}') return std::nullopt;
  const auto doc = nlohmann::json::parse(line.substr(brace), nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object()) return std::nullopt;
  for (const char* key : {"level", "severity", "lvl"}) {
    auto it = doc.find(key);
    if (it != doc.end() && it->is_string()) return LevelFromWord(it->get_ref<const std::string&>());
  }
  return LogLevel::kNone;
}

// An upper-case level word (WARNING, [ERROR]) or a logfmt "level=info" near the start.
LogLevel WordLevel(std::string_view line) {
  const std::string_view head = line.substr(0, kScanBytes);
  size_t i = 0;
  while (i < head.size()) {
    if (head[i] == '\x1b' && i + 1 < head.size() && head[i + 1] == '[') {
      // An ANSI colour (ESC [ 32 m): its parameters are not part of the next word.
      i += 2;
      while (i < head.size() && !(head[i] >= '@' && head[i] <= '~')) ++i;
      ++i;
      continue;
    }
    if (!IsWordChar(head[i])) {
      ++i;
      continue;
    }
    size_t end = i;
    while (end < head.size() && IsWordChar(head[end])) ++end;
    const std::string_view word = head.substr(i, end - i);
    if (IsUpper(word)) {
      if (LogLevel level = LevelFromWord(word); level != LogLevel::kNone) return level;
    } else if ((word == "level" || word == "lvl") && end < head.size() && head[end] == '=') {
      size_t v = end + 1;
      if (v < head.size() && head[v] == '"') ++v;
      size_t v_end = v;
      while (v_end < head.size() && IsWordChar(head[v_end])) ++v_end;
      return LevelFromWord(head.substr(v, v_end - v));
    }
    i = end;
  }
  return LogLevel::kNone;
}

}  // namespace

std::string_view LogLevelName(LogLevel level) {
  static constexpr std::array<std::string_view, 5> kNames = {"", "DEBUG", "INFO", "WARNING", "ERROR"};
  return kNames[static_cast<size_t>(level)];
}

std::optional<LogLevel> ParseLevelFilter(std::string_view word) {
  if (word == "ALL") return LogLevel::kNone;
  for (LogLevel level : {LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarning, LogLevel::kError}) {
    if (word == LogLevelName(level)) return level;
  }
  return std::nullopt;
}

LogLevel LevelFromWord(std::string_view word) {
  if (word.size() > 8) return LogLevel::kNone;
  std::string lower(word);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  if (lower == "trace" || lower == "debug" || lower == "dbg") return LogLevel::kDebug;
  if (lower == "info" || lower == "notice" || lower == "inf") return LogLevel::kInfo;
  if (lower == "warn" || lower == "warning" || lower == "wrn") return LogLevel::kWarning;
  if (lower == "error" || lower == "err" || lower == "critical" || lower == "crit" || lower == "fatal" ||
      lower == "panic" || lower == "alert" || lower == "emerg") {
    return LogLevel::kError;
  }
  return LogLevel::kNone;
}

base::Result<LevelDetector> LevelDetector::Make(const std::string& pattern) {
  LevelDetector detector;
  if (pattern.empty()) return detector;
  try {
    detector.regex_ = std::make_shared<const std::regex>(pattern, std::regex::ECMAScript | std::regex_constants::__polynomial);
  } catch (const std::regex_error& e) {
    return base::Status::InvalidArgument(std::string("not a valid regex: ") + e.what());
  }
  return detector;
}

LogLevel LevelDetector::Detect(std::string_view line) const {
  if (line.empty()) return LogLevel::kNone;
  if (regex_) {
    std::match_results<std::string_view::const_iterator> match;
    // __polynomial (libstdc++'s automaton executor, as for process checks) keeps a hostile
    // line from taking exponential time; one it still cannot cope with has no level.
    try {
      if (!std::regex_search(line.begin(), line.end(), match, *regex_)) return LogLevel::kNone;
    } catch (const std::regex_error&) {
      return LogLevel::kNone;
    }
    const auto& word = match.size() > 1 && match[1].matched ? match[1] : match[0];
    return LevelFromWord(std::string_view(word.first, word.second));
  }
  if (auto level = JsonLevel(line)) return *level;
  return WordLevel(line);
}

}  // namespace vigil::stream
