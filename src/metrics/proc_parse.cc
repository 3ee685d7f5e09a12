// SPDX-License-Identifier: MIT
// Parsers of /proc text (see proc_parse.h): std::from_chars only, so no input can throw.
#include "metrics/proc_parse.h"

#include <array>
#include <charconv>
#include <cmath>
#include <limits>
#include <span>
#include <vector>

#include "metrics/text_util.h"

namespace vigil::metrics {
namespace {

// What follows `key` on the first line of `text` that starts with it.
std::optional<std::string_view> FindLine(std::string_view text, std::string_view key) {
  while (!text.empty()) {
    const std::string_view line = TakeLine(&text);
    if (line.starts_with(key)) return line.substr(key.size());
  }
  return std::nullopt;
}

// Calls `take` with each field of `text` between blanks, in order, while it returns true.
// proc(5) files separate with spaces or tabs (/proc/PID/status), and a comm may hold a
// '\n', so all three separate.
// A plain loop over the characters: a round parses a thousand stat lines, and searching
// for a set of three blanks (find_first_of) took a call per field.
template <typename Take>
void ForEachField(std::string_view text, Take take) {
  const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\n'; };
  const char* p = text.data();
  const char* const end = p + text.size();
  for (;;) {
    while (p != end && blank(*p)) ++p;
    if (p == end) return;
    const char* start = p;
    while (p != end && !blank(*p)) ++p;
    if (!take(std::string_view(start, static_cast<size_t>(p - start)))) return;
  }
}

// The fields of `text` between blanks.
std::vector<std::string_view> Fields(std::string_view text) {
  std::vector<std::string_view> fields;
  ForEachField(text, [&](std::string_view field) {
    fields.push_back(field);
    return true;
  });
  return fields;
}

// The first `out.size()` fields of `text` as Fields() splits it, into `out` without
// allocating (a round reads a thousand /proc/PID/stat files); returns how many there were.
size_t FirstFields(std::string_view text, std::span<std::string_view> out) {
  size_t n = 0;
  if (out.empty()) return n;
  ForEachField(text, [&](std::string_view field) {
    out[n++] = field;
    return n < out.size();
  });
  return n;
}

// A whole field of decimal digits that fits T. A sign is refused: every count read here
// is non-negative, so a '-' means the text is not what it should be.
template <typename T>
std::optional<T> ParseCount(std::string_view field) {
  uint64_t value = 0;
  const char* end = field.data() + field.size();
  const auto [ptr, ec] = std::from_chars(field.data(), end, value);
  if (field.empty() || ec != std::errc() || ptr != end) return std::nullopt;
  if (value > static_cast<uint64_t>(std::numeric_limits<T>::max())) return std::nullopt;
  return static_cast<T>(value);
}

// A whole field like "1.81": finite and non-negative ("nan", "inf" and "-0" refused).
std::optional<double> ParseFraction(std::string_view field) {
  if (field.empty() || field[0] < '0' || field[0] > '9') return std::nullopt;
  double value = 0;
  const char* end = field.data() + field.size();
  const auto [ptr, ec] = std::from_chars(field.data(), end, value);
  if (ec != std::errc() || ptr != end || !std::isfinite(value)) return std::nullopt;
  return value;
}

// A "Key:   123 kB" line of /proc/meminfo or smaps_rollup, in bytes.
std::optional<uint64_t> ParseKibLine(std::string_view text, std::string_view key) {
  const auto rest = FindLine(text, key);
  if (!rest) return std::nullopt;
  const auto fields = Fields(*rest);
  if (fields.size() != 2 || fields[1] != "kB") return std::nullopt;
  const auto kib = ParseCount<uint64_t>(fields[0]);
  if (!kib || *kib > std::numeric_limits<uint64_t>::max() / 1024) return std::nullopt;
  return *kib * 1024;
}

struct PressureLine {
  double avg10, avg60, avg300;
  uint64_t total_us;
};

// "avg10=1.81 avg60=1.25 avg300=2.66 total=7076046416", in that order.
std::optional<PressureLine> ParsePressureLine(std::string_view rest) {
  const auto fields = Fields(rest);
  constexpr std::string_view kNames[] = {"avg10=", "avg60=", "avg300=", "total="};
  if (fields.size() != std::size(kNames)) return std::nullopt;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (!fields[i].starts_with(kNames[i])) return std::nullopt;
  }
  const auto avg10 = ParseFraction(fields[0].substr(kNames[0].size()));
  const auto avg60 = ParseFraction(fields[1].substr(kNames[1].size()));
  const auto avg300 = ParseFraction(fields[2].substr(kNames[2].size()));
  const auto total = ParseCount<uint64_t>(fields[3].substr(kNames[3].size()));
  if (!avg10 || !avg60 || !avg300 || !total) return std::nullopt;
  return PressureLine{*avg10, *avg60, *avg300, *total};
}

}  // namespace

