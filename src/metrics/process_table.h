// SPDX-License-Identifier: MIT
// The processes of the whole machine, for "process" health checks: one listing of /proc,
// the match of a check (name, command-line regex, user), how long each matched process has
// not used CPU, and the figures a check's rules compare.
// Thread rule: the functions keep no state and are safe from any thread; a StallTracker
// belongs to one check and is used from one thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "base/clock.h"
#include "base/status.h"
#include "metrics/proc_root.h"

namespace vigil::metrics {

// The kernel keeps 15 bytes of a process name (TASK_COMM_LEN 16, with its NUL), so a
// longer ProcessMatch::name never matches; config validation should refuse one.
inline constexpr size_t kMaxCommBytes = 15;

// How much of a command line a ProcessEntry keeps: enough for a JVM with a long class
// path, while a thousand processes with huge argument lists cost vigild tens of MB, not GB.
inline constexpr size_t kMaxCommandLineBytes = 32 * 1024;

// The longest pattern CompileCommandRegex accepts.
inline constexpr size_t kMaxCommandRegexBytes = 1024;

// One process of the machine, as one listing saw it.
struct ProcessEntry {
  int pid = 0;
  int pgrp = 0;
  std::string comm{};      // the kernel's name of it (at most kMaxCommBytes)
  std::string cmdline{};   // see JoinCommandLine; empty for a zombie or when unreadable
  uint32_t uid = 0;        // real uid
  uint64_t cpu_ticks = 0;  // utime + stime, in USER_HZ ticks
  // Since boot, in USER_HZ ticks. With pid it names the process: unlike `started`, it does
  // not move when the wall clock is set.
  uint64_t start_time_ticks = 0;
  base::WallTime started{};
  uint64_t rss_bytes = 0;
  bool zombie = false;  // state Z or X: it has exited and waits for its parent
};

// Walks proc.ListPids() once, reading PID/stat, PID/cmdline and PID/status of each, in
// ascending pid order. Kernel threads are left out: kthreadd (pid 2) and its children
// (ppid 2) whose command line is empty. A user-mode helper the kernel starts (modprobe, a
// core-dump pipe) is also a child of kthreadd, but has a command line once it has exec'd,
// so it is listed. A process that ends during the walk, or whose stat or status cannot be
// read or parsed, is left out without error; one whose cmdline cannot be read (larger
// than kMaxProcFileBytes) is listed with an empty one. `ticks_per_second` is
// sysconf(_SC_CLK_TCK) and `page_size` sysconf(_SC_PAGESIZE); the first overload asks
// sysconf. Fails only when the boot time cannot be read from `stat` (the error names the
// file): without it no start time is known, and an empty list would read as "no process".
base::Result<std::vector<ProcessEntry>> ListProcesses(const ProcRoot& proc);
base::Result<std::vector<ProcessEntry>> ListProcesses(const ProcRoot& proc, long ticks_per_second, long page_size);

// The text of /proc/PID/cmdline for matching and display: its first `max_bytes`, each NUL
// (the end of an argument) turned into a space, without trailing spaces (a process that
// rewrote its title pads it with NULs or spaces).
std::string JoinCommandLine(std::string_view raw, size_t max_bytes = kMaxCommandLineBytes);

// A compiled ECMAScript pattern searched anywhere in a command line, in time proportional
// to the line's length times the pattern's size (a lookahead adds a scan per position it
// is tried at). Whatever command line a user of the machine crafts, the search neither
// exhausts the stack nor backtracks exponentially; back-references are refused for that.
// Made only by CompileCommandRegex. Cheap to copy; const methods are safe from any thread.
class CommandRegex {
 public:
  const std::string& pattern() const { return pattern_; }

  // True when the pattern matches some part of `text`.
  bool SearchIn(std::string_view text) const;

  bool operator==(const CommandRegex& other) const { return pattern_ == other.pattern_; }

 private:
  friend base::Result<CommandRegex> CompileCommandRegex(const std::string& pattern);
  CommandRegex(std::string pattern, std::regex regex) : pattern_(std::move(pattern)), regex_(std::move(regex)) {}

  std::string pattern_;
  std::regex regex_;  // "[\s\S]*(?:pattern)", run once from the start of the text
};

// InvalidArgument "bad regex: ..." for an empty pattern (it would match every process),
// one longer than kMaxCommandRegexBytes, one with a back-reference, and one std::regex
// refuses (the message then says why, as the library words it).
base::Result<CommandRegex> CompileCommandRegex(const std::string& pattern);

// What a process check watches. Every condition given must hold; an empty name and unset
// command and uid match every living process, so config validation should ask for one.
struct ProcessMatch {
  std::string name{};                     // exact comm, or "" for any
  std::optional<CommandRegex> command{};  // searched in cmdline
  std::optional<uint32_t> uid{};          // real uid

  bool operator==(const ProcessMatch&) const = default;
};

// Whether `entry` is one of the processes `match` watches. A zombie never is: it no longer
// runs, and a service that died into one must not count as running.
bool Matches(const ProcessMatch& match, const ProcessEntry& entry);

// For each matched process, since when its cpu_ticks have not changed. A process is its
// pid and start time, so a pid reused by a new process starts afresh. Keeps only the
// processes of the latest observation, so its memory follows the match, not history.
// Owned by one check; single-threaded.
class StallTracker {
 public:
  // Records the processes a check matched at `now` and forgets every other one.
  void Observe(const std::vector<ProcessEntry>& matched, base::SteadyTime now);
  void Observe(const std::vector<const ProcessEntry*>& matched, base::SteadyTime now);

  // How long the cpu_ticks of `pid` have not changed, from the observation that first saw
  // their current value to `now`. 0 when the latest observation saw it new or using CPU,
  // and for a pid it did not see. A process using less than one tick between observations
  // reads as stalled: the counter has no finer grain.
  base::Duration StalledFor(int pid, base::SteadyTime now) const;

  size_t size() const { return seen_.size(); }  // processes remembered

 private:
  struct Seen {
    uint64_t start_time_ticks = 0;
    uint64_t cpu_ticks = 0;
    base::SteadyTime unchanged_since;  // the observation that first saw cpu_ticks
    base::SteadyTime last_observed;
  };
  void ObserveOne(const ProcessEntry& entry, base::SteadyTime now, std::unordered_map<int, Seen>* next) const;

  std::unordered_map<int, Seen> seen_;  // by pid
};

// The figures of a process check at one moment.
struct ProcessFigures {
  int count = 0;
  // The longest running matched process (now - started, never negative); nullopt and pid 0
  // when none matched.
  std::optional<base::Duration> oldest_runtime;
  int oldest_pid = 0;
  // The longest StalledFor of the matched processes; nullopt and pid 0 when none is
  // stalled (each used CPU at the latest observation, or none matched).
  std::optional<base::Duration> longest_stall;
  int stalled_pid = 0;
};

// Figures over `matched` (none null). Ties go to the lower pid. `tracker` must have observed
// the same listing, or a pid reused since would inherit the stall of the process before.
ProcessFigures Summarize(const std::vector<const ProcessEntry*>& matched, base::WallTime now,
                         const StallTracker& tracker, base::SteadyTime steady_now);

}  // namespace vigil::metrics
