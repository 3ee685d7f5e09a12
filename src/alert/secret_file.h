// SPDX-License-Identifier: MIT
// Reading the secrets a channel names by file: an SMTP password, a webhook header value
// such as "Bearer xyz". The rules are in docs/alerts.md ("Secrets in files").
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace vigil::alert {

// The largest secret file read: far above any password or token.
inline constexpr size_t kMaxSecretBytes = 64 * 1024;

// The content of `path` with white space (a final newline in particular) trimmed at both
// ends. `what` names the file in messages: "password file", "header file of Authorization".
// Refused, with a message naming the file: a file that is not regular, larger than
// kMaxSecretBytes, empty once trimmed, holding a line break or another control character
// inside (it must be one line), or readable or writable by others than its owner and
// group (mode & 0007): a secret any user could read is no secret, and `chmod o-rwx` fixes
// it. A group may read it, so a file owned by root and a service group (0640) is fine.
// On an open or read failure the errno status, named after the file.
base::Result<std::string> ReadSecretFile(const std::string& path, std::string_view what);

}  // namespace vigil::alert
