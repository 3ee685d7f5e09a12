// SPDX-License-Identifier: MIT
// clone(CLONE_VM | CLONE_VFORK) + exec: vigild waits until the child has exec'd, and a
// child that fails before exec reports the step and errno in shared memory, so the caller
// learns synchronously and precisely whether the program started.
#include <fcntl.h>
#include <grp.h>
#include <linux/close_range.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sched.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>

#include "process/spawn.h"

extern char** environ;

namespace vigil::process {
namespace {

enum class Step : int { kDevNull, kDup, kSetsid, kChdir, kSetgroups, kSetgid, kSetuid, kExec };

const char* StepText(Step step) {
  switch (step) {
    case Step::kDevNull: return "cannot open its stdin";
    case Step::kDup: return "cannot set up stdout/stderr";
    case Step::kSetsid: return "cannot create a session";
    case Step::kChdir: return "cannot change directory to";
    case Step::kSetgroups: return "cannot set supplementary groups";
    case Step::kSetgid: return "cannot switch group";
    case Step::kSetuid: return "cannot switch user";
    case Step::kExec: return "cannot execute";
  }
  return "spawn failed";
}

// What the child needs, built before it exists, and where it reports a failure: the child
// shares vigild's memory (CLONE_VM) until it execs, so it writes the failing step and errno
// straight into this struct.
struct ChildArgs {
  const SpawnRequest* req;
  const char* exe;
  char* const* argv;
  char* const* envp;
  int in_r;  // the read end of the stdin pipe, or -1: open stdin_file or /dev/null
  int out_w;
  int err_w;
  const std::vector<gid_t>* groups;
  volatile int failed_step = -1;
  volatile int failed_errno = 0;
};

// Runs in the child, on its own stack, in vigild's memory, while vigild waits (CLONE_VFORK):
// no allocation, no locks, no glibc wrappers that talk to other threads (setuid & co. go
// through raw syscalls, since glibc's would signal vigild's other threads), nothing but
// async-signal-safe calls until exec (see signal-safety(7)).
int RunChild(void* raw) {
  auto* a = static_cast<ChildArgs*>(raw);
  const SpawnRequest& req = *a->req;
  auto fail = [a](Step step) {
    a->failed_errno = errno;
    a->failed_step = static_cast<int>(step);
    ::_exit(127);
  };
  // Handlers were inherited as a copy (no CLONE_SIGHAND): reset them while every signal is
  // still blocked, so none of vigild's handlers can run here; then unblock.
  for (int s = 1; s < NSIG; ++s) ::signal(s, SIG_DFL);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);

  if (::setsid() < 0) fail(Step::kSetsid);
  int devnull = a->in_r >= 0 ? a->in_r : ::open(req.stdin_file.empty() ? "/dev/null" : req.stdin_file.c_str(), O_RDONLY);
  if (devnull < 0) fail(Step::kDevNull);
  if (::dup2(devnull, 0) < 0 || ::dup2(a->out_w, 1) < 0 || ::dup2(a->err_w, 2) < 0) fail(Step::kDup);
  if (req.gid) {
    if (::syscall(SYS_setgroups, a->groups->size(), a->groups->data()) < 0) fail(Step::kSetgroups);
    if (::syscall(SYS_setgid, *req.gid) < 0) fail(Step::kSetgid);
  }
  if (req.uid && ::syscall(SYS_setuid, *req.uid) < 0) fail(Step::kSetuid);
  if (!req.directory.empty() && ::chdir(req.directory.c_str()) < 0) fail(Step::kChdir);
  if (req.umask) ::umask(*req.umask);
  // Everything above fd 2 is meant to be close-on-exec; make sure of fds a library may
  // have opened without O_CLOEXEC.
  ::syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC);
  ::execve(a->exe, a->argv, a->envp);
  fail(Step::kExec);
  return 127;  // not reached: fail() exits
}

std::vector<std::string> BuildEnvironment(const SpawnRequest& req) {
  std::map<std::string, std::string> env;
  for (char** e = environ; *e; ++e) {
    std::string_view kv(*e);
    auto eq = kv.find('=');
    if (eq == std::string_view::npos) continue;
    env.emplace(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
  }
  if (req.uid) {
    // Like login(1) and systemd's User=: the child sees its own identity, not vigild's.
    if (passwd* pw = ::getpwuid(*req.uid)) {
      env["USER"] = pw->pw_name;
      env["LOGNAME"] = pw->pw_name;
      env["HOME"] = pw->pw_dir;
    }
  }
  for (const auto& [k, v] : req.environment) env[k] = v;
  std::vector<std::string> out;
  out.reserve(env.size());
  for (const auto& [k, v] : env) out.push_back(k + "=" + v);
  return out;
}

std::vector<gid_t> SupplementaryGroups(const SpawnRequest& req) {
  if (!req.gid) return {};
  if (!req.uid) return {*req.gid};
  passwd* pw = ::getpwuid(*req.uid);
  if (!pw) return {*req.gid};
  int n = 64;
  std::vector<gid_t> groups(n);
  while (::getgrouplist(pw->pw_name, *req.gid, groups.data(), &n) < 0) groups.resize(n);
  groups.resize(n);
  return groups;
}

}  // namespace

