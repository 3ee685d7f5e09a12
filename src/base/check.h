// SPDX-License-Identifier: MIT
// VIGIL_CHECK: an always-on assertion for states that only a bug in vigil can produce (never
// for what the environment or a user controls). A failed check prints where and why, then
// aborts, like s6's "internal error ... submit a bug-report".
#pragma once

#include <string_view>

namespace vigil::base {

[[noreturn]] void CheckFailed(const char* file, int line, const char* condition, std::string_view message);

}  // namespace vigil::base

#define VIGIL_CHECK(condition, message)                                             \
  do {                                                                              \
    if (!(condition)) ::vigil::base::CheckFailed(__FILE__, __LINE__, #condition, (message)); \
  } while (0)