uint64_t CpuTimes::Total() const { return user + nice + system + idle + iowait + irq + softirq + steal; }

uint64_t CpuTimes::Busy() const { return Total() - idle - iowait; }

std::optional<CpuTimes> ParseProcStat(std::string_view proc_stat) {
  const auto rest = FindLine(proc_stat, "cpu ");
  if (!rest) return std::nullopt;
  const auto fields = Fields(*rest);
  constexpr size_t kCounters = 8;
  if (fields.size() < kCounters) return std::nullopt;
  uint64_t values[kCounters] = {};
  uint64_t total = 0;
  // The fields past the eighth (guest, guest_nice) are not used but must still be numbers,
  // or the line is not the format this parser knows.
  for (size_t i = 0; i < fields.size(); ++i) {
    const auto value = ParseCount<uint64_t>(fields[i]);
    if (!value) return std::nullopt;
    if (i >= kCounters) continue;
    // Invariant: the sum of the eight fits, so Total() and Busy() cannot wrap.
    if (*value > std::numeric_limits<uint64_t>::max() - total) return std::nullopt;
    total += *value;
    values[i] = *value;
  }
  return CpuTimes{values[0], values[1], values[2], values[3], values[4], values[5], values[6], values[7]};
}

std::optional<int> CountCpus(std::string_view proc_stat) {
  int cpus = 0;
  while (!proc_stat.empty()) {
    const std::string_view line = TakeLine(&proc_stat);
    if (line.size() > 3 && line.starts_with("cpu") && line[3] >= '0' && line[3] <= '9') ++cpus;
  }
  if (cpus == 0) return std::nullopt;
  return cpus;
}

std::optional<uint64_t> ParseBootTimeSeconds(std::string_view proc_stat) {
  const auto rest = FindLine(proc_stat, "btime ");
  if (!rest) return std::nullopt;
  const auto fields = Fields(*rest);
  if (fields.size() != 1) return std::nullopt;
  return ParseCount<uint64_t>(fields[0]);
}

std::optional<MemInfo> ParseMemInfo(std::string_view proc_meminfo) {
  const auto total = ParseKibLine(proc_meminfo, "MemTotal:");
  const auto available = ParseKibLine(proc_meminfo, "MemAvailable:");
  if (!total || !available) return std::nullopt;
  MemInfo mem{*total, *available, 0, 0};
  // A swap line that is present must still read well: only its absence means "no swap".
  for (auto [key, field] : {std::pair{"SwapTotal:", &mem.swap_total_bytes}, {"SwapFree:", &mem.swap_free_bytes}}) {
    if (!FindLine(proc_meminfo, key)) continue;
    const auto bytes = ParseKibLine(proc_meminfo, key);
    if (!bytes) return std::nullopt;
    *field = *bytes;
  }
  return mem;
}

std::optional<LoadAvg> ParseLoadAvg(std::string_view proc_loadavg) {
  // "0.07 0.87 1.37 2/80 25753": the last two fields (runnable/total, last pid) are unused.
  const auto fields = Fields(proc_loadavg);
  if (fields.size() < 3) return std::nullopt;
  const auto one = ParseFraction(fields[0]);
  const auto five = ParseFraction(fields[1]);
  const auto fifteen = ParseFraction(fields[2]);
  if (!one || !five || !fifteen) return std::nullopt;
  return LoadAvg{*one, *five, *fifteen};
}

std::optional<int> ParseLastPid(std::string_view proc_loadavg) {
  // "0.07 0.87 1.37 2/80 25753": the fifth field.
  std::array<std::string_view, 6> fields;
  if (FirstFields(proc_loadavg, fields) != 5) return std::nullopt;
  return ParseCount<int>(fields[4]);
}

