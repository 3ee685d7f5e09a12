// SPDX-License-Identifier: MIT
// The name -> number table behind ParseSignalName.
#include "api/signal_names.h"

#include <csignal>
#include <string>

namespace vigil::api {
namespace {

struct SignalName {
  std::string_view name;
  int signo;
};

// The standard Linux signals, as kill -l prints them. Real-time signals are only
// accepted by number because their names (RTMIN+n) vary between C libraries.
constexpr SignalName kSignals[] = {
    {"HUP", SIGHUP},       {"INT", SIGINT},   {"QUIT", SIGQUIT},     {"ILL", SIGILL},
    {"TRAP", SIGTRAP},     {"ABRT", SIGABRT}, {"IOT", SIGIOT},       {"BUS", SIGBUS},
    {"FPE", SIGFPE},       {"KILL", SIGKILL}, {"USR1", SIGUSR1},     {"SEGV", SIGSEGV},
    {"USR2", SIGUSR2},     {"PIPE", SIGPIPE}, {"ALRM", SIGALRM},     {"TERM", SIGTERM},
    {"STKFLT", SIGSTKFLT}, {"CHLD", SIGCHLD}, {"CONT", SIGCONT},     {"STOP", SIGSTOP},
    {"TSTP", SIGTSTP},     {"TTIN", SIGTTIN}, {"TTOU", SIGTTOU},     {"URG", SIGURG},
    {"XCPU", SIGXCPU},     {"XFSZ", SIGXFSZ}, {"VTALRM", SIGVTALRM}, {"PROF", SIGPROF},
    {"WINCH", SIGWINCH},   {"IO", SIGIO},     {"POLL", SIGPOLL},     {"PWR", SIGPWR},
    {"SYS", SIGSYS},
};

base::Status Invalid(std::string_view text) {
  return base::Status::InvalidArgument("unknown signal \"" + std::string(text) +
                                       "\" (use a name like HUP or SIGTERM, or a number)");
}

}  // namespace

base::Result<int> ParseSignalName(std::string_view text) {
  if (text.empty() || text.size() > 16) return Invalid(text);
  if (text.front() >= '0' && text.front() <= '9') {
    int value = 0;
    for (char c : text) {
      if (c < '0' || c > '9') return Invalid(text);
      value = value * 10 + (c - '0');
      if (value > SIGRTMAX) return Invalid(text);
    }
    // Signal 0 only probes for existence; it is never useful as an action.
    if (value < 1) return Invalid(text);
    return value;
  }
  std::string upper;
  for (char c : text) upper += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  std::string_view name = upper;
  if (name.size() > 3 && name.substr(0, 3) == "SIG") name.remove_prefix(3);
  for (const SignalName& s : kSignals) {
    if (s.name == name) return s.signo;
  }
  return Invalid(text);
}

}  // namespace vigil::api
