// SPDX-License-Identifier: MIT
// vigil-test-child: tiny programs for the end-to-end tests, one mode per behaviour.
//   idle [LOGFILE NAME]          wait for SIGTERM, then exit 0 (appends "start NAME"/"stop NAME")
//   ignore-term PIDFILE          ignore SIGTERM, fork a grandchild that ignores it too,
//                                write "PID GRANDCHILD_PID" to PIDFILE, wait forever
//   exit CODE                    exit at once with CODE
//   flood LINES                  write LINES numbered 100-byte lines to stdout, then idle
//   print TEXT...                print each TEXT as a line, then idle
//   print-exit TEXT              print TEXT without a newline and exit 0
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

const char* g_log = nullptr;
const char* g_name = nullptr;

void Append(const char* path, const std::string& line) {
  int fd = ::open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return;
  ssize_t n = ::write(fd, line.data(), line.size());
  (void)n;
  ::close(fd);
}

void OnTerm(int) {
  if (g_log) Append(g_log, std::string("stop ") + g_name + "\n");
  ::_exit(0);
}

[[noreturn]] void WaitForever() {
  for (;;) ::pause();
}

void WriteAll(const char* data, size_t size) {
  while (size > 0) {
    ssize_t n = ::write(1, data, size);
    if (n <= 0) std::exit(3);
    data += n;
    size -= static_cast<size_t>(n);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: vigil-test-child MODE ARGS...\n");
    return 2;
  }
  std::string mode = argv[1];
  if (mode == "idle") {
    if (argc >= 4) {
      g_log = argv[2];
      g_name = argv[3];
      Append(g_log, std::string("start ") + g_name + "\n");
    }
    ::signal(SIGTERM, OnTerm);
    WaitForever();
  }
  if (mode == "ignore-term" && argc >= 3) {
    ::signal(SIGTERM, SIG_IGN);
    pid_t grandchild = ::fork();
    if (grandchild == 0) WaitForever();
    std::string line = std::to_string(::getpid()) + " " + std::to_string(grandchild) + "\n";
    std::string tmp = std::string(argv[2]) + ".tmp";
    Append(tmp.c_str(), line);
    ::rename(tmp.c_str(), argv[2]);
    WaitForever();
  }
  if (mode == "exit" && argc >= 3) return std::atoi(argv[2]);
  if (mode == "flood" && argc >= 3) {
    long lines = std::atol(argv[2]);
    std::string buf;
    buf.reserve(1 << 16);
    char line[100];
    std::memset(line, 'x', sizeof line);
    line[12] = ' ';
    line[99] = '\n';
    for (long i = 0; i < lines; ++i) {
      // "%012ld" without the terminating NUL that snprintf would need room for.
      long v = i;
      for (int d = 11; d >= 0; --d, v /= 10) line[d] = static_cast<char>('0' + v % 10);
      buf.append(line, 100);
      if (buf.size() + 100 > (1 << 16)) {
        WriteAll(buf.data(), buf.size());
        buf.clear();
      }
    }
    WriteAll(buf.data(), buf.size());
    WaitForever();
  }
  if (mode == "print") {
    for (int i = 2; i < argc; ++i) std::printf("%s\n", argv[i]);
    std::fflush(stdout);
    WaitForever();
  }
  if (mode == "print-exit" && argc >= 3) {
    WriteAll(argv[2], std::strlen(argv[2]));
    return 0;
  }
  std::fprintf(stderr, "vigil-test-child: bad mode %s\n", argv[1]);
  return 2;
}
