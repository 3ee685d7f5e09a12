// SPDX-License-Identifier: MIT
// `vigil top`: the machine's and each program's resource use from GET /v1/top, as a table
// refreshed in place every 2 s (like top), or once with --once or --json.
#include <chrono>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <thread>

#include "base/units.h"
#include "cli/api_json.h"
#include "cli/api_paths.h"
#include "cli/call.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/format.h"

namespace vigil::cli {
namespace {

using nlohmann::json;

// How often the live table is redrawn: top's own default is 3 s; 2 s keeps a restart
// visible while it happens without making the measurement window noisy.
constexpr std::chrono::seconds kRefresh{2};

double Number(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_number() ? it->get<double>() : 0.0;
}

std::string Percent(double value) { return fmt::format("{:.1f}", value); }

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

// The whole screen: the machine's line and its filesystems, then one row per program
// ("-" where no process runs).
std::string FormatTop(const json& reply) {
  std::string text;
  auto system = reply.find("system");
  if (system != reply.end() && system->is_object()) text = SystemLine(*system) + "\n";
  auto disks = reply.find("disks");
  if (disks != reply.end() && disks->is_array()) text += DiskLines(*disks);
  if (!text.empty()) text += "\n";
  std::vector<std::vector<std::string>> rows = {
      {"NAME", "STATE", "PID", "CPU%", "CPU TIME", "MEMORY", "PROCS", "FDS", "UPTIME", "RESTARTS"}};
  auto programs = reply.find("programs");
  if (programs != reply.end() && programs->is_array()) {
    for (const json& p : *programs) {
      if (!p.is_object()) continue;
      const bool running = Number(p, "pid") > 0;
      auto cell = [&](std::string value) { return running ? value : std::string("-"); };
      rows.push_back({StringFromJson(p, "name"), StringFromJson(p, "state"),
                      cell(fmt::format("{}", static_cast<int64_t>(Number(p, "pid")))),
                      cell(Percent(Number(p, "cpu_percent"))),
                      cell(FormatUptime(static_cast<int64_t>(Number(p, "cpu_seconds") * 1000))),
                      cell(base::FormatSize(static_cast<uint64_t>(Number(p, "memory_bytes")))),
                      cell(fmt::format("{}", static_cast<int>(Number(p, "processes")))),
                      cell(fmt::format("{}", static_cast<int>(Number(p, "open_fds")))),
                      FormatUptime(static_cast<int64_t>(Number(p, "uptime_ms"))),
                      fmt::format("{}", static_cast<int>(Number(p, "restarts")))});
    }
  }
  for (const std::string& line : AlignColumns(rows)) text += line + "\n";
  return text;
}

}  // namespace

int RunTop(const Invocation& inv, Context& ctx) {
  const std::string target = TopTarget(inv.names);
  for (;;) {
    ApiReply reply = CallApi(ctx, GetRequest(target));
    if (reply.exit_code != kExitOk) return reply.exit_code;
    if (inv.json) {
      PrintRaw(ctx, reply.raw);
      return kExitOk;
    }
    if (!reply.body.is_object() || !reply.body.contains("programs")) {
      return ReportUnexpectedReply(ctx, base::Status::InvalidArgument("no \"programs\" in the reply"));
    }
    if (inv.once) {
      ctx.out << FormatTop(reply.body);
      return kExitOk;
    }
    // Home and clear, then the table: redrawn in place as top does. The first screen's
    // CPU shares are averages over each process's life; later ones cover the last 2 s.
    ctx.out << "\x1b[H\x1b[2J" << FormatTop(reply.body) << "\n(every 2 s; Ctrl-C to quit)" << std::flush;
    std::this_thread::sleep_for(kRefresh);
  }
}

}  // namespace vigil::cli
