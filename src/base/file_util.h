// SPDX-License-Identifier: MIT
// Whole-file reads and writes with plain read(2)/write(2): no iostreams, whose locale set-up would map much of
// libstdc++ into a daemon that otherwise never needs it.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "base/status.h"

namespace vigil::base {

// The file's bytes, however many; on failure the errno status, named after the file.
Result<std::string> ReadFile(const std::filesystem::path& file);

// The bytes of a regular file of at most `max_bytes`, for input a user names (a config, a
// zone file), which must not make the reader wait or grow without bound. Before reading,
// refuses anything but a regular file ("FILE: not a regular file": a device such as
// /dev/zero, a directory, or a FIFO, which is opened without waiting for a writer) and a
// file larger than the limit ("FILE: 49 MB is larger than the 8 MB a config may be", with
// `what` = "a config"). The read itself stops one byte past the limit, for a file that
// grows after it was measured ("FILE: larger than the 8 MB a config may be"). Those are
// InvalidArgument; an open or read failure is the errno status named after the file.
Result<std::string> ReadRegularFile(const std::filesystem::path& file, uint64_t max_bytes, std::string_view what);

// Writes `text` to `file` with permissions `mode` through FILE.tmp and a rename, so that a
// reader sees the old file or the whole new one, never half of it. IoError naming the file
// and the reason (a full disk...); FILE.tmp is removed then.
Status WriteFileAtomically(const std::filesystem::path& file, std::string_view text, mode_t mode);

// Replaces the existing `file` with `text` for good, as an editor saving it would: through a
// new temporary file in the same directory (FILE.XXXXXX), which gets the old file's mode,
// owner and group and is fsync(2)ed before it is renamed over the old one; the directory is
// fsynced after. A symlink is followed: the file it names is replaced, the link is kept.
// On failure (a full disk, a directory that may not be written, an owner that cannot be
// given) returns IoError "cannot write FILE: reason"; the old file is then as it was and
// the temporary file is gone.
Status ReplaceFileAtomically(const std::filesystem::path& file, std::string_view text);

}  // namespace vigil::base
