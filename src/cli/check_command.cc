// SPDX-License-Identifier: MIT
// `vigil check FILE`: validates a config with the daemon's own loader, no daemon needed.
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "config/load.h"

namespace vigil::cli {

int RunCheck(const Invocation& invocation, Context& ctx) {
  base::Result<config::DaemonSpec> spec = config::LoadConfig(invocation.file);
  if (!spec) {
    // The loader's message is already "FILE:LINE: key: reason", the form editors jump to.
    ctx.err << spec.error().message() << '\n';
    return kExitFailed;
  }
  size_t count = spec->programs.size();
  ctx.out << invocation.file << ": OK, " << count << (count == 1 ? " program" : " programs");
  if (size_t tasks = spec->tasks.size(); tasks > 0) ctx.out << ", " << tasks << (tasks == 1 ? " task" : " tasks");
  if (size_t checks = spec->checks.size(); checks > 0) {
    ctx.out << ", " << checks << (checks == 1 ? " health check" : " health checks");
  }
  ctx.out << '\n';
  return kExitOk;
}

}  // namespace vigil::cli
