// SPDX-License-Identifier: MIT
// vigil-test-child: tiny programs for the end-to-end tests, one mode per behaviour.
//   idle [LOGFILE NAME]          wait for SIGTERM, then exit 0 (appends "start NAME"/"stop NAME")
//   ignore-term PIDFILE          ignore SIGTERM, fork a grandchild that ignores it too,
//                                write "PID GRANDCHILD_PID" to PIDFILE, wait forever
//   exit CODE                    exit at once with CODE
//   flood LINES                  write LINES numbered 100-byte lines to stdout, then idle
//   print TEXT...                print each TEXT as a line, then idle
//   print-exit TEXT              print TEXT without a newline and exit 0
//   http PORT FAILFILE           serve HTTP on 127.0.0.1:PORT: "200 ok", or "500 failing"
//                                while FAILFILE exists (deleted at start: a restart heals)
//   hog BYTES                    allocate and touch BYTES of memory, then idle
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
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

// A one-connection-at-a-time HTTP/1.0 server, enough for a health check.
[[noreturn]] void ServeHttp(int port, const char* fail_file) {
  ::unlink(fail_file);
  int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  ::setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listener, 16) != 0) {
    std::perror("bind");
    std::exit(3);
  }
  for (;;) {
    int c = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    if (c < 0) continue;
    std::string request;
    char buf[1024];
    while (request.find("\r\n\r\n") == std::string::npos) {
      ssize_t n = ::read(c, buf, sizeof buf);
      if (n <= 0) break;
      request.append(buf, static_cast<size_t>(n));
    }
    const bool failing = ::access(fail_file, F_OK) == 0;
    const std::string body = failing ? "failing\n" : "ok\n";
    const std::string answer = std::string(failing ? "HTTP/1.0 500 Internal Server Error" : "HTTP/1.0 200 OK") +
                               "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    ssize_t n = ::write(c, answer.data(), answer.size());
    (void)n;
    ::close(c);
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
  if (mode == "http" && argc >= 4) ServeHttp(std::atoi(argv[2]), argv[3]);
  if (mode == "hog" && argc >= 3) {
    const size_t bytes = static_cast<size_t>(std::atoll(argv[2]));
    char* memory = static_cast<char*>(std::malloc(bytes));
    for (size_t i = 0; memory != nullptr && i < bytes; i += 4096) memory[i] = 1;
    WaitForever();
  }
  std::fprintf(stderr, "vigil-test-child: bad mode %s\n", argv[1]);
  return 2;
}
