// SPDX-License-Identifier: MIT
// TopListing: the machine's busiest processes, for the `top` action and for the raise
// finding of a CPU or memory check (docs/health.md#findings). A CPU share needs two
// listings of /proc, so it lists them now and again `window` later, on a timer: never a
// wait on the loop. Owned by whoever asked; destroying it cancels the second listing.
// Thread rule: loop thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "event/clock.h"
#include "metrics/proc_root.h"
#include "metrics/process_table.h"

namespace vigil::daemon {

// Which of the busiest processes a raise finding lists: by CPU, by memory, or both.
enum class TopList { kNone, kCpu, kMemory, kBoth };

// What one process used between two listings.
struct ProcessLoad {
  int pid = 0;
  std::string comm;
  double cpu_percent = 0;  // of one CPU: a process busy on two cores shows 200
  uint64_t rss_bytes = 0;  // at the second listing
};

// The processes of `second` (zombies left out), with the CPU share each used since `first`
// over `elapsed`; a process not in `first` (or a pid reused since) shows 0. Pure.
std::vector<ProcessLoad> ProcessLoads(const std::vector<metrics::ProcessEntry>& first,
                                      const std::vector<metrics::ProcessEntry>& second, base::Duration elapsed,
                                      long ticks_per_second);

// The `n` busiest by CPU, "ffmpeg[1234] 171%, python3[88] 12%"; processes that used no CPU
// (under 0.5%) are not listed, so "" when none did.
std::string TopByCpu(std::vector<ProcessLoad> loads, size_t n);
// The `n` largest by resident memory, "java[77] 1.2 GB, postgres[88] 300 MB"; "" when none
// has any (kernel threads have none).
std::string TopByMemory(std::vector<ProcessLoad> loads, size_t n);

class TopListing {
 public:
  // Gets the loads once, from the timer `window` after Start. It may destroy the
  // TopListing that calls it.
  using DoneFn = std::function<void(std::vector<ProcessLoad>)>;

  // Lists the processes now and arms the timer for the second listing. Fails (and never
  // calls `done`) when /proc cannot be listed. A second listing that fails gives no loads.
  static base::Result<std::unique_ptr<TopListing>> Start(event::Clock& clock, metrics::ProcRoot proc,
                                                         base::Duration window, DoneFn done);
  ~TopListing();
  TopListing(const TopListing&) = delete;
  TopListing& operator=(const TopListing&) = delete;

  // The first listing alone: resident memory is right, every CPU share 0. For a listing
  // cut short (its check changed before the second).
  std::vector<ProcessLoad> FirstLoads() const;

 private:
  TopListing(event::Clock& clock, metrics::ProcRoot proc, std::vector<metrics::ProcessEntry> first, DoneFn done);
  void Finish();

  event::Clock& clock_;
  metrics::ProcRoot proc_;
  std::vector<metrics::ProcessEntry> first_;
  base::SteadyTime first_at_;
  DoneFn done_;
  event::HandlePtr timer_;
};

}  // namespace vigil::daemon
