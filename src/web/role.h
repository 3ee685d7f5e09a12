// SPDX-License-Identifier: MIT
// The two roles of the HTTP listener's callers (docs/web.md): an admin may do everything
// the API offers, a viewer only read it.
#pragma once

#include <string_view>

namespace vigil::web {

enum class Role { kViewer, kAdmin };

// "viewer", "admin".
constexpr std::string_view RoleName(Role role) { return role == Role::kAdmin ? "admin" : "viewer"; }

}  // namespace vigil::web
