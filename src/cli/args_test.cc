// SPDX-License-Identifier: MIT
// Tests for argument parsing of every command; usage errors must exit 2.
#include "cli/args.h"

#include <gtest/gtest.h>

#include <sstream>

#include "cli/exit_codes.h"

namespace vigil::cli {
namespace {

class ArgsTest : public ::testing::Test {
 protected:
  ParsedArgs Parse(std::vector<std::string> args) {
    out_.str("");
    err_.str("");
    return ParseArgs(args, out_, err_);
  }
  // Parses args that must be valid and returns the invocation.
  Invocation Valid(std::vector<std::string> args) {
    ParsedArgs parsed = Parse(std::move(args));
    EXPECT_TRUE(parsed.invocation.has_value()) << err_.str();
    EXPECT_EQ(parsed.exit_code, kExitOk);
    return parsed.invocation.value_or(Invocation{});
  }
  void ExpectUsageError(std::vector<std::string> args) {
    std::string joined;
    for (const std::string& a : args) joined += a + " ";
    ParsedArgs parsed = Parse(std::move(args));
    EXPECT_FALSE(parsed.invocation.has_value()) << joined;
    EXPECT_EQ(parsed.exit_code, kExitUsage) << joined;
    EXPECT_FALSE(err_.str().empty()) << joined;
  }

