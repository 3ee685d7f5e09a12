// SPDX-License-Identifier: MIT
// Tests for signal name parsing and naming.
#include "config/signals.h"

#include <gtest/gtest.h>

#include <csignal>

namespace vigil::config {
namespace {

TEST(ParseSignalTest, AcceptsNamesInEveryForm) {
  const struct {
    const char* text;
    int want;
  } cases[] = {
      {"TERM", SIGTERM},     {"SIGTERM", SIGTERM}, {"term", SIGTERM}, {"sigterm", SIGTERM},
      {"15", SIGTERM},       {"HUP", SIGHUP},      {"INT", SIGINT},   {"QUIT", SIGQUIT},
      {"ILL", SIGILL},       {"TRAP", SIGTRAP},    {"ABRT", SIGABRT}, {"IOT", SIGABRT},
      {"BUS", SIGBUS},       {"FPE", SIGFPE},      {"KILL", SIGKILL}, {"USR1", SIGUSR1},
      {"SEGV", SIGSEGV},     {"USR2", SIGUSR2},    {"PIPE", SIGPIPE}, {"ALRM", SIGALRM},
      {"STKFLT", SIGSTKFLT}, {"CHLD", SIGCHLD},    {"CLD", SIGCHLD},  {"CONT", SIGCONT},
      {"STOP", SIGSTOP},     {"TSTP", SIGTSTP},    {"TTIN", SIGTTIN}, {"TTOU", SIGTTOU},
      {"URG", SIGURG},       {"XCPU", SIGXCPU},    {"XFSZ", SIGXFSZ}, {"VTALRM", SIGVTALRM},
      {"PROF", SIGPROF},     {"WINCH", SIGWINCH},  {"IO", SIGIO},     {"POLL", SIGIO},
      {"PWR", SIGPWR},       {"SYS", SIGSYS},      {"1", 1},          {"9", SIGKILL},
  };
  for (const auto& c : cases) {
    auto signo = ParseSignal(c.text);
    ASSERT_TRUE(signo.has_value()) << c.text << ": " << signo.error().message();
    EXPECT_EQ(*signo, c.want) << c.text;
  }
}

TEST(ParseSignalTest, AcceptsRealTimeSignals) {
  EXPECT_EQ(*ParseSignal("RTMIN"), SIGRTMIN);
  EXPECT_EQ(*ParseSignal("SIGRTMIN+3"), SIGRTMIN + 3);
  EXPECT_EQ(*ParseSignal("rtmax-1"), SIGRTMAX - 1);
  EXPECT_EQ(*ParseSignal("RTMAX"), SIGRTMAX);
  EXPECT_EQ(*ParseSignal(std::to_string(SIGRTMAX)), SIGRTMAX);
  EXPECT_FALSE(ParseSignal("RTMIN-1").has_value());
  EXPECT_FALSE(ParseSignal("RTMIN+100").has_value());
  EXPECT_FALSE(ParseSignal("RTMIN+").has_value());
}

TEST(ParseSignalTest, RejectsUnknownNamesAndNumbers) {
  EXPECT_EQ(ParseSignal("TERMINATE").error().message(),
            R"(unknown signal "TERMINATE" (expected a name like "TERM" or "SIGHUP", or a number))");
  EXPECT_EQ(ParseSignal("0").error().message(),
            "signal number 0 is out of range 1-" + std::to_string(SIGRTMAX));
  for (const char* text : {"", "SIG", "-15", "+15", "1000", " TERM", "TERM ", "15x"}) {
    auto signo = ParseSignal(text);
    EXPECT_FALSE(signo.has_value()) << text;
  }
}

TEST(SignalNameTest, NamesEveryStandardSignal) {
  EXPECT_EQ(SignalName(SIGTERM), "SIGTERM");
  EXPECT_EQ(SignalName(SIGKILL), "SIGKILL");
  EXPECT_EQ(SignalName(SIGABRT), "SIGABRT");  // canonical name, not the IOT alias
  EXPECT_EQ(SignalName(SIGCHLD), "SIGCHLD");
  EXPECT_EQ(SignalName(SIGIO), "SIGIO");
  EXPECT_EQ(SignalName(SIGRTMIN), "SIGRTMIN");
  EXPECT_EQ(SignalName(SIGRTMIN + 2), "SIGRTMIN+2");
  EXPECT_EQ(SignalName(SIGRTMAX), "SIGRTMAX");
  EXPECT_EQ(SignalName(0), "signal 0");
  EXPECT_EQ(SignalName(99), "signal 99");
}

TEST(SignalNameTest, RoundTripsThroughParseSignal) {
  for (int signo = 1; signo <= SIGRTMAX; ++signo) {
    if (signo == 32 || signo == 33) continue;  // reserved by glibc; below SIGRTMIN, no name
    auto parsed = ParseSignal(SignalName(signo));
    ASSERT_TRUE(parsed.has_value()) << SignalName(signo);
    EXPECT_EQ(*parsed, signo);
  }
}

}  // namespace
}  // namespace vigil::config

namespace vigil::config {
namespace {

// A number with more digits than a signal can have is out of range, not "unknown".
TEST(SignalsTest, LongNumbersAreOutOfRange) {
  for (const char* text : {"1000", "99999", "4294967296", "99999999999999999999"}) {
    auto signo = ParseSignal(text);
    ASSERT_FALSE(signo) << text;
    EXPECT_EQ(signo.error().message().rfind(std::string("signal number ") + text + " is out of range 1-", 0), 0u)
        << signo.error().message();
  }
}

}  // namespace
}  // namespace vigil::config
