// SPDX-License-Identifier: MIT
// ListProcesses, CommandRegex, Matches, StallTracker and Summarize (see process_table.h).
// This file is also the adapter that keeps std::regex's exceptions inside metrics/.
#include "metrics/process_table.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>

#include "base/check.h"
#include "metrics/proc_parse.h"
#include "metrics/text_util.h"

// CommandRegex relies on libstdc++'s polynomial executor (regex_constants::__polynomial),
// the only std::regex mode whose search neither recurses per character nor backtracks.
#if !defined(__GLIBCXX__)
#error "metrics/process_table.cc needs libstdc++ (std::regex_constants::__polynomial)"
#endif

namespace vigil::metrics {
namespace {

// kthreadd: it starts every kernel thread (Linux 2.6.22 onward), which makes it their parent.
constexpr int kKthreaddPid = 2;

// Start times are kept at or before 2106: a bogus tick count must not overflow WallTime
// (signed 64-bit nanoseconds since 1970, which end in 2262).
constexpr uint64_t kMaxStartSeconds = uint64_t{1} << 32;

base::WallTime StartTime(uint64_t boot_seconds, uint64_t start_ticks, long ticks_per_second) {
  uint64_t seconds = boot_seconds;
  uint64_t milliseconds = 0;
  if (ticks_per_second > 0) {
    const auto ticks_per_s = static_cast<uint64_t>(ticks_per_second);
    seconds = AddSaturating(seconds, start_ticks / ticks_per_s);
    // In double: the remainder times 1000 could overflow for an absurd tick rate.
    milliseconds = static_cast<uint64_t>(static_cast<double>(start_ticks % ticks_per_s) * 1000.0 /
                                         static_cast<double>(ticks_per_s));
  }
  if (seconds >= kMaxStartSeconds) return base::WallTime(std::chrono::seconds(kMaxStartSeconds));
  return base::WallTime(std::chrono::seconds(seconds)) + std::chrono::milliseconds(milliseconds);
}

// One process, or nullopt to leave it out (see ListProcesses). Another process may take the
// pid between two of these reads only if the pid space wraps around meanwhile, which is
// accepted rather than paying a second read of stat for each process.
std::optional<ProcessEntry> ReadProcess(const ProcRoot& proc, int pid, uint64_t boot_seconds, long ticks_per_second,
                                        uint64_t page_bytes) {
  const std::string dir = std::to_string(pid);
  const auto stat_text = proc.Read(dir + "/stat");
  if (!stat_text) return std::nullopt;  // ended since the listing (NotFound), or not ours to read
  const auto stat = ParseProcessStat(*stat_text);
  if (!stat) return std::nullopt;

  std::string cmdline;
  if (const auto raw = proc.Read(dir + "/cmdline")) {
    cmdline = JoinCommandLine(*raw);
    // A kernel thread has no user memory, hence no arguments. Testing the parent too keeps
    // a user process listed that happens to have an empty command line.
    if (cmdline.empty() && (pid == kKthreaddPid || stat->ppid == kKthreaddPid)) return std::nullopt;
  } else if (raw.error().code() == base::StatusCode::kNotFound) {
    return std::nullopt;
  }
  // Otherwise the arguments are larger than ProcRoot reads: still a process to count and
  // to match by name and user.

  const auto status = proc.Read(dir + "/status");
  if (!status) return std::nullopt;
  const auto uid = ParseRealUid(*status);
  if (!uid) return std::nullopt;

  ProcessEntry entry;
  entry.pid = pid;
  entry.pgrp = stat->pgrp;
  entry.comm = stat->comm;
  entry.cmdline = std::move(cmdline);
  entry.uid = *uid;
  entry.cpu_ticks = AddSaturating(stat->utime_ticks, stat->stime_ticks);
  entry.start_time_ticks = stat->start_time_ticks;
  entry.started = StartTime(boot_seconds, stat->start_time_ticks, ticks_per_second);
  entry.rss_bytes = MultiplySaturating(stat->rss_pages, page_bytes);
  // proc(5): X is "dead", the instant between zombie and gone.
  entry.zombie = stat->state == 'Z' || stat->state == 'X';
  return entry;
}

base::Status BadRegex(const std::string& why) { return base::Status::InvalidArgument("bad regex: " + why); }

// libstdc++'s own wording, except where it names its internals.
std::string Describe(const std::regex_error& error) {
  if (error.code() == std::regex_constants::error_complexity) {
    // The polynomial executor's only refusal (GCC 12): a back-reference.
    return "back-references such as \\1 are not supported (they would make matching slow)";
  }
  if (error.code() == std::regex_constants::error_space) {
    return "too complex: it would need too many states (make {n} counts smaller)";
  }
  std::string what = error.what();
  if (!what.empty() && what.back() == '.') what.pop_back();
  return what;
}

}  // namespace

base::Result<std::vector<ProcessEntry>> ListProcesses(const ProcRoot& proc) {
  return ListProcesses(proc, sysconf(_SC_CLK_TCK), sysconf(_SC_PAGESIZE));
}

base::Result<std::vector<ProcessEntry>> ListProcesses(const ProcRoot& proc, long ticks_per_second, long page_size) {
  const auto stat = proc.Read("stat");
  if (!stat) return stat.error();
  const auto boot_seconds = ParseBootTimeSeconds(*stat);
  if (!boot_seconds) return base::Status::InvalidArgument((proc.root() / "stat").string() + ": no btime line");
  const uint64_t page_bytes = page_size > 0 ? static_cast<uint64_t>(page_size) : 0;

  std::vector<ProcessEntry> entries;
  for (int pid : proc.ListPids()) {
    if (auto entry = ReadProcess(proc, pid, *boot_seconds, ticks_per_second, page_bytes)) {
      entries.push_back(std::move(*entry));
    }
  }
  return entries;
}

std::string JoinCommandLine(std::string_view raw, size_t max_bytes) {
  std::string text(raw.substr(0, max_bytes));
  std::replace(text.begin(), text.end(), '\0', ' ');
  // npos + 1 is 0: a line of spaces only becomes empty.
  text.erase(text.find_last_not_of(' ') + 1);
  return text;
}

bool CommandRegex::SearchIn(std::string_view text) const {
  // Invariant: regex_ is "[\s\S]*(?:pattern)", so one run from the start of the text finds
  // the pattern anywhere in it. The polynomial executor advances every live state by one
  // character at a time (a Thompson NFA), where regex_search's default would restart at
  // each position (quadratic) and recurse once per character (a stack overflow past about
  // 50 kB of text on an 8 MB stack).
  try {
    return std::regex_search(text.begin(), text.end(), regex_, std::regex_constants::match_continuous);
  } catch (const std::regex_error&) {
    return false;  // nothing throws here in GCC 12, but no exception may reach the loop
  }
}

base::Result<CommandRegex> CompileCommandRegex(const std::string& pattern) {
  if (pattern.empty()) return BadRegex("empty pattern (it would match every process)");
  if (pattern.size() > kMaxCommandRegexBytes) {
    return BadRegex("pattern of " + std::to_string(pattern.size()) + " characters, longer than the " +
                    std::to_string(kMaxCommandRegexBytes) + " allowed");
  }
  // nosubs: only whether it matches is wanted, and capture groups cost the executor a copy
  // per live state and character.
  constexpr auto kFlags = std::regex::ECMAScript | std::regex::nosubs | std::regex_constants::__polynomial;
  try {
    // Alone first: wrapped, an unbalanced pattern such as "a)(?:b" would compile into one
    // the user did not write.
    const std::regex alone(pattern, kFlags);
    std::regex wrapped("[\\s\\S]*(?:" + pattern + ")", kFlags);
    return CommandRegex(pattern, std::move(wrapped));
  } catch (const std::regex_error& error) {
    return BadRegex(Describe(error));
  }
}

bool Matches(const ProcessMatch& match, const ProcessEntry& entry) {
  if (entry.zombie) return false;
  if (!match.name.empty() && entry.comm != match.name) return false;
  if (match.uid && entry.uid != *match.uid) return false;
  return !match.command || match.command->SearchIn(entry.cmdline);  // last: it costs the most
}

void StallTracker::ObserveOne(const ProcessEntry& entry, base::SteadyTime now,
                              std::unordered_map<int, Seen>* next) const {
  Seen seen{entry.start_time_ticks, entry.cpu_ticks, now, now};
  const auto before = seen_.find(entry.pid);
  if (before != seen_.end() && before->second.start_time_ticks == entry.start_time_ticks &&
      before->second.cpu_ticks == entry.cpu_ticks) {
    seen.unchanged_since = before->second.unchanged_since;
  }
  (*next)[entry.pid] = seen;
}

void StallTracker::Observe(const std::vector<ProcessEntry>& matched, base::SteadyTime now) {
  std::unordered_map<int, Seen> next;
  next.reserve(matched.size());
  for (const ProcessEntry& entry : matched) ObserveOne(entry, now, &next);
  // Invariant: only the processes of this observation remain.
  seen_ = std::move(next);
}

void StallTracker::Observe(const std::vector<const ProcessEntry*>& matched, base::SteadyTime now) {
  std::unordered_map<int, Seen> next;
  next.reserve(matched.size());
  for (const ProcessEntry* entry : matched) {
    VIGIL_CHECK(entry != nullptr, "StallTracker::Observe takes no null entry");
    ObserveOne(*entry, now, &next);
  }
  seen_ = std::move(next);
}

base::Duration StallTracker::StalledFor(int pid, base::SteadyTime now) const {
  const auto it = seen_.find(pid);
  if (it == seen_.end()) return base::Duration::zero();
  const Seen& seen = it->second;
  if (seen.unchanged_since == seen.last_observed || now <= seen.unchanged_since) return base::Duration::zero();
  return std::chrono::duration_cast<base::Duration>(now - seen.unchanged_since);
}

ProcessFigures Summarize(const std::vector<const ProcessEntry*>& matched, base::WallTime now,
                         const StallTracker& tracker, base::SteadyTime steady_now) {
  ProcessFigures figures;
  figures.count = static_cast<int>(matched.size());
  for (const ProcessEntry* entry : matched) {
    VIGIL_CHECK(entry != nullptr, "Summarize takes no null entry");
    // A wall clock set back makes a start time look future: that process has run 0.
    const base::Duration runtime =
        std::max(base::Duration::zero(), std::chrono::duration_cast<base::Duration>(now - entry->started));
    if (!figures.oldest_runtime || runtime > *figures.oldest_runtime ||
        (runtime == *figures.oldest_runtime && entry->pid < figures.oldest_pid)) {
      figures.oldest_runtime = runtime;
      figures.oldest_pid = entry->pid;
    }
    const base::Duration stall = tracker.StalledFor(entry->pid, steady_now);
    if (stall <= base::Duration::zero()) continue;
    if (!figures.longest_stall || stall > *figures.longest_stall ||
        (stall == *figures.longest_stall && entry->pid < figures.stalled_pid)) {
      figures.longest_stall = stall;
      figures.stalled_pid = entry->pid;
    }
  }
  return figures;
}

}  // namespace vigil::metrics