std::optional<Pressure> ParsePressure(std::string_view proc_pressure) {
  const auto some_rest = FindLine(proc_pressure, "some ");
  if (!some_rest) return std::nullopt;
  const auto some = ParsePressureLine(*some_rest);
  if (!some) return std::nullopt;
  Pressure pressure;
  pressure.some_avg10 = some->avg10;
  pressure.some_avg60 = some->avg60;
  pressure.some_avg300 = some->avg300;
  pressure.some_total_us = some->total_us;
  if (const auto full_rest = FindLine(proc_pressure, "full ")) {
    const auto full = ParsePressureLine(*full_rest);
    if (!full) return std::nullopt;
    pressure.full_avg10 = full->avg10;
    pressure.full_avg60 = full->avg60;
    pressure.full_avg300 = full->avg300;
    pressure.full_total_us = full->total_us;
  }
  return pressure;
}

std::optional<ProcessStat> ParseProcessStat(std::string_view proc_pid_stat) {
  // "PID (COMM) STATE PPID PGRP SESSION ...": COMM is whatever the process named itself,
  // ')' and blanks included, so it ends at the last ')', after which come only numbers
  // and the one-letter state.
  const size_t open = proc_pid_stat.find(" (");
  const size_t close = proc_pid_stat.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open + 2 ||
      close + 1 >= proc_pid_stat.size() || proc_pid_stat[close + 1] != ' ') {
    return std::nullopt;
  }
  const auto pid = ParseCount<int>(proc_pid_stat.substr(0, open));
  if (!pid || *pid == 0) return std::nullopt;

  // Field k of proc(5) (1-based, "(3) state") is fields[k - 3].
  constexpr size_t kState = 0, kPpid = 1, kPgrp = 2, kSession = 3, kUtime = 11, kStime = 12, kCutime = 13, kCstime = 14,
                   kNumThreads = 17, kStartTime = 19, kRss = 21;
  std::array<std::string_view, kRss + 1> fields;
  if (FirstFields(proc_pid_stat.substr(close + 1), fields) <= kRss || fields[kState].size() != 1) return std::nullopt;
  const auto ppid = ParseCount<int>(fields[kPpid]);
  const auto pgrp = ParseCount<int>(fields[kPgrp]);
  const auto session = ParseCount<int>(fields[kSession]);
  const auto utime = ParseCount<uint64_t>(fields[kUtime]);
  const auto stime = ParseCount<uint64_t>(fields[kStime]);
  const auto cutime = ParseCount<uint64_t>(fields[kCutime]);
  const auto cstime = ParseCount<uint64_t>(fields[kCstime]);
  const auto num_threads = ParseCount<int>(fields[kNumThreads]);
  const auto start_time = ParseCount<uint64_t>(fields[kStartTime]);
  const auto rss = ParseCount<uint64_t>(fields[kRss]);
  if (!ppid || !pgrp || !session || !utime || !stime || !cutime || !cstime || !num_threads || !start_time || !rss) {
    return std::nullopt;
  }
  ProcessStat stat;
  stat.pid = *pid;
  stat.comm = std::string(proc_pid_stat.substr(open + 2, close - open - 2));
  stat.state = fields[kState][0];
  stat.ppid = *ppid;
  stat.pgrp = *pgrp;
  stat.session = *session;
  stat.utime_ticks = *utime;
  stat.stime_ticks = *stime;
  stat.cutime_ticks = *cutime;
  stat.cstime_ticks = *cstime;
  stat.start_time_ticks = *start_time;
  stat.rss_pages = *rss;
  stat.num_threads = *num_threads;
  return stat;
}

std::optional<uint64_t> ParsePssBytes(std::string_view smaps_rollup) { return ParseKibLine(smaps_rollup, "Pss:"); }

std::optional<uint32_t> ParseRealUid(std::string_view proc_pid_status) {
  // "Uid:\t1000\t1000\t1000\t1000": real, effective, saved, file-system.
  const auto rest = FindLine(proc_pid_status, "Uid:");
  if (!rest) return std::nullopt;
  const auto fields = Fields(*rest);
  if (fields.empty()) return std::nullopt;
  return ParseCount<uint32_t>(fields[0]);
}

}  // namespace vigil::metrics
