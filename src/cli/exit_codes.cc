// SPDX-License-Identifier: MIT
// Maps HTTP statuses and client transport errors to the CLI's exit codes.
#include "cli/exit_codes.h"

namespace vigil::cli {

int ExitCodeForHttpStatus(int http_status) {
  if (http_status >= 200 && http_status < 300) return kExitOk;
  // Usage errors are caught by the argument parser before any request is sent, so a 400
  // from vigild means the action itself was refused (bad signal name, invalid config).
  return kExitFailed;
}

int ExitCodeForClientStatus(const base::Status& status) {
  if (status.ok()) return kExitOk;
  if (status.code() == base::StatusCode::kUnavailable) return kExitUnreachable;
  return kExitFailed;
}

}  // namespace vigil::cli
