// SPDX-License-Identifier: MIT
// stream::LogLevel and LevelDetector: the level of a log line for the live stream's level
// filter (docs/api.md, "WebSocket /v1/stream"): a program's own regex when it has one
// (log_level_regex), else a JSON object's "level" field, else a level word near the start
// of the line (ERROR, WARNING, "level=info", ...). A line with none has kNone and shows
// only under ALL. Lines are untrusted program output: nothing here can fail on them.
// Thread rule: none; a detector is immutable after construction.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <string_view>

#include "base/status.h"

namespace vigil::stream {

enum class LogLevel : uint8_t { kNone = 0, kDebug, kInfo, kWarning, kError };

// "", "DEBUG", "INFO", "WARNING", "ERROR".
std::string_view LogLevelName(LogLevel level);
// The filter words of the stream: "ALL" (kNone: everything), "DEBUG", ... "ERROR".
std::optional<LogLevel> ParseLevelFilter(std::string_view word);
// A level word as programs write it, in any case: trace/debug, info/notice,
// warn/warning, error/err/critical/crit/fatal/panic/alert/emerg. kNone for anything else.
LogLevel LevelFromWord(std::string_view word);

class LevelDetector {
 public:
  // `pattern`: an ECMAScript regex whose first capture group (or whole match) is the level
  // word; "" for the built-in detection. InvalidArgument for a bad regex.
  static base::Result<LevelDetector> Make(const std::string& pattern);
  LevelDetector() = default;

  LogLevel Detect(std::string_view line) const;

 private:
  std::shared_ptr<const std::regex> regex_;  // shared: one compiled regex per program
};

}  // namespace vigil::stream
