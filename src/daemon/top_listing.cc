// SPDX-License-Identifier: MIT
// The busiest processes between two listings of /proc (see top_listing.h).
#include "daemon/top_listing.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "base/units.h"
#include "metrics/group_sample.h"

namespace vigil::daemon {
namespace {

// The first `n` of `loads` (sorted, so the first one not `listed` ends the list).
std::string Join(const std::vector<ProcessLoad>& loads, size_t n, bool (*listed)(const ProcessLoad&),
                 std::string (*figure)(const ProcessLoad&)) {
  std::string out;
  for (size_t i = 0; i < loads.size() && i < n && listed(loads[i]); ++i) {
    out += fmt::format("{}{}[{}] {}", i == 0 ? "" : ", ", loads[i].comm, loads[i].pid, figure(loads[i]));
  }
  return out;
}

}  // namespace

std::vector<ProcessLoad> ProcessLoads(const std::vector<metrics::ProcessEntry>& first,
                                      const std::vector<metrics::ProcessEntry>& second, base::Duration elapsed,
                                      long ticks_per_second) {
  std::unordered_map<int, const metrics::ProcessEntry*> before;
  for (const metrics::ProcessEntry& e : first) before[e.pid] = &e;
  std::vector<ProcessLoad> out;
  for (const metrics::ProcessEntry& e : second) {
    if (e.zombie) continue;
    ProcessLoad load{e.pid, e.comm, 0, e.rss_bytes};
    auto it = before.find(e.pid);
    // The same process (not a reused pid); CpuPercent gives 0 if its counter went back.
    if (it != before.end() && it->second->start_time_ticks == e.start_time_ticks) {
      load.cpu_percent = metrics::CpuPercent(it->second->cpu_ticks, e.cpu_ticks, elapsed, ticks_per_second);
    }
    out.push_back(std::move(load));
  }
  return out;
}

std::string TopByCpu(std::vector<ProcessLoad> loads, size_t n) {
  // Stable, so equal shares keep pid order and the words do not change between runs.
  std::stable_sort(loads.begin(), loads.end(),
                   [](const ProcessLoad& a, const ProcessLoad& b) { return a.cpu_percent > b.cpu_percent; });
  return Join(
      loads, n, [](const ProcessLoad& l) { return std::round(l.cpu_percent) >= 1; },
      [](const ProcessLoad& l) { return fmt::format("{:.0f}%", l.cpu_percent); });
}

std::string TopByMemory(std::vector<ProcessLoad> loads, size_t n) {
  std::stable_sort(loads.begin(), loads.end(),
                   [](const ProcessLoad& a, const ProcessLoad& b) { return a.rss_bytes > b.rss_bytes; });
  return Join(
      loads, n, [](const ProcessLoad& l) { return l.rss_bytes > 0; },
      [](const ProcessLoad& l) { return base::FormatSize(l.rss_bytes); });
}

base::Result<std::unique_ptr<TopListing>> TopListing::Start(event::Clock& clock, metrics::ProcRoot proc,
                                                            base::Duration window, DoneFn done) {
  auto first = metrics::ListProcesses(proc);
  if (!first) return first.error();
  std::unique_ptr<TopListing> listing(new TopListing(clock, std::move(proc), std::move(*first), std::move(done)));
  // The timer is owned by the listing, so it never fires into one that is gone.
  listing->timer_ = clock.AddTimer(window, [self = listing.get()] { self->Finish(); });
  return listing;
}

TopListing::TopListing(event::Clock& clock, metrics::ProcRoot proc, std::vector<metrics::ProcessEntry> first,
                       DoneFn done)
    : clock_(clock),
      proc_(std::move(proc)),
      first_(std::move(first)),
      first_at_(clock.SteadyNow()),
      done_(std::move(done)) {}

TopListing::~TopListing() = default;

std::vector<ProcessLoad> TopListing::FirstLoads() const { return ProcessLoads({}, first_, base::Duration(0), 1); }

void TopListing::Finish() {
  auto second = metrics::ListProcesses(proc_);
  std::vector<ProcessLoad> loads;
  if (second) {
    loads = ProcessLoads(first_, *second, std::chrono::duration_cast<base::Duration>(clock_.SteadyNow() - first_at_),
                         ::sysconf(_SC_CLK_TCK));
  }
  // `done` may destroy this listing: it runs from a local, and nothing here is touched after.
  DoneFn done = std::move(done_);
  done(std::move(loads));
}

}  // namespace vigil::daemon
