// SPDX-License-Identifier: MIT
// fork/exec with an error pipe: the child reports the failing step and errno through a
// close-on-exec pipe, so the parent learns synchronously whether exec succeeded.
#include <fcntl.h>
#include <grp.h>
#include <linux/close_range.h>
#include <pwd.h>
#include <sys/stat.h>
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

struct ChildError {
  Step step;
  int err;
};

const char* StepText(Step step) {
  switch (step) {
    case Step::kDevNull: return "cannot open /dev/null";
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

// Only async-signal-safe calls from here to exec (see signal-safety(7)).
[[noreturn]] void RunChild(const SpawnRequest& req, const char* exe, char* const* argv, char* const* envp,
                           int out_w, int err_w, int report_w, const std::vector<gid_t>& groups) {
  auto fail = [report_w](Step step) {
    ChildError e{step, errno};
    ssize_t ignored = ::write(report_w, &e, sizeof e);
    (void)ignored;
    ::_exit(127);
  };
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  // Dispositions set to SIG_IGN survive exec(2); handlers are reset by exec itself.
  for (int s = 1; s < NSIG; ++s) ::signal(s, SIG_DFL);

  if (::setsid() < 0) fail(Step::kSetsid);
  int devnull = ::open("/dev/null", O_RDONLY);
  if (devnull < 0) fail(Step::kDevNull);
  if (::dup2(devnull, 0) < 0 || ::dup2(out_w, 1) < 0 || ::dup2(err_w, 2) < 0) fail(Step::kDup);
  if (req.gid) {
    if (::setgroups(groups.size(), groups.data()) < 0) fail(Step::kSetgroups);
    if (::setgid(*req.gid) < 0) fail(Step::kSetgid);
  }
  if (req.uid && ::setuid(*req.uid) < 0) fail(Step::kSetuid);
  if (!req.directory.empty() && ::chdir(req.directory.c_str()) < 0) fail(Step::kChdir);
  if (req.umask) ::umask(*req.umask);
  // Everything above fd 2 except the report pipe is already close-on-exec; make sure of
  // fds a library may have opened without O_CLOEXEC.
  ::syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC);
  ::execve(exe, argv, envp);
  fail(Step::kExec);
  ::_exit(127);  // not reached: fail() exits
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

  int out[2], err[2] = {-1, -1}, report[2];
  if (::pipe2(out, O_CLOEXEC) < 0) return base::ErrnoStatus("pipe", errno);
  base::UniqueFd out_r(out[0]), out_w(out[1]);
  base::UniqueFd err_r, err_w;
  if (!req.merge_stderr) {
    if (::pipe2(err, O_CLOEXEC) < 0) return base::ErrnoStatus("pipe", errno);
    err_r.reset(err[0]);
    err_w.reset(err[1]);
  }
  if (::pipe2(report, O_CLOEXEC) < 0) return base::ErrnoStatus("pipe", errno);
  base::UniqueFd report_r(report[0]), report_w(report[1]);

  pid_t pid = ::fork();
  if (pid < 0) return base::ErrnoStatus("fork", errno);
  if (pid == 0) {
    RunChild(req, exe->c_str(), argv.data(), envp.data(), out_w.get(),
             req.merge_stderr ? out_w.get() : err_w.get(), report_w.get(), groups);
  }
  out_w.reset();
  err_w.reset();
  report_w.reset();

  // EOF means exec succeeded (the pipe was close-on-exec); a record means it failed.
  ChildError ce{};
  ssize_t n;
  do {
    n = ::read(report_r.get(), &ce, sizeof ce);
  } while (n < 0 && errno == EINTR);
  if (n == static_cast<ssize_t>(sizeof ce)) {
    std::string what = StepText(ce.step);
    if (ce.step == Step::kChdir) what += " " + req.directory;
    if (ce.step == Step::kExec) what += " " + *exe;
    // The failed child has _exit(127)ed; the caller's reaper collects it like any orphan.
    return base::ErrnoStatus(what, ce.err);
  }
  SpawnedChild child;
  child.pid = pid;
  child.stdout_fd = std::move(out_r);
  child.stderr_fd = std::move(err_r);
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
