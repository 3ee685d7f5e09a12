// SPDX-License-Identifier: MIT
// The fixture of the supervise tests: a real loop (for output pipes and posted work), a
// FakeClock for every timer and a FakeLauncher instead of processes, so every test is
// deterministic: time moves only by Advance(), processes end only by Exit().
#pragma once

#include <gtest/gtest.h>
#include <filesystem>
#include <string>
#include <vector>

#include "fakes/fake_clock.h"
#include "fakes/fake_launcher.h"
#include "util/temp_dir.h"
#include "supervise/program.h"

namespace vigil::supervise {

// Records what programs report, one line each: "web: STOPPED -> STARTING: started pid 1000".
class RecordingProgramObserver : public ProgramObserver {
 public:
  void OnStateChanged(Program& p, ProgramState from, const std::string& message) override {
    lines.push_back(p.name() + ": " + std::string(StateName(from)) + " -> " + std::string(StateName(p.state())) +
                    (message.empty() ? "" : ": " + message));
  }
  void OnProgramNote(Program& p, base::EventType type, const std::string& message) override {
    lines.push_back(p.name() + ": [" + std::string(base::EventTypeName(type)) + "] " + message);
  }
  void OnProcessStarted(Program& p, pid_t pid) override {
    lines.push_back(p.name() + ": process " + std::to_string(pid) + " started");
  }
  void OnProcessEnded(Program& p, pid_t pid, const std::string& status) override {
    lines.push_back(p.name() + ": process " + std::to_string(pid) + " ended: " + status);
  }
  void OnOutputDrained(Program& p) override { lines.push_back(p.name() + ": output drained"); }
  void OnWatchdogExpired(Program& p, const std::string& detail) override {
    lines.push_back(p.name() + ": watchdog expired: " + detail);
  }
  std::vector<std::string> lines;
};

class SuperviseFixture : public ::testing::Test {
 protected:
  static config::ProgramSpec Spec(const std::string& name) {
    config::ProgramSpec s;
    s.name = name;
    s.table_name = name;
    s.argv = {"server", "--port", "80"};
    s.start_seconds = base::Duration(1000);
    s.stop_timeout = base::Duration(10000);
    s.backoff_initial = base::Duration(1000);
    s.backoff_max = base::Duration(1000);  // no growth: back-off delays are 0.8-1.0 s
    return s;
  }

  // Runs what is ready on the loop (posted work, pipe data) until nothing is.
  void Settle() {
    while (loop_.Poll() > 0) {
    }
  }
  void Advance(base::Duration d) {
    clock_.Advance(d);
    Settle();
  }

  vigil::testing::TempDir temp_;
  const std::filesystem::path dir_ = temp_.path();
  event::Loop loop_;
  event::FakeClock clock_{std::chrono::sys_days{std::chrono::year{2026} / 1 / 5}};
  process::FakeLauncher launcher_{loop_};
};

}  // namespace vigil::supervise
