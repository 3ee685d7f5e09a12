// SPDX-License-Identifier: MIT
// The CLI's exit codes (docs/cli.md) and the mapping from API outcomes to them.
#pragma once

#include "base/status.h"

namespace vigil::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;       // the daemon refused or the action failed
inline constexpr int kExitUsage = 2;        // bad command line
inline constexpr int kExitUnreachable = 3;  // could not connect to vigild

// 2xx -> kExitOk; anything else (4xx, 5xx, or a status the API never sends) -> kExitFailed.
int ExitCodeForHttpStatus(int http_status);

// For a transport failure reported by Client: Unavailable (connect failed) ->
// kExitUnreachable; any other error -> kExitFailed; ok -> kExitOk.
int ExitCodeForClientStatus(const base::Status& status);

}  // namespace vigil::cli
