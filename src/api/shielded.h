// SPDX-License-Identifier: MIT
// api::RunShielded: runs one completion handler or callback of the API transport and
// reports whether it returned normally. Our code throws nothing, but Beast, Asio, the
// allocator and the Controller's hooks may, and an exception that reached the loop thread
// would end vigild with every program orphaned (issue 8, item 9). The caller closes the
// one connection concerned.
#pragma once

#include <cstdio>
#include <exception>
#include <utility>

namespace vigil::api {

template <typename Fn>
bool RunShielded(Fn&& fn) noexcept {
  try {
    std::forward<Fn>(fn)();
    return true;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "vigild: API connection dropped after an internal error: %s\n", e.what());
  } catch (...) {
    std::fprintf(stderr, "vigild: API connection dropped after an unknown exception\n");
  }
  return false;
}

}  // namespace vigil::api
