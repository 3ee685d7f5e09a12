// SPDX-License-Identifier: MIT
// ReadSystem and Figures (see system_sample.h).
#include "metrics/system_sample.h"

#include <algorithm>
#include <string>

namespace vigil::metrics {
namespace {

base::Status UnexpectedFormat(const ProcRoot& proc, std::string_view relative) {
  return base::Status::InvalidArgument((proc.root() / relative).string() + ": unexpected format");
}

// Pressure files are an extra: their absence or a read error must not cost the rest.
base::Result<std::optional<Pressure>> ReadPressure(const ProcRoot& proc, std::string_view relative) {
  auto text = proc.Read(relative);
  if (!text) return std::optional<Pressure>();
  auto pressure = ParsePressure(*text);
  if (!pressure) return UnexpectedFormat(proc, relative);
  return std::optional<Pressure>(*pressure);
}

// part / whole in percent, clamped to [0, 100]; 0 when whole is 0.
double Percent(double part, double whole) {
  if (whole <= 0) return 0;
  return std::clamp(part / whole * 100.0, 0.0, 100.0);
}

}  // namespace

base::Result<SystemSample> ReadSystem(const ProcRoot& proc) {
  SystemSample sample;

  auto stat = proc.Read("stat");
  if (!stat) return stat.error();
  const auto cpu = ParseProcStat(*stat);
  const auto cpus = CountCpus(*stat);
  if (!cpu || !cpus) return UnexpectedFormat(proc, "stat");
  sample.cpu = *cpu;
  sample.cpus = *cpus;

  auto meminfo = proc.Read("meminfo");
  if (!meminfo) return meminfo.error();
  const auto mem = ParseMemInfo(*meminfo);
  if (!mem) return UnexpectedFormat(proc, "meminfo");
  sample.mem = *mem;

  auto loadavg = proc.Read("loadavg");
  if (!loadavg) return loadavg.error();
  const auto load = ParseLoadAvg(*loadavg);
  if (!load) return UnexpectedFormat(proc, "loadavg");
  sample.load = *load;

  struct {
    std::string_view file;
    std::optional<Pressure>* field;
  } const pressures[] = {
      {"pressure/cpu", &sample.cpu_pressure},
      {"pressure/memory", &sample.memory_pressure},
      {"pressure/io", &sample.io_pressure},
  };
  for (const auto& [file, field] : pressures) {
    auto pressure = ReadPressure(proc, file);
    if (!pressure) return pressure.error();
    *field = *pressure;
  }
  return sample;
}

SystemFigures Figures(const SystemSample& previous, const SystemSample& now) {
  SystemFigures figures;
  const CpuTimes& before = previous.cpu;
  const CpuTimes& after = now.cpu;
  // Unsigned counters: a drop would wrap around to a huge delta, so it is caught first.
  if (after.Total() > before.Total() && after.Busy() >= before.Busy()) {
    figures.cpu_busy_percent =
        Percent(static_cast<double>(after.Busy() - before.Busy()), static_cast<double>(after.Total() - before.Total()));
  }
  const MemInfo& mem = now.mem;
  if (mem.available_bytes <= mem.total_bytes) {
    figures.memory_used_percent =
        Percent(static_cast<double>(mem.total_bytes - mem.available_bytes), static_cast<double>(mem.total_bytes));
  }
  if (mem.swap_free_bytes <= mem.swap_total_bytes) {
    figures.swap_used_percent = Percent(static_cast<double>(mem.swap_total_bytes - mem.swap_free_bytes),
                                        static_cast<double>(mem.swap_total_bytes));
  }
  if (now.cpus > 0) figures.load_per_cpu = now.load.one / now.cpus;
  return figures;
}

}  // namespace vigil::metrics
