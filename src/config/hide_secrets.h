// SPDX-License-Identifier: MIT
// A config section as a viewer of the dashboard may see it: the same text, its secrets
// replaced (docs/api.md, GET /v1/programs/{name}/config).
// Thread rule: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace vigil::config {

// What a hidden value is shown as.
inline constexpr std::string_view kHiddenValue = "\"(hidden)\"";

// Whether a key names a secret, or a table of them: "environment" or "env", or a name that
// contains "password", "secret", "token" or "key" in any case ("api_key", "DB_PASSWORD").
bool IsSecretKey(std::string_view name);

// `text` (TOML, such as a program's section) with every value under a secret key, at any
// depth, replaced by kHiddenValue; all else (keys, comments, layout) as written. Values
// that are not under such a key are shown, commands and URLs included. InvalidArgument
// "FILE:LINE: syntax error: ..." (lines of `text`) when it is not TOML, since its secrets
// cannot be told apart then; `file` names it in that message.
base::Result<std::string> HideSecrets(std::string_view text, const std::string& file);

}  // namespace vigil::config
