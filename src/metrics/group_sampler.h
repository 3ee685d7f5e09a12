// SPDX-License-Identifier: MIT
// GroupSampler: the usage of process groups (as SampleGroups) for a caller that asks again
// every few seconds, at a cost that follows the processes of the groups asked for, not
// every process of the machine.
// Thread rule: one thread (vigild's loop); not safe to share between threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <vector>

#include "base/clock.h"
#include "base/unique_fd.h"
#include "metrics/group_sample.h"
#include "metrics/proc_root.h"

namespace vigil::metrics {

// A /proc walk reads the stat file of every process to learn its group: 1000 programs
// on a machine with 1100 processes cost 1100 opens, reads and closes per round. A
// GroupSampler remembers, from one round to the next, which process each /proc entry was
// (its pid and the inode the listing gave, which a new process never shares) and its
// group, and keeps the stat file of each member of a group asked for open. A round then
// lists /proc, reads each member once through its open file, and reads only the processes
// it has not seen before; the rest of the machine costs nothing but the listing.
//
// Most rounds need no listing either: /proc/loadavg names the last pid the kernel handed
// out, and while that stays the same no process was created, so the processes known from
// the last listing are all there are (those that ended fail their read and are
// forgotten). Such a round reads the members it knows and nothing else. A wrap-around of
// the pids back to the very same number within one interval would hide a new member
// until the next process is created; a fake tree without loadavg is listed every round.
//
// A process it has seen outside the groups asked for is not read again while it lives,
// so one that later moves into such a group (setpgid) is not counted. Every program runs
// in a session of its own, and a process can only join a group of its own session: that
// takes a descendant of the program that left its group and comes back, which no common
// program does. A group's leader (pid == pgid) is read whatever it was seen as, so a
// program's first process is counted even when it was listed between fork and setsid.
// How many stat files a GroupSampler of vigild may keep open: a quarter of the soft
// RLIMIT_NOFILE, so sampling never takes the descriptors a spawn or a client needs.
size_t KeptFileBudget();

class GroupSampler {
 public:
  struct Options {
    bool with_pss = false;  // as SampleGroups
    bool with_fds = false;
  };

  // Two questions this close together are one round: a health round's checks and its
  // metric history ask within microseconds.
  static constexpr base::Duration kSameRound = std::chrono::milliseconds(100);

  // Keeps at most `max_kept_files` stat files open (0: none, every read opens its file);
  // above that, members are read by opening their file each round. `page_size` is
  // sysconf(_SC_PAGESIZE).
  GroupSampler(ProcRoot proc, long page_size, size_t max_kept_files);

  // As SampleGroups. `now` is when it is asked: a question within kSameRound of the last
  // walk, about groups that walk sampled and figures it read, is answered from that walk.
  // The answer may hold more groups than asked (that walk's); it stays valid until the
  // next call, so a caller copies what it keeps before calling out.
  const std::unordered_map<int, GroupUsage>& Sample(const std::vector<int>& pgids, Options options,
                                                    base::SteadyTime now);

  size_t kept_files() const { return kept_files_; }
  uint64_t walks() const { return round_; }         // rounds that read, since construction
  uint64_t listings() const { return listings_; }   // of which listed /proc
  size_t known_processes() const { return known_.size(); }

 private:
  struct Known {
    uint64_t inode = 0;
    int pgrp = 0;
    uint64_t seen_in_round = 0;
    base::UniqueFd stat;  // open while the process is in a group asked for
  };

  using Usage = std::unordered_map<int, GroupUsage>;

  // Fills `usage` (the last walk's, reused so a round allocates no nodes) for `pgids`.
  void Walk(const std::vector<int>& pgids, Options options, Usage& usage);
  // Adds process `pid` to its group in `usage` when it is a member (reading it) or was
  // never read (`fresh`); false when it must be forgotten (ended, unreadable or
  // unparsable), so that the next listing reads it afresh instead of taking it for an
  // outsider.
  bool Count(int pid, Known& known, bool fresh, Options options, Usage& usage, char* buffer, size_t size);
  // Erases a process that Count could not read; returns the next entry.
  std::unordered_map<int, Known>::iterator Forget(std::unordered_map<int, Known>::iterator it);
  // Reads one process's stat into `buffer`; false when it cannot be read (it ended, or
  // it is not readable).
  bool ReadStat(int pid, Known& known, char* buffer, size_t size, std::string_view* text);
  bool Answers(const std::vector<int>& pgids, Options options, base::SteadyTime now) const;
  // The last pid /proc/loadavg names (ParseLastPid), or nullopt when it cannot be read.
  std::optional<int> LastPid();

  ProcRoot proc_;
  long page_size_;
  size_t max_kept_files_;
  size_t kept_files_ = 0;
  uint64_t round_ = 0;
  uint64_t listings_ = 0;
  std::unordered_map<int, Known> known_;  // by pid
  base::UniqueFd loadavg_;                // kept open: read once a round
  std::optional<int> listed_after_pid_;   // LastPid() just before the last listing

  struct LastWalk {
    base::SteadyTime at;
    Options options;
    Usage usage;
  };
  std::optional<LastWalk> last_;
};

}  // namespace vigil::metrics
