// SPDX-License-Identifier: MIT
// The revision of a config file: what the config editor compares to learn that the file
// changed since an editor read it (docs/api.md, PUT /v1/programs/{name}/config).
// Thread rule: any thread (libcrypto is loaded once, under std::call_once).
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace vigil::config {

// The SHA-256 of `bytes` (a whole file), as 64 lowercase hex digits. The digest is
// OpenSSL's, from libcrypto.so.3 loaded on first use (vigild links no OpenSSL: see
// docs/architecture.md); Unavailable "cannot load OpenSSL: ..." when it cannot be loaded.
base::Result<std::string> Revision(std::string_view bytes);

}  // namespace vigil::config