  std::ostringstream out_, err_;
};

TEST_F(ArgsTest, StatusTakesOptionalNamesAndJsonAnywhere) {
  Invocation inv = Valid({"status"});
  EXPECT_EQ(inv.command, "status");
  EXPECT_TRUE(inv.names.empty());
  EXPECT_FALSE(inv.json);

  inv = Valid({"status", "web", "worker:1", "--json"});
  EXPECT_EQ(inv.names, (std::vector<std::string>{"web", "worker:1"}));
  EXPECT_TRUE(inv.json);

  inv = Valid({"--json", "status"});
  EXPECT_TRUE(inv.json);
}

TEST_F(ArgsTest, SocketOptionBeforeOrAfterCommand) {
  EXPECT_EQ(Valid({"--socket", "/tmp/x.sock", "status"}).socket, "/tmp/x.sock");
  EXPECT_EQ(Valid({"status", "--socket=/tmp/y.sock"}).socket, "/tmp/y.sock");
  EXPECT_EQ(Valid({"status"}).socket, "");
}

TEST_F(ArgsTest, ActionsRequireNamesAndAcceptNoWait) {
  for (std::string action : {"start", "stop", "restart"}) {
    Invocation inv = Valid({action, "web", "api"});
    EXPECT_EQ(inv.command, action);
    EXPECT_EQ(inv.names, (std::vector<std::string>{"web", "api"}));
    EXPECT_FALSE(inv.no_wait);

    inv = Valid({action, "all", "--no-wait"});
    EXPECT_EQ(inv.names, (std::vector<std::string>{"all"}));
    EXPECT_TRUE(inv.no_wait);

    ExpectUsageError({action});
    ExpectUsageError({action, "web", "--wait-forever"});
  }
}

TEST_F(ArgsTest, SignalTakesSignalThenNames) {
  Invocation inv = Valid({"signal", "HUP", "web", "api"});
  EXPECT_EQ(inv.signal, "HUP");
  EXPECT_EQ(inv.names, (std::vector<std::string>{"web", "api"}));
  ExpectUsageError({"signal", "HUP"});
  ExpectUsageError({"signal"});
}

TEST_F(ArgsTest, LogsOptions) {
  Invocation inv = Valid({"logs", "web"});
  EXPECT_EQ(inv.name, "web");
  EXPECT_FALSE(inv.follow);
  EXPECT_EQ(inv.lines, 20);
  EXPECT_FALSE(inv.stderr_stream);

  inv = Valid({"logs", "web:0", "-f", "-n", "5", "--stderr"});
  EXPECT_EQ(inv.name, "web:0");
  EXPECT_TRUE(inv.follow);
  EXPECT_EQ(inv.lines, 5);
  EXPECT_TRUE(inv.stderr_stream);

  inv = Valid({"logs", "--follow", "--lines=0", "web"});
  EXPECT_TRUE(inv.follow);
  EXPECT_EQ(inv.lines, 0);

  ExpectUsageError({"logs"});
  ExpectUsageError({"logs", "web", "api"});
  ExpectUsageError({"logs", "web", "-n", "abc"});
  ExpectUsageError({"logs", "web", "-n", "-3"});
  ExpectUsageError({"logs", "web", "-n", "100001"});
}

TEST_F(ArgsTest, CheckRequiresFile) {
  EXPECT_EQ(Valid({"check", "/etc/vigil/vigil.toml"}).file, "/etc/vigil/vigil.toml");
  ExpectUsageError({"check"});
}

TEST_F(ArgsTest, CommandsWithoutArguments) {
  for (std::string command : {"reload", "shutdown", "version", "tasks"}) {
    EXPECT_EQ(Valid({command}).command, command);
    ExpectUsageError({command, "extra"});
  }
}

TEST_F(ArgsTest, TasksTakesJson) {
  Invocation inv = Valid({"tasks", "--json"});
  EXPECT_EQ(inv.command, "tasks");
  EXPECT_TRUE(inv.json);
}

TEST_F(ArgsTest, RunTakesOneTaskAndWait) {
  Invocation inv = Valid({"run", "backup"});
  EXPECT_EQ(inv.command, "run");
  EXPECT_EQ(inv.name, "backup");
  EXPECT_FALSE(inv.wait);
  EXPECT_TRUE(Valid({"run", "--wait", "backup"}).wait);
  EXPECT_TRUE(Valid({"run", "backup", "--wait", "--json"}).json);
  ExpectUsageError({"run"});
  ExpectUsageError({"run", "backup", "report"});
  ExpectUsageError({"run", "backup", "--no-wait"});
}

TEST_F(ArgsTest, EnableAndDisableTakeOneTask) {
  for (std::string command : {"enable", "disable"}) {
    Invocation inv = Valid({command, "backup"});
    EXPECT_EQ(inv.command, command);
    EXPECT_EQ(inv.name, "backup");
    ExpectUsageError({command});
    ExpectUsageError({command, "backup", "report"});
  }
}

TEST_F(ArgsTest, HistoryTakesOptionalTaskAndLimit) {
  Invocation inv = Valid({"history"});
  EXPECT_EQ(inv.command, "history");
  EXPECT_EQ(inv.name, "");
  EXPECT_EQ(inv.limit, 0);  // the command's default

  inv = Valid({"history", "backup", "--limit", "5", "--json"});
  EXPECT_EQ(inv.name, "backup");
  EXPECT_EQ(inv.limit, 5);
  EXPECT_TRUE(inv.json);
  EXPECT_EQ(Valid({"history", "--limit=1000"}).limit, 1000);

  ExpectUsageError({"history", "backup", "report"});
  ExpectUsageError({"history", "--limit", "0"});
  ExpectUsageError({"history", "--limit", "1001"});
  ExpectUsageError({"history", "--limit", "ten"});
}

TEST_F(ArgsTest, EventsFilters) {
  Invocation inv = Valid({"events"});
  EXPECT_EQ(inv.command, "events");
  EXPECT_EQ(inv.since, "");
  EXPECT_EQ(inv.subject, "");
  EXPECT_EQ(inv.type, "");
  EXPECT_EQ(inv.limit, 0);

  inv = Valid({"events", "--since", "1h", "--program", "web", "--type", "state", "--limit", "50"});
  EXPECT_EQ(inv.since, "1h");
  EXPECT_EQ(inv.subject, "web");
  EXPECT_EQ(inv.type, "state");
  EXPECT_EQ(inv.limit, 50);

  inv = Valid({"events", "--task=backup", "--since=1764020703123"});
  EXPECT_EQ(inv.subject, "backup");
  EXPECT_EQ(inv.since, "1764020703123");
  EXPECT_EQ(Valid({"events", "--since", "2d"}).since, "2d");
  EXPECT_EQ(Valid({"events", "--since", "1h30m"}).since, "1h30m");

  ExpectUsageError({"events", "--since", "yesterday"});
  ExpectUsageError({"events", "--since", "1 h"});
  ExpectUsageError({"events", "--program", "web", "--task", "backup"});
  ExpectUsageError({"events", "--limit", "0"});
  ExpectUsageError({"events", "--limit", "1001"});
  ExpectUsageError({"events", "web"});
  // A misspelt type would match nothing and look like an empty history.
  for (const char* type :
       {"state", "note", "signal", "spawn_error", "log", "reload", "config_error", "task", "task_run", "daemon"}) {
    EXPECT_EQ(Valid({"events", "--type", type}).type, type);
  }
  ExpectUsageError({"events", "--type", "states"});
  ExpectUsageError({"events", "--type", ""});
}

TEST_F(ArgsTest, MissingOrUnknownCommandIsUsageError) {
  ExpectUsageError({});
  ExpectUsageError({"frobnicate"});
  ExpectUsageError({"--bogus", "status"});
}

TEST_F(ArgsTest, HelpExitsZeroAndListsEveryCommand) {
  ParsedArgs parsed = Parse({"--help"});
  EXPECT_FALSE(parsed.invocation.has_value());
  EXPECT_EQ(parsed.exit_code, kExitOk);
  for (const Command& command : Commands()) {
    EXPECT_NE(out_.str().find(command.name), std::string::npos) << command.name;
  }
}

TEST_F(ArgsTest, TopTakesNamesAndOnce) {
  Invocation inv = Valid({"top", "web", "db", "--once"});
  EXPECT_EQ(inv.names, (std::vector<std::string>{"web", "db"}));
  EXPECT_TRUE(inv.once);
  EXPECT_FALSE(Valid({"top"}).once);
}

TEST_F(ArgsTest, FindingsTakesSinceSeverityAndLimit) {
  Invocation inv = Valid({"findings", "--since", "7d", "--severity", "warn", "--limit", "5"});
  EXPECT_EQ(inv.since, "7d");
  EXPECT_EQ(inv.severity, "warn");
  EXPECT_EQ(inv.limit, 5);
}

TEST_F(ArgsTest, NotifyTakesItsFlagsAndAStatus) {
  Invocation inv = Valid({"notify", "--ready", "--watchdog", "--status", "warming up"});
  EXPECT_TRUE(inv.notify_ready);
  EXPECT_TRUE(inv.notify_watchdog);
  EXPECT_FALSE(inv.notify_stopping);
  EXPECT_EQ(inv.notify_status, "warming up");
  EXPECT_FALSE(Valid({"notify", "--stopping"}).notify_status.has_value());
}

TEST_F(ArgsTest, TokenAndWebTakeTheirFlags) {
  Invocation inv = Valid({"token", "--viewer", "--rotate"});
  EXPECT_TRUE(inv.viewer);
  EXPECT_TRUE(inv.rotate);
  inv = Valid({"web"});
  EXPECT_FALSE(inv.viewer);
  EXPECT_TRUE(Valid({"web", "--viewer"}).viewer);
}

TEST_F(ArgsTest, EveryTableCommandParses) {
  for (const Command& command : Commands()) {
    std::vector<std::string> args{command.name};
    switch (command.shape) {
      case ArgShape::kNone:
      case ArgShape::kOptionalNames:
      case ArgShape::kHistory:
      case ArgShape::kEvents:
      case ArgShape::kTop:
      case ArgShape::kFindings:
      case ArgShape::kMetrics:
      case ArgShape::kReport:
      case ArgShape::kWeb:
        break;
      case ArgShape::kToken:
        args.push_back("--viewer");
        break;
      case ArgShape::kNotify:
        args.push_back("--ready");
        break;
      case ArgShape::kActionNames:
      case ArgShape::kLogs:
      case ArgShape::kFile:
      case ArgShape::kTask:
      case ArgShape::kRunTask:
        args.push_back("x");
        break;
      case ArgShape::kSignal:
        args.insert(args.end(), {"TERM", "x"});
        break;
      case ArgShape::kAlert:
        args.insert(args.end(), {"test", "x"});
        break;
    }
    EXPECT_EQ(Valid(args).command, command.name);
  }
}

}  // namespace
}  // namespace vigil::cli

