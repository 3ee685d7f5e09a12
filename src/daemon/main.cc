// SPDX-License-Identifier: MIT
// vigild: the vigil daemon. Parses its few options, loads the config, takes the PID file,
// forks into the background if asked (--daemon), and runs the Daemon.
#include <fcntl.h>
#include <getopt.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <optional>
#include <string>

#include "config/load.h"
#include "daemon/daemon.h"
#include "daemon/daemonize.h"
#include "daemon/pid_file.h"
#include "daemon/systemd_notifier.h"

namespace {

constexpr int kExitUsage = 2;

void PrintUsage(FILE* out) {
  std::fprintf(out,
               "usage: vigild [--config FILE] [--foreground | --daemon] [--pidfile FILE] [--init]\n"
               "\n"
               "Runs the vigil supervisor (man vigild, docs/service.md).\n"
               "  -c, --config FILE   config file (default: %s)\n"
               "  -f, --foreground    stay in the foreground (the default: systemd, containers)\n"
               "  -d, --daemon        fork into the background; exits 0 once the daemon is ready,\n"
               "                      else non-zero with the daemon's error\n"
               "  -p, --pidfile FILE  write and lock a PID file (with --daemon, the default is\n"
               "                      STATE_DIR/vigild.pid)\n"
               "      --init          act as a container's init even when not PID 1: the exit\n"
               "                      status says whether every program stopped cleanly\n"
               "  -h, --help          show this help\n"
               "  -V, --version       show the version\n",
               vigil::config::DefaultConfigPath().c_str());
}

// A stderr pipe nobody reads must never stall supervision: make writes to it fail
// instead of block (the event log file keeps every line anyway).
void MakeStderrNonBlocking() {
  struct stat st {};
  if (::fstat(STDERR_FILENO, &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode))) {
    int flags = ::fcntl(STDERR_FILENO, F_GETFL);
    if (flags >= 0) ::fcntl(STDERR_FILENO, F_SETFL, flags | O_NONBLOCK);
  }
}

}  // namespace

int main(int argc, char** argv) {
  enum { kInit = 1000 };
  static const option kOptions[] = {{"config", required_argument, nullptr, 'c'},
                                    {"foreground", no_argument, nullptr, 'f'},
                                    {"daemon", no_argument, nullptr, 'd'},
                                    {"pidfile", required_argument, nullptr, 'p'},
                                    {"init", no_argument, nullptr, kInit},
                                    {"help", no_argument, nullptr, 'h'},
                                    {"version", no_argument, nullptr, 'V'},
                                    {nullptr, 0, nullptr, 0}};
  std::string config_path;
  std::string pid_path;
  bool daemonize = false;
  bool init = ::getpid() == 1;
  int opt;
  while ((opt = ::getopt_long(argc, argv, "c:fdp:hV", kOptions, nullptr)) != -1) {
    switch (opt) {
      case 'c': config_path = optarg; break;
      case 'f': daemonize = false; break;
      case 'd': daemonize = true; break;
      case 'p': pid_path = optarg; break;
      case kInit: init = true; break;
      case 'h': PrintUsage(stdout); return 0;
      case 'V': std::printf("vigild %s\n", VIGIL_VERSION); return 0;
      default: PrintUsage(stderr); return kExitUsage;
    }
  }
  if (optind < argc) {
    std::fprintf(stderr, "vigild: unexpected argument: %s\n", argv[optind]);
    PrintUsage(stderr);
    return kExitUsage;
  }
  if (config_path.empty()) config_path = vigil::config::DefaultConfigPath().string();

  // Taken before any thread starts and before the config is read, so that no program
  // inherits systemd's socket (see SystemdNotifier).
  vigil::daemon::SystemdEnvironment systemd = vigil::daemon::SystemdEnvironment::TakeFromProcess();

  // Read in the launcher, so that a bad config is reported by the command the user typed.
  // The loader makes every path absolute: the daemon's chdir("/") cannot move them.
  auto spec = vigil::config::LoadConfig(config_path);
  if (!spec) {
    std::fprintf(stderr, "vigild: %s\n", spec.error().message().c_str());
    return kExitUsage;
  }
  if (daemonize && pid_path.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(spec->state_dir, ec);
    pid_path = (spec->state_dir / "vigild.pid").string();
  }
  std::optional<vigil::daemon::PidFile> pid_file;
  if (!pid_path.empty()) {
    auto taken = vigil::daemon::PidFile::Acquire(std::filesystem::absolute(pid_path));
    if (!taken) {
      std::fprintf(stderr, "vigild: %s\n", taken.error().message().c_str());
      return 1;
    }
    pid_file.emplace(std::move(taken).value());
  }

  vigil::daemon::DaemonOptions options;
  options.init = init;
  options.systemd = std::move(systemd);
  if (daemonize) options.startup = vigil::daemon::Daemonize();
  if (pid_file) {
    if (auto s = pid_file->WritePid(::getpid()); !s.ok()) {
      options.startup.Failed(s.message());
      std::fprintf(stderr, "vigild: %s\n", s.message().c_str());
      return 1;
    }
    options.pid_file = pid_file->path();
    options.stale_pid = pid_file->stale_pid();
  }
  MakeStderrNonBlocking();
  vigil::daemon::Daemon daemon(std::move(spec).value(), std::move(options));
  return daemon.Run();
}