base::Result<std::string> FindExecutable(const std::string& name, const std::string& path_env) {
  if (name.find('/') != std::string::npos) return name;
  std::string_view rest = path_env;
  if (rest.empty()) rest = "/usr/local/bin:/usr/bin:/bin";
  int first_error = 0;
  while (true) {
    auto colon = rest.find(':');
    std::string dir(rest.substr(0, colon));
    std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
    struct stat st {};
    if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
      if (::access(candidate.c_str(), X_OK) == 0) return candidate;
      if (first_error == 0) first_error = EACCES;
    }
    if (colon == std::string_view::npos) break;
    rest.remove_prefix(colon + 1);
  }
  if (first_error == EACCES) return base::Status::InvalidArgument("command not executable: " + name);
  return base::Status::NotFound("command not found: " + name + " (PATH=" + std::string(path_env) + ")");
}

base::Result<SpawnedChild> Spawn(const SpawnRequest& req) {
  if (req.argv.empty()) return base::Status::InvalidArgument("empty command");

  std::vector<std::string> env = BuildEnvironment(req);
  std::string path_env;
  for (const auto& kv : env)
    if (kv.starts_with("PATH=")) path_env = kv.substr(5);
  auto exe = FindExecutable(req.argv[0], path_env);
  if (!exe) return exe.error();

  // Everything the child needs is built before fork: no allocation after it.
  std::vector<char*> argv;
  for (const auto& a : req.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (const auto& e : env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  std::vector<gid_t> groups = SupplementaryGroups(req);

  int out[2], err[2] = {-1, -1};
  if (::pipe2(out, O_CLOEXEC) < 0) return base::ErrnoStatus("pipe", errno);
  base::UniqueFd out_r(out[0]), out_w(out[1]);
  base::UniqueFd err_r, err_w;
  if (!req.merge_stderr) {
    if (::pipe2(err, O_CLOEXEC) < 0) return base::ErrnoStatus("pipe", errno);
    err_r.reset(err[0]);
    err_w.reset(err[1]);
  }

  base::UniqueFd in_r, in_w;
  if (req.stdin_pipe) {
    int in[2];
    if (::pipe2(in, O_CLOEXEC) < 0) return base::ErrnoStatus("pipe", errno);
    in_r.reset(in[0]);
    in_w.reset(in[1]);
  }

  ChildArgs args{&req, exe->c_str(), argv.data(), envp.data(), req.stdin_pipe ? in_r.get() : -1, out_w.get(),
                 req.merge_stderr ? out_w.get() : err_w.get(), &groups};
  // CLONE_VM | CLONE_VFORK, like posix_spawn: no copy of vigild's page tables and no
  // copy-on-write faults afterwards, which is what makes fork() slow in a process with a
  // thousand programs. vigild is suspended until the child has exec'd or exited, so one
  // stack serves every spawn.
  static constexpr size_t kChildStack = 64 * 1024;
  alignas(64) static char child_stack[kChildStack];
  sigset_t all, old;
  sigfillset(&all);
  ::pthread_sigmask(SIG_SETMASK, &all, &old);
  pid_t pid = ::clone(RunChild, child_stack + kChildStack, CLONE_VM | CLONE_VFORK | SIGCHLD, &args);
  int clone_errno = errno;
  ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
  if (pid < 0) return base::ErrnoStatus("clone", clone_errno);
  out_w.reset();
  err_w.reset();
  in_r.reset();

  if (args.failed_step >= 0) {
    auto step = static_cast<Step>(args.failed_step);
    std::string what = StepText(step);
    if (step == Step::kChdir) what += " " + req.directory;
    if (step == Step::kExec) what += " " + *exe;
    // The failed child has _exit(127)ed; the caller's reaper collects it like any orphan.
    return base::ErrnoStatus(what, args.failed_errno);
  }
  SpawnedChild child;
  child.pid = pid;
  child.stdout_fd = std::move(out_r);
  child.stderr_fd = std::move(err_r);
  child.stdin_fd = std::move(in_w);
  return child;
}

std::string DescribeWaitStatus(int st) {
  if (WIFEXITED(st)) return "exit " + std::to_string(WEXITSTATUS(st));
  if (WIFSIGNALED(st)) {
    int sig = WTERMSIG(st);
    const char* abbrev = ::sigabbrev_np(sig);
    std::string s = "killed by " + (abbrev ? "SIG" + std::string(abbrev) : "signal " + std::to_string(sig));
    if (WCOREDUMP(st)) s += " (core dumped)";
    return s;
  }
  return "status " + std::to_string(st);
}

}  // namespace vigil::process
