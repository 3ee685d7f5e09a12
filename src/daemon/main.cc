// SPDX-License-Identifier: MIT
// vigild: the vigil daemon. Parses its few options, loads the config, runs the Daemon.
#include <fcntl.h>
#include <getopt.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "config/load.h"
#include "daemon/daemon.h"

namespace {

constexpr int kExitUsage = 2;

void PrintUsage(FILE* out) {
  std::fprintf(out,
               "usage: vigild [--config FILE]\n"
               "\n"
               "Runs the vigil supervisor in the foreground.\n"
               "  -c, --config FILE  config file (default: %s)\n"
               "  -h, --help         show this help\n"
               "  -V, --version      show the version\n",
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
  static const option kOptions[] = {{"config", required_argument, nullptr, 'c'},
                                    {"help", no_argument, nullptr, 'h'},
                                    {"version", no_argument, nullptr, 'V'},
                                    {nullptr, 0, nullptr, 0}};
  std::string config_path;
  int opt;
  while ((opt = ::getopt_long(argc, argv, "c:hV", kOptions, nullptr)) != -1) {
    switch (opt) {
      case 'c': config_path = optarg; break;
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

  auto spec = vigil::config::LoadConfig(config_path);
  if (!spec) {
    std::fprintf(stderr, "vigild: %s\n", spec.error().message().c_str());
    return kExitUsage;
  }
  MakeStderrNonBlocking();
  vigil::daemon::Daemon daemon(std::move(spec).value());
  return daemon.Run();
}
