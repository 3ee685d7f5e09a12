// SPDX-License-Identifier: MIT
// Secrets of the HTTP listener: random tokens from the kernel and comparisons that take the
// same time however much of a guess is right.
// Thread rule: pure functions (RandomHex reads getrandom(2)).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "base/status.h"

namespace vigil::web {

// `bytes` random bytes from getrandom(2), as 2 * bytes lowercase hex digits. IoError only
// if the kernel has none to give (it blocks until its pool is seeded, at boot).
base::Result<std::string> RandomHex(size_t bytes);

// Whether `a` equals `b`, in a time that depends on their lengths only (a token or a
// session id compared with a guess must not tell how many leading bytes were right).
bool ConstantTimeEqual(std::string_view a, std::string_view b);

}  // namespace vigil::web