namespace vigil::cli {
namespace {

class ArgsHardeningTest : public ::testing::Test {
 protected:
  ParsedArgs Parse(std::vector<std::string> args) { return ParseArgs(args, out_, err_); }
  std::ostringstream out_, err_;
};

// Regression test for issue 8, item 17: `vigil frobnicate` said "A subcommand is required".
TEST_F(ArgsHardeningTest, UnknownCommandIsNamed) {
  ParsedArgs parsed = Parse({"--socket", "/tmp/x.sock", "frobnicate", "web"});
  EXPECT_FALSE(parsed.invocation.has_value());
  EXPECT_EQ(parsed.exit_code, kExitUsage);
  EXPECT_EQ(err_.str(), "vigil: unknown command \"frobnicate\"\nRun 'vigil --help' for the commands.\n");
}

TEST_F(ArgsHardeningTest, ActionsTakeATimeout) {
  ParsedArgs parsed = Parse({"restart", "web", "--timeout", "90s"});
  ASSERT_TRUE(parsed.invocation.has_value()) << err_.str();
  EXPECT_EQ(parsed.invocation->timeout, "90s");
  parsed = Parse({"start", "web", "--timeout", "soon"});
  EXPECT_FALSE(parsed.invocation.has_value());
  EXPECT_EQ(parsed.exit_code, kExitUsage);
  EXPECT_NE(err_.str().find("soon"), std::string::npos) << err_.str();
}

}  // namespace
}  // namespace vigil::cli
