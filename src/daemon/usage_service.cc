// SPDX-License-Identifier: MIT
// Resource use of the machine and of every program's process group, measured on request.
#include "daemon/usage_service.h"

#include <unistd.h>

#include <algorithm>

#include "metrics/group_sample.h"

namespace vigil::daemon {
namespace {

// A share measured over less than this is mostly rounding (the kernel counts CPU time in
// ticks of 10 ms), so a quicker second question reuses the older reading.
constexpr base::Duration kShortestWindow{200};

}  // namespace

UsageService::UsageService(api::ProgramController& programs, event::Clock& clock, metrics::ProcRoot proc,
                           DiskSampler* disks, metrics::GroupSampler* groups)
    : programs_(programs),
      clock_(clock),
      proc_(std::move(proc)),
      disks_(disks),
      ticks_per_second_(std::max(1L, ::sysconf(_SC_CLK_TCK))),
      own_groups_(groups != nullptr ? nullptr
                                    : std::make_unique<metrics::GroupSampler>(proc_, ::sysconf(_SC_PAGESIZE),
                                                                              metrics::KeptFileBudget())),
      groups_(groups != nullptr ? *groups : *own_groups_) {
  // A first reading of the machine, so the first question's CPU share is over vigild's
  // life so far and not since boot: `vigil health` right after a start must not show the
  // machine's lifetime average as its load.
  if (auto sample = metrics::ReadSystem(proc_)) system_readings_.Record(std::move(*sample), clock_.SteadyNow());
}

void UsageService::Top(const std::vector<std::string>& names, api::TopDoneFn done) {
  WhenCurrent(&names, [this, names, done = std::move(done)]() mutable {
    base::Result<api::TopView> view = Measure(names, /*programs=*/true, /*with_pss=*/true);
    if (!view || disks_ == nullptr) return done(std::move(view));
    AddDisks(std::move(*view), std::move(done));
  });
}

void UsageService::Machine(api::TopDoneFn done) {
  WhenCurrent(nullptr, [this, done = std::move(done)]() mutable {
    Sample(/*disks=*/true, /*programs=*/false, std::move(done));
  });
}

void UsageService::WhenCurrent(const std::vector<std::string>* names, std::function<void()> answer) {
  if (fresh_wait_) {
    // A window is under way: this question is answered with the others at its end.
    if (names != nullptr) (void)Measure(*names, /*programs=*/true, /*with_pss=*/false);  // its programs too
    waiting_.push_back(std::move(answer));
    return;
  }
  const base::SteadyTime now = clock_.SteadyNow();
  bool current = system_readings_.newer && Recent(system_readings_.newer->at, now);
  if (current && names != nullptr) {
    base::Result<std::vector<api::ProgramInfo>> asked =
        names->empty() ? programs_.ListPrograms() : programs_.FindPrograms(*names);
    if (!asked) return answer();  // Measure says which name is unknown
    current = std::all_of(asked->begin(), asked->end(), [&](const api::ProgramInfo& p) {
      if (p.pid <= 0) return true;  // not running: no share to measure
      auto it = group_readings_.find(p.name);
      return it != group_readings_.end() && it->second.newer && it->second.newer->value.pid == p.pid &&
             Recent(it->second.newer->at, now);
    });
  }
  if (current) return answer();
  // Readings now (their figures are dropped), the answer at the window's end.
  if (names != nullptr) {
    (void)Measure(*names, /*programs=*/true, /*with_pss=*/false);
  } else {
    (void)System(now);
  }
  waiting_.push_back(std::move(answer));
  fresh_wait_ = clock_.AddTimer(kFreshWindow, [this] {
    std::vector<std::function<void()>> due = std::move(waiting_);
    waiting_.clear();
    fresh_wait_.reset();  // allowed: the clock moved this callback out before calling it
    for (auto& a : due) a();
  });
}

void UsageService::Sample(bool disks, bool programs, api::TopDoneFn done) {
  base::Result<api::TopView> view = Measure({}, programs, /*with_pss=*/false);
  if (!view || !disks || disks_ == nullptr) return done(std::move(view));
  AddDisks(std::move(*view), std::move(done));
}

void UsageService::AddDisks(api::TopView view, api::TopDoneFn done) {
  base::Result<std::string> mountinfo = proc_.Read("self/mountinfo");
  std::vector<metrics::Mount> mounts;
  if (mountinfo) mounts = metrics::DiskMounts(metrics::ParseMountInfo(*mountinfo));
  disks_->Sample(mounts, [view = std::move(view), done = std::move(done)](std::vector<api::DiskUsage> disks) mutable {
    view.disks = std::move(disks);
    done(std::move(view));
  });
}

base::Result<api::TopView> UsageService::Measure(const std::vector<std::string>& names, bool with_programs,
                                                 bool with_pss) {
  std::vector<api::ProgramInfo> programs;
  if (!with_programs) {
    api::TopView view;
    view.system = System(clock_.SteadyNow());
    return view;
  }
  if (names.empty()) {
    programs = programs_.ListPrograms();
  } else {
    auto found = programs_.FindPrograms(names);
    if (!found) return found.error();
    programs = std::move(*found);
  }
  const base::SteadyTime now = clock_.SteadyNow();
  api::TopView view;
  view.system = System(now);

  // Every program runs in a process group of its own, led by its main process.
  std::vector<int> groups;
  for (const api::ProgramInfo& p : programs) {
    if (p.pid > 0) groups.push_back(p.pid);
  }
  // Read before anything below could sample again (it cannot: nothing here calls out).
  const auto& usage = groups_.Sample(groups, metrics::GroupSampler::Options{.with_pss = with_pss, .with_fds = true},
                                    clock_.SteadyNow());
  const double tps = static_cast<double>(ticks_per_second_);
  for (const api::ProgramInfo& p : programs) {
    api::ProgramUsage u;
    u.name = p.name;
    u.state = p.state;
    u.pid = p.pid;
    u.uptime_ms = p.uptime_ms;
    u.restarts = p.restarts;
    auto it = p.pid > 0 ? usage.find(p.pid) : usage.end();
    if (it == usage.end()) {
      group_readings_.erase(p.name);
      view.programs.push_back(std::move(u));
      continue;
    }
    const metrics::GroupUsage& g = it->second;
    u.processes = g.processes;
    u.memory_bytes = g.rss_bytes;
    u.pss_bytes = g.pss_bytes;
    u.open_fds = g.open_fds;
    u.cpu_seconds = static_cast<double>(g.cpu_ticks) / tps;
    Readings<GroupTicks>& readings = group_readings_[p.name];
    if (readings.newer && readings.newer->value.pid != p.pid) readings = {};  // a new process
    if (const auto* base = readings.Base(now)) {
      u.cpu_percent = metrics::CpuPercent(base->value.cpu_ticks, g.cpu_ticks, now - base->at, ticks_per_second_);
    } else if (p.uptime_ms > 0) {
      // First question about this process: its average over its life, as ps shows.
      u.cpu_percent =
          metrics::CpuPercent(0, g.cpu_ticks, std::chrono::milliseconds(p.uptime_ms), ticks_per_second_);
    }
    readings.Record(GroupTicks{p.pid, g.cpu_ticks}, now);
    view.programs.push_back(std::move(u));
  }
  if (names.empty()) {
    // Forget programs that are gone (removed by a reload).
    std::erase_if(group_readings_, [&](const auto& entry) {
      return std::none_of(programs.begin(), programs.end(),
                          [&](const api::ProgramInfo& p) { return p.name == entry.first; });
    });
  }
  return view;
}

template <typename Value>
const typename UsageService::Readings<Value>::Reading* UsageService::Readings<Value>::Base(
    base::SteadyTime now) const {
  if (newer && now - newer->at >= kShortestWindow) return &*newer;
  if (older) return &*older;
  return nullptr;
}

template <typename Value>
void UsageService::Readings<Value>::Record(Value value, base::SteadyTime now) {
  if (newer && now - newer->at < kShortestWindow) return;  // keep the one measured from
  older = std::move(newer);
  newer = Reading{std::move(value), now};
}

api::SystemUsage UsageService::System(base::SteadyTime now) {
  api::SystemUsage s;
  base::Result<metrics::SystemSample> sample = metrics::ReadSystem(proc_);
  if (!sample) return s;  // a /proc without these files: figures stay 0
  // Without an earlier reading, the share since boot (the counters start there).
  const auto* base = system_readings_.Base(now);
  metrics::SystemFigures f = metrics::Figures(base ? base->value : metrics::SystemSample{}, *sample);
  s.cpus = sample->cpus;
  s.cpu_percent = f.cpu_busy_percent;
  s.memory_used_percent = f.memory_used_percent;
  s.memory_total_bytes = sample->mem.total_bytes;
  s.memory_available_bytes = sample->mem.available_bytes;
  s.swap_used_percent = f.swap_used_percent;
  s.load1 = sample->load.one;
  s.load5 = sample->load.five;
  s.load15 = sample->load.fifteen;
  if (sample->cpu_pressure) s.cpu_pressure = sample->cpu_pressure->some_avg10;
  if (sample->memory_pressure) s.memory_pressure = sample->memory_pressure->some_avg10;
  if (sample->io_pressure) s.io_pressure = sample->io_pressure->some_avg10;
  system_readings_.Record(std::move(*sample), now);
  return s;
}

}  // namespace vigil::daemon
