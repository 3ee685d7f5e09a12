// SPDX-License-Identifier: MIT
// SystemdNotifier: one SOCK_DGRAM socket, datagrams to NOTIFY_SOCKET, the watchdog timer.
#include "daemon/systemd_notifier.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

namespace vigil::daemon {
namespace {

std::string TakeEnv(const char* name) {
  const char* value = std::getenv(name);
  std::string out = value != nullptr ? value : "";
  ::unsetenv(name);
  return out;
}

// MONOTONIC_USEC with RELOADING=1 lets a newer systemd (Type=notify-reload) order the
// reload; older ones ignore it.
uint64_t MonotonicMicros() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000 + static_cast<uint64_t>(ts.tv_nsec) / 1000;
}

// STATUS= ends at a newline: a summary that had one would cut the datagram's next field.
std::string OneLine(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return out;
}

}  // namespace

SystemdEnvironment SystemdEnvironment::TakeFromProcess() {
  SystemdEnvironment env;
  env.notify_socket = TakeEnv("NOTIFY_SOCKET");
  const std::string usec = TakeEnv("WATCHDOG_USEC");
  const std::string pid = TakeEnv("WATCHDOG_PID");
  char* end = nullptr;
  const unsigned long long micros = std::strtoull(usec.c_str(), &end, 10);
  const bool for_us = pid.empty() || std::strtol(pid.c_str(), nullptr, 10) == ::getpid();
  if (!usec.empty() && end != nullptr && *end == '\0' && micros > 0 && for_us) {
    env.watchdog = std::chrono::duration_cast<base::Duration>(std::chrono::microseconds(micros));
  }
  return env;
}

SystemdNotifier::SystemdNotifier(event::Loop& loop, SystemdEnvironment env) : loop_(loop), env_(std::move(env)) {
  if (enabled()) fd_.reset(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
}

bool SystemdNotifier::Send(std::string_view message) {
  if (!fd_.valid()) return false;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  const std::string& path = env_.notify_socket;
  if (path.size() >= sizeof addr.sun_path || (path[0] != '/' && path[0] != '@')) return false;
  std::memcpy(addr.sun_path, path.data(), path.size());
  if (path[0] == '@') addr.sun_path[0] = '\0';  // the abstract namespace
  const auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size());
  ssize_t n;
  do n = ::sendto(fd_.get(), message.data(), message.size(), MSG_NOSIGNAL, reinterpret_cast<sockaddr*>(&addr), len);
  while (n < 0 && errno == EINTR);
  return n == static_cast<ssize_t>(message.size());
}

void SystemdNotifier::Ready(std::string_view status) {
  last_status_ = OneLine(status);
  Send("READY=1\nSTATUS=" + last_status_);
  ArmWatchdog();
}

void SystemdNotifier::Status(std::string_view status) {
  std::string line = OneLine(status);
  if (!enabled() || line == last_status_) return;
  last_status_ = std::move(line);
  Send("STATUS=" + last_status_);
}

void SystemdNotifier::Reloading() {
  Send(fmt::format("RELOADING=1\nMONOTONIC_USEC={}\nSTATUS=reloading the config", MonotonicMicros()));
}

void SystemdNotifier::ReloadDone(std::string_view status) {
  last_status_ = OneLine(status);
  Send("READY=1\nSTATUS=" + last_status_);
}

// The pings go on while the programs stop: a shutdown that waits out long stop_timeouts
// must not look like a hung vigild.
void SystemdNotifier::Stopping() {
  Send("STOPPING=1\nSTATUS=stopping all programs");
}

// A ping from a timer on the event loop proves the loop turns: a vigild stuck in a
// handler stops pinging and systemd restarts it (after WatchdogSec).
void SystemdNotifier::ArmWatchdog() {
  if (!enabled() || !env_.watchdog) return;
  watchdog_timer_ = loop_.AddTimer(*env_.watchdog / 2, [this] {
    Send("WATCHDOG=1");
    ArmWatchdog();
  });
}

}  // namespace vigil::daemon
