// SPDX-License-Identifier: MIT
// The table of Linux signal names, and parsing of the forms users type.
#include "config/signals.h"

#include <array>
#include <cctype>
#include <csignal>
#include <tuple>

namespace vigil::config {
namespace {

struct Named {
  std::string_view name;  // without "SIG"
  int signo;
};

// signal(7), standard signals, in number order. Aliases come after their canonical name
// so SignalName finds the canonical one first.
constexpr std::array<Named, 34> kSignals{{
    {"HUP", SIGHUP},       {"INT", SIGINT},     {"QUIT", SIGQUIT}, {"ILL", SIGILL},
    {"TRAP", SIGTRAP},     {"ABRT", SIGABRT},   {"IOT", SIGIOT},   {"BUS", SIGBUS},
    {"FPE", SIGFPE},       {"KILL", SIGKILL},   {"USR1", SIGUSR1}, {"SEGV", SIGSEGV},
    {"USR2", SIGUSR2},     {"PIPE", SIGPIPE},   {"ALRM", SIGALRM}, {"TERM", SIGTERM},
    {"STKFLT", SIGSTKFLT}, {"CHLD", SIGCHLD},   {"CLD", SIGCHLD},  {"CONT", SIGCONT},
    {"STOP", SIGSTOP},     {"TSTP", SIGTSTP},   {"TTIN", SIGTTIN}, {"TTOU", SIGTTOU},
    {"URG", SIGURG},       {"XCPU", SIGXCPU},   {"XFSZ", SIGXFSZ}, {"VTALRM", SIGVTALRM},
    {"PROF", SIGPROF},     {"WINCH", SIGWINCH}, {"IO", SIGIO},     {"POLL", SIGPOLL},
    {"PWR", SIGPWR},       {"SYS", SIGSYS},
}};

std::string Upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// Parses a small non-negative decimal number; -1 when `text` is not one.
int SmallNumber(std::string_view text) {
  if (text.empty() || text.size() > 3) return -1;
  int value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return -1;
    value = value * 10 + (c - '0');
  }
  return value;
}

}  // namespace

base::Result<int> ParseSignal(std::string_view text) {
  const std::string quoted = "\"" + std::string(text) + "\"";
  // SIGRTMIN/SIGRTMAX are functions in glibc: it reserves the first real-time signals for
  // NPTL, so the numbers are only known at run time.
  const int rtmin = SIGRTMIN;
  const int rtmax = SIGRTMAX;
  // All digits: a number, however long (a long one is out of range, not an unknown name).
  const bool digits = !text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos;
  if (digits && text.size() > 3) {
    return base::Status::InvalidArgument("signal number " + std::string(text) + " is out of range 1-" +
                                         std::to_string(rtmax));
  }
  if (const int number = SmallNumber(text); number >= 0) {
    if (number < 1 || number > rtmax) {
      return base::Status::InvalidArgument("signal number " + std::string(text) +
                                           " is out of range 1-" + std::to_string(rtmax));
    }
    return number;
  }
  std::string name = Upper(text);
  if (name.rfind("SIG", 0) == 0) name.erase(0, 3);
  for (const Named& s : kSignals) {
    if (s.name == name) return s.signo;
  }
  const std::string_view view(name);
  for (const auto& [prefix, anchor, sign] : {std::tuple{std::string_view("RTMIN"), rtmin, 1},
                                             std::tuple{std::string_view("RTMAX"), rtmax, -1}}) {
    if (view.rfind(prefix, 0) != 0) continue;
    const std::string_view rest = view.substr(prefix.size());
    if (rest.empty()) return anchor;
    const char expected_sign = sign > 0 ? '+' : '-';
    const int offset = rest[0] == expected_sign ? SmallNumber(rest.substr(1)) : -1;
    if (offset < 0 || offset > rtmax - rtmin) {
      return base::Status::InvalidArgument("real-time signal " + quoted +
                                           " must be RTMIN+N or RTMAX-N with N in 0-" +
                                           std::to_string(rtmax - rtmin));
    }
    return anchor + sign * offset;
  }
  return base::Status::InvalidArgument(
      "unknown signal " + quoted + R"( (expected a name like "TERM" or "SIGHUP", or a number))");
}

std::string SignalName(int signo) {
  for (const Named& s : kSignals) {
    if (s.signo == signo) return "SIG" + std::string(s.name);
  }
  const int rtmin = SIGRTMIN;
  const int rtmax = SIGRTMAX;
  if (signo == rtmin) return "SIGRTMIN";
  if (signo == rtmax) return "SIGRTMAX";
  if (signo > rtmin && signo < rtmax) return "SIGRTMIN+" + std::to_string(signo - rtmin);
  return "signal " + std::to_string(signo);
}

}  // namespace vigil::config
