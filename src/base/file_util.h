// SPDX-License-Identifier: MIT
// Whole-file reads with plain read(2): no iostreams, whose locale set-up would map much of
// libstdc++ into a daemon that otherwise never needs it.
#pragma once

#include <filesystem>
#include <string>

#include "base/status.h"

namespace vigil::base {

// The file's bytes; on failure the errno status, named after the file.
Result<std::string> ReadFile(const std::filesystem::path& file);

}  // namespace vigil::base
