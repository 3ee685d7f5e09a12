// SPDX-License-Identifier: MIT
// CrashLoopWatch: notices a program that keeps crashing — kCrashes unplanned ends within
// kWindow — and says so once per episode, as a finding. supervisord and PM2 restart such a
// program forever without a word when each process lives past its start time; vigil's
// FATAL only covers processes that fail while starting.
// Thread rule: loop thread only; pure bookkeeping, time is passed in.
#pragma once

#include <chrono>
#include <deque>
#include <optional>
#include <string>
#include <unordered_map>

#include "base/clock.h"

namespace vigil::daemon {

class CrashLoopWatch {
 public:
  static constexpr int kCrashes = 5;
  static constexpr std::chrono::minutes kWindow{10};

  // One unplanned end of `program`'s process (a crash restarted at once, or a failed start
  // going to back-off), described by `how` ("(exit 1)", or ""). Returns the finding's text when this
  // crash makes kCrashes within kWindow and no crash-loop finding was made for the program
  // in the last kWindow; otherwise nullopt.
  std::optional<std::string> OnCrash(const std::string& program, base::SteadyTime now, const std::string& how);
  // The program left the config, or was stopped on purpose: its count starts afresh.
  void Forget(const std::string& program) { programs_.erase(program); }

 private:
  struct Seen {
    std::deque<base::SteadyTime> crashes;  // within the last kWindow
    std::optional<base::SteadyTime> reported;
  };
  std::unordered_map<std::string, Seen> programs_;
};

}  // namespace vigil::daemon
