// SPDX-License-Identifier: MIT
// The states a Program can be in (docs/lifecycle.md) and their names.
#pragma once

#include <string_view>

namespace vigil::supervise {

enum class ProgramState {
  kStopped,   // no process, and none wanted right now
  kStarting,  // a process runs but has not yet lived start_seconds
  kRunning,   // a process has lived past start_seconds
  kBackoff,   // the last start failed; a timer will try again
  kStopping,  // stop signal sent; waiting for the process group to be gone
  kExited,    // the process ended and the restart policy says not to restart it
  kFatal,     // start failed start_retries + 1 times in a row; given up (maybe until fatal_retry_after)
};

std::string_view StateName(ProgramState s);

// True in the states where a process of the program may be alive.
inline bool HasProcess(ProgramState s) {
  return s == ProgramState::kStarting || s == ProgramState::kRunning || s == ProgramState::kStopping;
}

}  // namespace vigil::supervise
