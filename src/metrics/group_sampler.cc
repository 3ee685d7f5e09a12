// SPDX-License-Identifier: MIT
// GroupSampler (see group_sampler.h): /proc walks that read only the processes that count.
#include "metrics/group_sampler.h"

#include <sys/resource.h>

#include <algorithm>
#include <string>

#include "metrics/proc_parse.h"
#include "metrics/text_util.h"

namespace vigil::metrics {
namespace {

// The stat line of a process is about 300 bytes; its name is at most 64 (a kernel
// thread's), so 4 kB never cuts one short.
constexpr size_t kStatBufferBytes = 4096;

// Adds the PSS of a living member to usage->pss_bytes, or clears it for good when the
// member's PSS cannot be known: a partial sum would read as a real one.
void AddPss(const ProcRoot& proc, const std::string& dir, GroupUsage* usage) {
  if (!usage->pss_bytes) return;
  auto text = proc.Read(dir + "/smaps_rollup");
  std::optional<uint64_t> pss;
  if (text) {
    // A process in the middle of exit has dropped its memory and shows an empty file.
    pss = text->empty() ? std::optional<uint64_t>(0) : ParsePssBytes(*text);
  } else if (text.error().code() == base::StatusCode::kNotFound && !proc.Read(dir + "/stat")) {
    pss = 0;  // it ended since its stat was read, taking its memory along
  }
  // Otherwise refused (another user's process) or absent from a living process (a
  // kernel before 4.14): unknown.
  if (!pss) {
    usage->pss_bytes.reset();
    return;
  }
  usage->pss_bytes = AddSaturating(*usage->pss_bytes, *pss);
}

}  // namespace

size_t KeptFileBudget() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return 1024;
  return static_cast<size_t>(limit.rlim_cur / 4);
}

GroupSampler::GroupSampler(ProcRoot proc, long page_size, size_t max_kept_files)
    : proc_(std::move(proc)), page_size_(page_size), max_kept_files_(max_kept_files) {}

const std::unordered_map<int, GroupUsage>& GroupSampler::Sample(const std::vector<int>& pgids, Options options,
                                                                base::SteadyTime now) {
  if (!Answers(pgids, options, now)) {
    // Every member given: clang does not default-construct a nested struct with default
    // member initializers (Options) inside its enclosing class.
    if (!last_) last_ = LastWalk{now, options, Usage{}};
    last_->at = now;
    last_->options = options;
    Walk(pgids, options, last_->usage);
  }
  return last_->usage;
}

bool GroupSampler::Answers(const std::vector<int>& pgids, Options options, base::SteadyTime now) const {
  if (!last_ || now < last_->at || now - last_->at >= kSameRound) return false;
  if ((options.with_pss && !last_->options.with_pss) || (options.with_fds && !last_->options.with_fds)) return false;
  for (int pgid : pgids) {
    if (!last_->usage.contains(pgid)) return false;
  }
  return true;
}

bool GroupSampler::ReadStat(int pid, Known& known, char* buffer, size_t size, std::string_view* text) {
  const std::string name = std::to_string(pid) + "/stat";
  if (!known.stat.valid()) {
    auto opened = proc_.Open(name);
    if (!opened) return false;  // ended since the listing (NotFound), or not ours to read
    known.stat = std::move(*opened);
    ++kept_files_;
  }
  auto read = ProcRoot::ReadAgain(known.stat, name, buffer, size);
  if (!read) return false;
  *text = *read;
  return true;
}

std::optional<int> GroupSampler::LastPid() {
  if (!loadavg_.valid()) {
    auto opened = proc_.Open("loadavg");
    if (!opened) return std::nullopt;
    loadavg_ = std::move(*opened);
  }
  char buffer[256];
  auto text = ProcRoot::ReadAgain(loadavg_, "loadavg", buffer, sizeof buffer);
  if (!text) {
    loadavg_.reset();
    return std::nullopt;
  }
  return ParseLastPid(*text);
}

