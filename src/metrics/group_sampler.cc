// SPDX-License-Identifier: MIT
// GroupSampler (see group_sampler.h): /proc walks that read only the processes that count.
#include "metrics/group_sampler.h"

#include <sys/resource.h>

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
  if (!Answers(pgids, options, now)) last_ = LastWalk{now, options, Walk(pgids, options)};
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

std::unordered_map<int, GroupUsage> GroupSampler::Walk(const std::vector<int>& pgids, Options options) {
  std::unordered_map<int, GroupUsage> usage;
  for (int pgid : pgids) {
    GroupUsage& group = usage[pgid];
    if (options.with_pss) group.pss_bytes = 0;  // until a member's PSS proves unknown
  }
  const uint64_t page_bytes = page_size_ > 0 ? static_cast<uint64_t>(page_size_) : 0;
  const uint64_t round = ++round_;
  char buffer[kStatBufferBytes];

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
    if (!fresh && !usage.contains(known.pgrp) && !usage.contains(entry.pid)) {
      // The same process as before, outside every group asked for: nothing to read. (It
      // may have been in one an earlier question asked for: its file is not needed now.)
      if (known.stat.valid()) {
        known.stat.reset();
        --kept_files_;
      }
      continue;
    }

    std::string_view text;
    const bool read = ReadStat(entry.pid, known, buffer, sizeof buffer, &text);
    const auto stat = read ? ParseProcessStat(text) : std::nullopt;
    if (!stat) {
      // Ended since the listing, unreadable or unparsable: forgotten, so the next round
      // tries it afresh instead of taking it for an outsider.
      if (known.stat.valid()) --kept_files_;
      known_.erase(it);
      continue;
    }
    known.pgrp = stat->pgrp;
    const auto group = usage.find(stat->pgrp);
    if (group == usage.end() || kept_files_ > max_kept_files_) {
      // Not a member (its stat is not read again while it lives), or over the budget of
      // open files (read by opening it each round).
      known.stat.reset();
      --kept_files_;
    }
    if (group == usage.end()) continue;

    GroupUsage& total = group->second;
    ++total.processes;
    uint64_t ticks = AddSaturating(stat->utime_ticks, stat->stime_ticks);
    ticks = AddSaturating(ticks, AddSaturating(stat->cutime_ticks, stat->cstime_ticks));
    total.cpu_ticks = AddSaturating(total.cpu_ticks, ticks);
    // A zombie has released its memory and files; its fd directory and smaps_rollup read
    // as empty or fail, which must not spoil the group's totals.
    if (stat->state == 'Z') continue;
    total.rss_bytes = AddSaturating(total.rss_bytes, MultiplySaturating(stat->rss_pages, page_bytes));
    if (options.with_fds) {
      if (auto fds = proc_.CountOpenFds(entry.pid)) total.open_fds += *fds;
    }
    if (options.with_pss) AddPss(proc_, std::to_string(entry.pid), &total);
  }
  // Processes no longer listed have ended: close their files.
  std::erase_if(known_, [&](auto& item) {
    if (item.second.seen_in_round == round) return false;
    if (item.second.stat.valid()) --kept_files_;
    return true;
  });
  return usage;
}

}  // namespace vigil::metrics
