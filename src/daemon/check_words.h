// SPDX-License-Identifier: MIT
// The words of metric checks: what a measured value is ("CPU at 93.1%", "web memory at
// 612 MB") and the level it was judged against ("(critical at 90%)"). Pure functions.
#pragma once

#include <string>

#include "config/spec.h"
#include "health/level.h"

namespace vigil::daemon {

// A value in the metric's own units: "93.1%", "2.10", "612 MB", "1021".
std::string MetricFigure(const config::CheckSpec& spec, double value);

// What a value is, in words: "CPU at 93.1%", "disk / at 96.2% full", "web CPU at 150.0%
// of one CPU", "web memory at 612 MB", "web has 1021 open files", "web has 12 processes".
std::string DescribeMetric(const config::CheckSpec& spec, double value);

// The level a value was judged against: " (critical at 90%)", or, in the hysteresis band
// below the levels, " (OK again below 70%)"; "" when none applies.
std::string LevelNote(const config::CheckSpec& spec, health::Level level, double value);

// What a check looks at, for `vigil health` and the API: "cpu", "disk /",
// "memory of web", "http://127.0.0.1:8080/health", "tcp 127.0.0.1:5432",
// "command check_dummy 0", "file /var/backups/stamp", "process ffmpeg".
std::string CheckTarget(const config::CheckSpec& spec);

// What to look at when the check is bad, as a finding's last sentence: "Look for a runaway
// process: vigil top." "" when there is nothing general to say.
std::string Suggestion(const config::CheckSpec& spec);

}  // namespace vigil::daemon
