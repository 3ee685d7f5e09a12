// SPDX-License-Identifier: MIT
// process::Spawn: how to start one Unix process for vigild (mechanism only; when to start
// and what to do when it dies is supervise/'s policy). The child gets its own session and
// process group, stdin from /dev/null (or a file, or a pipe), and stdout/stderr on pipes the caller reads.
// Thread rule: call on the loop thread, one spawn at a time (the child borrows a static
// stack). Safe while other threads exist: the child neither allocates nor takes locks.
#pragma once

#include <sys/types.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "base/unique_fd.h"

namespace vigil::process {

struct SpawnRequest {
  std::vector<std::string> argv;  // argv[0] without '/' is looked up in PATH
  std::string directory;          // empty = inherit
  std::map<std::string, std::string> environment;  // set on top of vigild's environment
  std::optional<uid_t> uid;
  std::optional<gid_t> gid;
  std::optional<mode_t> umask;
  bool merge_stderr = false;  // stderr shares the stdout pipe
  std::string stdin_file;     // read as stdin (a request written for the child); empty = /dev/null
  bool stdin_pipe = false;    // stdin is a pipe whose write end the caller gets (stdin_file is ignored)
};

struct SpawnedChild {
  pid_t pid = 0;             // also the process group id
  base::UniqueFd stdout_fd;  // read end
  base::UniqueFd stderr_fd;  // read end; invalid when merged
  base::UniqueFd stdin_fd;   // write end, with stdin_pipe; invalid otherwise
};

// Starts the process and returns once it has exec'd. On failure (executable not found,
// not executable, bad directory, setuid refused...) returns an error naming the step,
// e.g. "cannot change directory to /srv/x: No such file or directory", and no process
// is left behind (the failed child is reaped by the caller's reaper like any other).
base::Result<SpawnedChild> Spawn(const SpawnRequest& request);

// Finds `name` the way execvp(3) would, in the PATH given (colon-separated).
// Returns NotFound("command not found: NAME") or the path.
base::Result<std::string> FindExecutable(const std::string& name, const std::string& path_env);

// Human text for a wait(2) status: "exit 1", "killed by SIGKILL", "killed by SIGSEGV (core dumped)".
std::string DescribeWaitStatus(int wait_status);

}  // namespace vigil::process
