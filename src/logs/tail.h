// SPDX-License-Identifier: MIT
// TailLines: the last lines of a log stream, across its current and rotated files.
// Thread rule: plain function over the file system; safe from any thread.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "base/status.h"

namespace vigil::logs {

// The last `n` lines (without their '\n') of the stream whose current file is `current`,
// oldest first. A final line without '\n' counts as a line. Reads the current file
// backwards from its end and continues into rotated files, newest first (gzipped ones are
// decompressed in a stream, keeping only what is needed), so huge files cost only what
// is returned. A line cut across a rotation comes back whole. A stream with no files
// yields no lines; unreadable files yield an IoError.
base::Result<std::vector<std::string>> TailLines(const std::filesystem::path& current, size_t n);

}  // namespace vigil::logs
