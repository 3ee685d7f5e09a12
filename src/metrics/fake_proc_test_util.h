// SPDX-License-Identifier: MIT
// FakeProc: a /proc tree written into a temp dir in the kernel's formats, so the readers
// of metrics/ run in tests on figures the test chose. For tests only.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>

#include "metrics/proc_parse.h"
#include "metrics/proc_root.h"
#include "util/temp_dir.h"

namespace vigil::metrics::testing {

// One process of a FakeProc, with the fields the readers use.
struct FakeProcess {
  int pid = 0;
  int pgrp = 0;
  std::string comm = "prog";
  char state = 'S';
  int ppid = 1;
  uint64_t utime_ticks = 0;
  uint64_t stime_ticks = 0;
  uint64_t cutime_ticks = 0;
  uint64_t cstime_ticks = 0;
  uint64_t rss_pages = 0;
  int num_threads = 1;
  int open_fds = 0;                                // PID/fd gets this many (empty) entries
  std::optional<uint64_t> pss_kib = std::nullopt;  // writes PID/smaps_rollup when set
};

// Starts empty; each setter (re)writes its file. Owns the temp dir. Single-threaded.
class FakeProc {
 public:
  ProcRoot root() const { return ProcRoot(dir_.path()); }
  const std::filesystem::path& path() const { return dir_.path(); }

  // Any file, for text the setters below do not produce.
  void Write(const std::filesystem::path& relative, std::string_view text) const {
    const std::filesystem::path file = dir_.path() / relative;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << text;
    EXPECT_TRUE(out.good()) << file;
  }
  void Remove(const std::filesystem::path& relative) const { std::filesystem::remove_all(dir_.path() / relative); }

  // /proc/stat: the aggregate line `cpu`, and `cpus` per-CPU lines.
  void SetCpu(const CpuTimes& cpu, int cpus) const {
    std::string text = "cpu  " + CpuFields(cpu) + "\n";
    for (int i = 0; i < cpus; ++i) text += "cpu" + std::to_string(i) + " " + CpuFields(CpuTimes{}) + "\n";
    text +=
        "intr 8834539 0 0 0 2 2 9\nctxt 9569689\nbtime 1796114309\nprocesses 350322\nprocs_running 1\n"
        "procs_blocked 0\nsoftirq 4547611 0 892129 4 3790 337073 0 6 1137198 0 2177411\n";
    Write("stat", text);
  }

  void SetMemInfo(uint64_t total_kib, uint64_t available_kib, uint64_t swap_total_kib = 0,
                  uint64_t swap_free_kib = 0) const {
    Write("meminfo", "MemTotal:       " + Kib(total_kib) + "MemFree:        " + Kib(available_kib / 2) +
                         "MemAvailable:   " + Kib(available_kib) + "Buffers:            9552 kB\n" +
                         "SwapTotal:      " + Kib(swap_total_kib) + "SwapFree:       " + Kib(swap_free_kib) +
                         "HugePages_Total:       0\nHugepagesize:       2048 kB\n");
  }

  // loadavg's last field, the last pid handed out, moves on with each AddProcess, as the
  // kernel's does (GroupSampler lists /proc only when it moved).
  void SetLoadAvg(std::string_view one, std::string_view five, std::string_view fifteen) const {
    load_averages_ = std::string(one) + " " + std::string(five) + " " + std::string(fifteen);
    WriteLoadAvg();
  }

  // pressure/RESOURCE ("cpu", "memory", "io") with the given "some" avg10 and total.
  void SetPressure(std::string_view resource, std::string_view some_avg10, uint64_t some_total_us) const {
    Write(std::filesystem::path("pressure") / resource,
          "some avg10=" + std::string(some_avg10) + " avg60=0.00 avg300=0.00 total=" + std::to_string(some_total_us) +
              "\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n");
  }

  // PID/stat, PID/fd/ and, with pss_kib, PID/smaps_rollup. Also rewrites an existing
  // process's files (then only its figures change, no pid is handed out).
  void AddProcess(const FakeProcess& p) const {
    const std::filesystem::path dir = std::to_string(p.pid);
    if (!std::filesystem::exists(dir_.path() / dir)) NoteNewProcess();
    Write(dir / "stat", StatLine(p));
    std::filesystem::create_directories(dir_.path() / dir / "fd");
    for (int fd = 0; fd < p.open_fds; ++fd) Write(dir / "fd" / std::to_string(fd), "");
    if (p.pss_kib) {
      Write(dir / "smaps_rollup",
            "562ec34c2000-7fffb2900000 ---p 00000000 00:00 0      [rollup]\nRss:  " + Kib(*p.pss_kib + 100) +
                "Pss:  " + Kib(*p.pss_kib) + "Pss_Anon:  " + Kib(*p.pss_kib));
    }
  }

  // A process ended: its stat is emptied before its directory goes, so a file a reader
  // kept open fails to parse, as the kernel's answers ESRCH.
  void EndProcess(int pid) const {
    Write(std::filesystem::path(std::to_string(pid)) / "stat", "");
    Remove(std::to_string(pid));
  }

  // A pid was handed out (by AddProcess, or by a test that writes a process itself).
  void NoteNewProcess() const {
    ++last_pid_;
    if (!load_averages_.empty()) WriteLoadAvg();
  }

  // The PID/stat line the kernel would print for `p`.
  static std::string StatLine(const FakeProcess& p) {
    return std::to_string(p.pid) + " (" + p.comm + ") " + p.state + " " + std::to_string(p.ppid) + " " +
           std::to_string(p.pgrp) + " " + std::to_string(p.pgrp) + " 0 -1 4194304 98 0 0 0 " +
           std::to_string(p.utime_ticks) + " " + std::to_string(p.stime_ticks) + " " + std::to_string(p.cutime_ticks) +
           " " + std::to_string(p.cstime_ticks) + " 20 0 " + std::to_string(p.num_threads) + " 0 1642046 3133440 " +
           std::to_string(p.rss_pages) +
           " 18446744073709551615 93951181955072 93951181974953 140729728677680 0 0 0 0 "
           "0 0 0 0 0 17 1 0 0 0 0 0 93951181990960 93951181992576 93951784144896 140729728686533 "
           "140729728686553 140729728686553 140729728688107 0\n";
  }

 private:
  static std::string CpuFields(const CpuTimes& c) {
    std::string text;
    for (uint64_t v : {c.user, c.nice, c.system, c.idle, c.iowait, c.irq, c.softirq, c.steal}) {
      text += std::to_string(v) + " ";
    }
    return text + "0 0";  // guest, guest_nice
  }
  static std::string Kib(uint64_t kib) { return std::to_string(kib) + " kB\n"; }
  void WriteLoadAvg() const { Write("loadavg", load_averages_ + " 2/80 " + std::to_string(last_pid_) + "\n"); }

  vigil::testing::TempDir dir_;
  // The files' own state; mutable because the setters, like the files, are const.
  mutable std::string load_averages_;  // empty: no loadavg written
  mutable int last_pid_ = 25753;
};

// For tests on the real /proc: a child that waits in a process group of its own (set from
// both sides, so the group exists on return). The caller kills and reaps it.
inline pid_t ForkGroupLeader() {
  const pid_t child = ::fork();
  if (child == 0) {
    ::setpgid(0, 0);
    ::pause();
    ::_exit(0);
  }
  if (child > 0) ::setpgid(child, child);
  return child;
}

}  // namespace vigil::metrics::testing
