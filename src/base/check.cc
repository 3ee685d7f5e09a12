// SPDX-License-Identifier: MIT
// The failure path of VIGIL_CHECK: one write(2) to stderr, then abort(3).
#include "base/check.h"

#include <unistd.h>

#include <cstdlib>
#include <string>

namespace vigil::base {

void CheckFailed(const char* file, int line, const char* condition, std::string_view message) {
  std::string text = std::string("vigil: internal error at ") + file + ":" + std::to_string(line) + ": " +
                     condition + " failed: " + std::string(message) +
                     "\nThis is a bug in vigil; please report it with the lines above.\n";
  ssize_t ignored = ::write(STDERR_FILENO, text.data(), text.size());
  (void)ignored;
  std::abort();
}

}  // namespace vigil::base
