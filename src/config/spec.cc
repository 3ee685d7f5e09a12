// SPDX-License-Identifier: MIT
// Names of the values of spec.h's enums.
#include "config/spec.h"

namespace vigil::config {

std::string_view TaskActionName(TaskAction action) {
  switch (action) {
    case TaskAction::kCommand: return "command";
    case TaskAction::kRestart: return "restart";
    case TaskAction::kCleanup: return "cleanup";
    case TaskAction::kRotateLogs: return "rotate-logs";
  }
  return "command";
}

}  // namespace vigil::config
