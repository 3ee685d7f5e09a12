// SPDX-License-Identifier: MIT
// For the end-to-end tests of vigil-alert: running the real binary with a request on its
// stdin, and real receivers (testdata/smtp_sink.py, testdata/http_sink.py) run with
// Debian's /usr/bin/python3. Every wait has a deadline; none is a fixed sleep.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "base/unique_fd.h"

namespace vigil::alert::testing {

// Debian's interpreter: the one that sees python3-aiosmtpd (a pyenv python3 on PATH does not).
inline constexpr char kPython[] = "/usr/bin/python3";

inline std::string ReadWholeFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void WriteWholeFile(const std::filesystem::path& path, const std::string& content,
                           std::filesystem::perms perms = std::filesystem::perms::owner_read |
                                                          std::filesystem::perms::owner_write) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
  std::filesystem::permissions(path, perms);
}

// Polls `condition` until it holds or `deadline` passes; returns whether it held.
inline bool WaitFor(const std::function<bool()>& condition, std::chrono::milliseconds deadline) {
  auto end = std::chrono::steady_clock::now() + deadline;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= end) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

// Starts argv[0] (a path) with stdin, stdout and stderr redirected to files; -1 on failure.
inline pid_t Spawn(const std::vector<std::string>& argv, const std::filesystem::path& in,
                   const std::filesystem::path& out, const std::filesystem::path& err) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid == 0) {
    int in_fd = ::open(in.c_str(), O_RDONLY | O_CLOEXEC);
    int out_fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    int err_fd = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (in_fd < 0 || out_fd < 0 || err_fd < 0) ::_exit(126);
    ::dup2(in_fd, 0);
    ::dup2(out_fd, 1);
    ::dup2(err_fd, 2);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  return pid;
}

// Waits for `pid` until `deadline`, then kills it; the exit code, 128 + signal if killed.
inline int WaitExit(pid_t pid, std::chrono::milliseconds deadline) {
  int status = 0;
  bool exited = WaitFor([&] { return ::waitpid(pid, &status, WNOHANG) == pid; }, deadline);
  if (!exited) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs the real vigil-alert with `request` on its stdin, inside `dir`.
inline RunResult RunVigilAlert(const std::filesystem::path& dir, const std::string& request,
                               std::chrono::milliseconds deadline = std::chrono::seconds(60)) {
  WriteWholeFile(dir / "request.json", request);
  pid_t pid = Spawn({VIGIL_ALERT_BIN}, dir / "request.json", dir / "alert.out", dir / "alert.err");
  RunResult r;
  if (pid < 0) return r;
  r.exit_code = WaitExit(pid, deadline);
  r.out = ReadWholeFile(dir / "alert.out");
  r.err = ReadWholeFile(dir / "alert.err");
  return r;
}

inline bool CanRun(const std::string& command) { return std::system((command + " >/dev/null 2>&1").c_str()) == 0; }

inline bool HaveAiosmtpd() { return CanRun(std::string(kPython) + " -c 'import aiosmtpd.smtp'"); }
inline bool HavePython() { return CanRun(std::string(kPython) + " -c 'import http.server'"); }
inline bool HaveOpenssl() { return CanRun("openssl version"); }

// One receiver script, running in its own directory until destroyed. Not copyable.
class Sink {
 public:
  // Starts testdata/SCRIPT DIR ARGS... and waits until it wrote DIR/port.
  Sink(const std::string& script, const std::filesystem::path& dir, const std::vector<std::string>& args) : dir_(dir) {
    std::filesystem::create_directories(dir_);
    std::vector<std::string> argv = {kPython, std::string(VIGIL_ALERT_TESTDATA) + "/" + script, dir_.string()};
    argv.insert(argv.end(), args.begin(), args.end());
    pid_ = Spawn(argv, "/dev/null", dir_ / "sink.out", dir_ / "sink.err");
    bool ready = WaitFor(
        [&] {
          int status = 0;
          if (pid_ > 0 && ::waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;  // exited: it will never be ready
            return true;
          }
          return std::filesystem::exists(dir_ / "port");
        },
        std::chrono::seconds(30));
    if (ready && pid_ > 0) port_ = std::stoi(ReadWholeFile(dir_ / "port"));
  }
  ~Sink() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      WaitExit(pid_, std::chrono::seconds(10));
    }
  }
  Sink(const Sink&) = delete;
  Sink& operator=(const Sink&) = delete;

  bool ready() const { return port_ > 0; }
  int port() const { return port_; }
  // What the script said, for a failed assertion.
  std::string log() const { return ReadWholeFile(dir_ / "sink.err"); }
  const std::filesystem::path& dir() const { return dir_; }

 private:
  std::filesystem::path dir_;
  pid_t pid_ = -1;
  int port_ = 0;
};

// A TCP port on 127.0.0.1 that refuses connections: bound, so nobody else takes it, but
// not listening, so a connect gets ECONNREFUSED.
class ClosedPort {
 public:
  ClosedPort() : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(addr);
    if (::bind(fd_.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
        ::getsockname(fd_.get(), reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
      port_ = ntohs(addr.sin_port);
    }
  }
  int port() const { return port_; }

 protected:
  base::UniqueFd fd_;
  int port_ = 0;
};

// A TCP port on 127.0.0.1 that accepts connections (the kernel completes the handshake)
// and then never says a word.
class SilentPort : public ClosedPort {
 public:
  SilentPort() {
    if (::listen(fd_.get(), 8) != 0) port_ = 0;
  }
};

}  // namespace vigil::alert::testing