void GroupSampler::Walk(const std::vector<int>& pgids, Options options, Usage& usage) {
  // The groups of the last walk, emptied, when they are the ones asked for (a duplicate
  // in `pgids` may leave one more: the answer may hold more groups than asked).
  const bool same_groups = usage.size() <= pgids.size() &&
                           std::all_of(pgids.begin(), pgids.end(), [&](int pgid) { return usage.contains(pgid); });
  if (!same_groups) usage.clear();
  for (int pgid : pgids) usage.try_emplace(pgid);
  for (auto& [pgid, group] : usage) {
    group = GroupUsage{};
    if (options.with_pss) group.pss_bytes = 0;  // until a member's PSS proves unknown
  }
  const uint64_t round = ++round_;
  char buffer[kStatBufferBytes];

  // Read before the listing, so a process created meanwhile makes the next round list.
  const std::optional<int> last_pid = LastPid();
  if (last_pid && listed_after_pid_ == last_pid) {
    // No process was created since the last listing: the known ones are all there are.
    for (auto it = known_.begin(); it != known_.end();) {
      Known& known = it->second;
      const bool member = usage.contains(known.pgrp) || usage.contains(it->first);
      if (member && !Count(it->first, known, /*fresh=*/false, options, usage, buffer, sizeof buffer)) {
        it = Forget(it);
        continue;
      }
      if (!member && known.stat.valid()) {
        known.stat.reset();
        --kept_files_;
      }
      ++it;
    }
    return;
  }

  ++listings_;
  listed_after_pid_ = last_pid;
  for (const ProcRoot::PidEntry& entry : proc_.ListPidEntries()) {
    auto [it, fresh] = known_.try_emplace(entry.pid);
    Known& known = it->second;
    if (!fresh && known.inode != entry.inode) {
      // The pid belongs to a new process now.
      if (known.stat.valid()) --kept_files_;
      known = Known{};
      fresh = true;
    }
    known.inode = entry.inode;
    known.seen_in_round = round;
    if (!Count(entry.pid, known, fresh, options, usage, buffer, sizeof buffer)) Forget(it);
  }
  // Processes no longer listed have ended: close their files.
  std::erase_if(known_, [&](auto& item) {
    if (item.second.seen_in_round == round) return false;
    if (item.second.stat.valid()) --kept_files_;
    return true;
  });
}

std::unordered_map<int, GroupSampler::Known>::iterator GroupSampler::Forget(
    std::unordered_map<int, Known>::iterator it) {
  if (it->second.stat.valid()) --kept_files_;
  // Listed again next round, in case it was only unreadable for a moment.
  listed_after_pid_.reset();
  return known_.erase(it);
}

bool GroupSampler::Count(int pid, Known& known, bool fresh, Options options, Usage& usage, char* buffer,
                         size_t size) {
  if (!fresh && !usage.contains(known.pgrp) && !usage.contains(pid)) {
    // The same process as before, outside every group asked for: nothing to read. (It
    // may have been in one an earlier question asked for: its file is not needed now.)
    if (known.stat.valid()) {
      known.stat.reset();
      --kept_files_;
    }
    return true;
  }
  std::string_view text;
  const bool read = ReadStat(pid, known, buffer, size, &text);
  const auto stat = read ? ParseProcessStat(text) : std::nullopt;
  if (!stat) return false;
  known.pgrp = stat->pgrp;
  const auto group = usage.find(stat->pgrp);
  if (group == usage.end() || kept_files_ > max_kept_files_) {
    // Not a member (its stat is not read again while it lives), or over the budget of
    // open files (read by opening it each round).
    known.stat.reset();
    --kept_files_;
  }
  if (group == usage.end()) return true;

  GroupUsage& total = group->second;
  ++total.processes;
  uint64_t ticks = AddSaturating(stat->utime_ticks, stat->stime_ticks);
  ticks = AddSaturating(ticks, AddSaturating(stat->cutime_ticks, stat->cstime_ticks));
  total.cpu_ticks = AddSaturating(total.cpu_ticks, ticks);
  // A zombie has released its memory and files; its fd directory and smaps_rollup read
  // as empty or fail, which must not spoil the group's totals.
  if (stat->state == 'Z') return true;
  const uint64_t page_bytes = page_size_ > 0 ? static_cast<uint64_t>(page_size_) : 0;
  total.rss_bytes = AddSaturating(total.rss_bytes, MultiplySaturating(stat->rss_pages, page_bytes));
  if (options.with_fds) {
    if (auto fds = proc_.CountOpenFds(pid)) total.open_fds += *fds;
  }
  if (options.with_pss) AddPss(proc_, std::to_string(pid), &total);
  return true;
}

}  // namespace vigil::metrics
