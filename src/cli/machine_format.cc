// SPDX-License-Identifier: MIT
// The machine's figures in words (machine_format.h).
#include "cli/machine_format.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>
#include <vector>

#include "base/units.h"
#include "cli/api_json.h"

namespace vigil::cli {

using nlohmann::json;

double Number(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_number() ? it->get<double>() : 0.0;
}

std::string Percent(double value) { return fmt::format("{:.1f}", value); }

namespace {

std::string SystemLine(const json& system) {
  std::string line =
      fmt::format("cpu {}% of {} cpus   memory {}% of {}   swap {}%   load {:.2f} {:.2f} {:.2f}",
                  Percent(Number(system, "cpu_percent")), static_cast<int>(Number(system, "cpus")),
                  Percent(Number(system, "memory_used_percent")),
                  base::FormatSize(static_cast<uint64_t>(Number(system, "memory_total_bytes"))),
                  Percent(Number(system, "swap_used_percent")), Number(system, "load1"), Number(system, "load5"),
                  Number(system, "load15"));
  // Pressure stall information (some avg10), where the kernel has it.
  std::string pressure;
  for (const auto& [key, word] : {std::pair{"cpu_pressure", "cpu"}, std::pair{"memory_pressure", "memory"},
                                  std::pair{"io_pressure", "io"}}) {
    auto it = system.find(key);
    if (it != system.end() && it->is_number()) pressure += fmt::format(" {} {}%", word, Percent(it->get<double>()));
  }
  if (!pressure.empty()) line += "   pressure" + pressure;
  return line;
}

// One row per filesystem: its use, or why there are no figures. Aligned by hand: an
// error must not widen the figures' column.
std::string DiskLines(const json& disks) {
  struct Row {
    std::string mount_point, use, inodes, error;
  };
  std::vector<Row> rows;
  size_t mount_width = 0, use_width = 0;
  for (const json& d : disks) {
    if (!d.is_object()) continue;
    Row row{StringFromJson(d, "mount_point"), "", "", StringFromJson(d, "error")};
    if (row.error.empty()) {
      row.use = fmt::format("{}% of {}", Percent(Number(d, "used_percent")),
                            base::FormatSize(static_cast<uint64_t>(Number(d, "total_bytes"))));
      row.inodes = fmt::format("inodes {}%", Percent(Number(d, "inodes_used_percent")));
      use_width = std::max(use_width, row.use.size());
    }
    mount_width = std::max(mount_width, row.mount_point.size());
    rows.push_back(std::move(row));
  }
  std::string text;
  for (const Row& row : rows) {
    text += row.error.empty()
                ? fmt::format("disk  {:<{}}  {:<{}}  {}\n", row.mount_point, mount_width, row.use, use_width, row.inodes)
                : fmt::format("disk  {:<{}}  {}\n", row.mount_point, mount_width, row.error);
  }
  return text;
}

}  // namespace

std::string FormatMachine(const json& reply) {
  std::string text;
  auto system = reply.find("system");
  if (system != reply.end() && system->is_object()) text = SystemLine(*system) + "\n";
  auto disks = reply.find("disks");
  if (disks != reply.end() && disks->is_array()) text += DiskLines(*disks);
  return text;
}

}  // namespace vigil::cli
