// SPDX-License-Identifier: MIT
// Tests for the kinds of [check.NAME] beyond the machine's metrics (a program's metrics,
// http, tcp, command, file, process), their actions and guards: what parses, and every
// mistake as one "FILE:LINE: check.NAME.KEY: reason" line.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "config/config_test_util.h"
#include "config/load.h"

namespace vigil::config {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

constexpr const char* kFile = "/tmp/c/vigil.toml";

// Lines 1-6: two programs (web, and api with 2 instances) and a task; checks from line 7.
const std::string kBase = Lines({
    "[program.web]",
    "command = [\"/bin/web\"]",
    "[program.api]",
    "command = [\"/bin/api\"]",
    "instances = 2",
    "[task.cleanup]\nschedule = \"daily 03:00\"\naction = \"cleanup\"\npaths = [\"/tmp/x\"]\nolder_than = \"1d\"",
});
constexpr int kFirst = 11;  // the line of the first check line (kBase has 10 lines)

CheckSpec OnlyCheck(const std::string& checks) {
  auto spec = ParseConfig(kBase + checks, kFile, NonRoot());
  EXPECT_TRUE(spec.has_value()) << (spec ? "" : spec.error().message());
  if (!spec || spec->checks.size() != 1) return CheckSpec{};
  return spec->checks[0];
}

std::string ErrorOf(const std::string& checks) { return ParseError(kBase + checks, kFile); }
std::string At(int offset, const std::string& rest) { return ErrorAt(kFile, kFirst + offset, rest); }

TEST(CheckKindsTest, ProgramMetricsInTheirOwnUnits) {
  CheckSpec c = OnlyCheck(Lines({"[check.mem]", "metric = \"memory\"", "program = \"web\"", "crit = \"500MB\""}));
  EXPECT_EQ(c.kind, CheckKind::kMetric);
  EXPECT_EQ(c.program, "web");
  EXPECT_EQ(c.crit, 500.0 * 1024 * 1024);  // MB is 1024 x 1024, as everywhere in the config
  c = OnlyCheck(Lines({"[check.cpu]", "program = \"api:1\"", "metric = \"cpu\"", "warn = \"150%\""}));
  EXPECT_EQ(c.program, "api:1");
  EXPECT_EQ(c.warn, 150.0);
  c = OnlyCheck(Lines({"[check.fds]", "metric = \"fds\"", "program = \"web\"", "warn = 1000", "grace = \"30s\""}));
  EXPECT_EQ(c.metric, CheckMetric::kFds);
  EXPECT_EQ(c.warn, 1000.0);
  EXPECT_EQ(c.grace, seconds(30));
}

TEST(CheckKindsTest, HttpTcpCommand) {
  CheckSpec c = OnlyCheck(Lines({"[check.web]", "http = \"http://127.0.0.1:8080/health\"", "expect = 200",
                                 "body = \"ok\"", "timeout = \"2s\"", "program = \"web\"", "on_crit = \"restart\""}));
  EXPECT_EQ(c.kind, CheckKind::kHttp);
  EXPECT_EQ(c.probe->url, "http://127.0.0.1:8080/health");
  EXPECT_EQ(c.probe->expect_status, 200);
  EXPECT_EQ(c.probe->body_contains, "ok");
  EXPECT_EQ(c.timeout, seconds(2));
  ASSERT_EQ(c.actions->on_crit.size(), 1u);
  EXPECT_EQ(c.actions->on_crit[0].verb, CheckVerb::kRestart);
  EXPECT_EQ(c.actions->on_crit[0].programs, std::vector<std::string>{"web"});
  c = OnlyCheck(Lines({"[check.db]", "tcp = \"127.0.0.1:5432\""}));
  EXPECT_EQ(c.kind, CheckKind::kTcp);
  EXPECT_EQ(c.probe->address, "127.0.0.1:5432");
  EXPECT_EQ(c.timeout, seconds(10));
  c = OnlyCheck(Lines({"[check.disk]", "command = \"/usr/lib/nagios/plugins/check_disk -w '10%' -p /\""}));
  EXPECT_EQ(c.kind, CheckKind::kCommand);
  EXPECT_EQ(c.probe->argv, (std::vector<std::string>{"/usr/lib/nagios/plugins/check_disk", "-w", "10%", "-p", "/"}));
  c = OnlyCheck(Lines({"[check.d]", "command = [\"check_dummy\", \"0\"]"}));
  EXPECT_EQ(c.probe->argv, (std::vector<std::string>{"check_dummy", "0"}));
}

TEST(CheckKindsTest, FileAndProcess) {
  CheckSpec c = OnlyCheck(
      Lines({"[check.backup]", "file = \"/var/backups/stamp\"", "max_age = \"26h\"", "warn_age = \"25h\"",
             "max_size = \"1GB\""}));
  EXPECT_EQ(c.kind, CheckKind::kFile);
  EXPECT_EQ(c.path, "/var/backups/stamp");
  EXPECT_EQ(c.probe->max_age, hours(26));
  EXPECT_EQ(c.probe->warn_age, hours(25));
  EXPECT_EQ(c.probe->max_size, 1024u * 1024 * 1024);
  c = OnlyCheck(Lines({"[check.ff]", "process = { name = \"ffmpeg\", command = \"-i .*\\\\.mkv\" }",
                       "max_runtime = \"6h\"", "stalled = \"30m\"", "on_crit = [\"top\", \"kill\"]"}));
  EXPECT_EQ(c.kind, CheckKind::kProcess);
  EXPECT_EQ(c.probe->process.name, "ffmpeg");
  EXPECT_EQ(c.probe->process.command, "-i .*\\.mkv");
  EXPECT_EQ(c.probe->process.max_runtime, hours(6));
  EXPECT_EQ(c.probe->process.stalled, minutes(30));
  EXPECT_FALSE(c.probe->process.min_count.has_value());
  ASSERT_EQ(c.actions->on_crit.size(), 2u);
  EXPECT_EQ(c.actions->on_crit[1].verb, CheckVerb::kKill);
  // Without a condition, the question is whether one runs at all.
  c = OnlyCheck(Lines({"[check.cron]", "process = \"cron\""}));
  EXPECT_EQ(c.probe->process.min_count, 1);
}

TEST(CheckKindsTest, ActionsAndGuards) {
  const CheckSpec c = OnlyCheck(Lines({
      "[check.root]",
      "metric = \"disk\"",
      "path = \"/\"",
      "warn = 90",
      "crit = 95",
      "on_warn = \"exec /usr/local/bin/page-me 'disk filling'\"",
      "on_crit = [\"run cleanup\", \"signal HUP api\", \"stop web\"]",
      "on_recovery = \"restart api:0\"",
      "cooldown = \"10m\"",
      "limit = \"3 in 1h\"",
  }));
  ASSERT_EQ(c.actions->on_warn.size(), 1u);
  EXPECT_EQ(c.actions->on_warn[0].verb, CheckVerb::kExec);
  EXPECT_EQ(c.actions->on_warn[0].argv, (std::vector<std::string>{"/usr/local/bin/page-me", "disk filling"}));
  ASSERT_EQ(c.actions->on_crit.size(), 3u);
  EXPECT_EQ(c.actions->on_crit[0].task, "cleanup");
  EXPECT_EQ(c.actions->on_crit[1].signo, 1);
  EXPECT_EQ(c.actions->on_crit[1].programs, (std::vector<std::string>{"api:0", "api:1"}));
  EXPECT_EQ(c.actions->on_crit[2].programs, std::vector<std::string>{"web"});
  EXPECT_EQ(c.actions->on_crit[2].text, "stop web");
  EXPECT_EQ(c.actions->on_recovery[0].programs, std::vector<std::string>{"api:0"});
  EXPECT_EQ(c.actions->cooldown, minutes(10));
  EXPECT_EQ(c.actions->limit, 3);
  EXPECT_EQ(c.actions->limit_window, hours(1));
}

TEST(CheckKindsTest, OneKindPerCheck) {
  EXPECT_EQ(ErrorOf(Lines({"[check.x]", "every = \"1m\""})),
            At(0, "check.x: needs one of metric, http, tcp, command, file or process"));
  EXPECT_EQ(ErrorOf(Lines({"[check.x]", "tcp = \"a:1\"", "http = \"http://a/\""})),
            At(2, "check.x.http: a check has one kind, and this one is already a tcp check; make another "
                  "[check.NAME] for it"));
  EXPECT_EQ(ErrorOf(Lines({"[check.x]", "tcp = \"a:1\"", "warn = 80"})),
            At(2, "check.x.warn: only applies to metric checks (this is a tcp check)"));
  EXPECT_EQ(ErrorOf(Lines({"[check.x]", "file = \"/a\"", "timeout = \"1s\""})),
            At(2, "check.x.timeout: only applies to http, tcp, command checks (this is a file check)"));
}

TEST(CheckKindsTest, BadTargets) {
  EXPECT_NE(ErrorOf(Lines({"[check.x]", "http = \"ftp://a/\""})).find(At(1, "check.x.http: ")), std::string::npos);
  EXPECT_NE(ErrorOf(Lines({"[check.x]", "http = \"http://:80/\""})).find(At(1, "check.x.http: ")), std::string::npos);
  EXPECT_NE(ErrorOf(Lines({"[check.x]", "tcp = \"localhost\""})).find(At(1, "check.x.tcp: ")), std::string::npos);
  EXPECT_NE(ErrorOf(Lines({"[check.x]", "tcp = \"a:70000\""})).find(At(1, "check.x.tcp: ")), std::string::npos);
  EXPECT_EQ(ErrorOf(Lines({"[check.x]", "command = []"})), At(1, "check.x.command: empty command"));
  EXPECT_EQ(ErrorOf(Lines({"[check.x]", "file = \"stamp\""})),
            At(1, "check.x.file: must be an absolute path such as \"/var/run/backup.stamp\", got \"stamp\""));
  EXPECT_EQ(ErrorOf(Lines({"[check.x]", "http = \"http://a/\"", "expect = 99"})),
            At(2, "check.x.expect: must be between 100 and 599, got 99"));
  EXPECT_EQ(ErrorOf(Lines({"[check.x]", "process = \"averyveryverylongname\""})).substr(0, 73),
            At(1, "check.x.process: process names are at most 15 bytes"));
  EXPECT_NE(ErrorOf(Lines({"[check.x]", "process = { command = \"(\" }"}))
                .find(At(1, "check.x.process.command: bad regex: ")),
            std::string::npos);
  EXPECT_EQ(ErrorOf(Lines({"[check.x]", "process = {}"})),
            At(1, "check.x.process: must say which processes: name, command or user"));
  EXPECT_EQ(ErrorOf(Lines({"[check.x]", "process = \"a\"", "min_count = 3", "max_count = 2"})),
            At(3, "check.x.max_count: must not be below min_count (3)"));
}

TEST(CheckKindsTest, ProgramsMustExistAndBeOne) {
  EXPECT_EQ(ErrorOf(Lines({"[check.x]", "program = \"nope\"", "tcp = \"a:1\""})),
            At(1, "check.x.program: unknown program \"nope\""));
  EXPECT_EQ(ErrorOf(Lines({"[check.x]", "program = \"api\"", "tcp = \"a:1\""})),
            At(1, "check.x.program: \"api\" has 2 instances and a check watches one; name one, such as \"api:0\""));
  EXPECT_EQ(ErrorOf(Lines({"[check.x]", "metric = \"fds\"", "warn = 5"})),
            At(1, "check.x.metric: \"fds\" is of a program: add program = \"NAME\""));
  EXPECT_EQ(ErrorOf(Lines({"[check.x]", "metric = \"load\"", "program = \"web\"", "warn = 5"})),
            At(1, "check.x.metric: \"load\" is of the machine, not of a program (a program has \"cpu\", \"memory\", "
                  "\"fds\", \"processes\" or \"uptime\"); leave out program"));
  // A program's memory is a size, not a share of the machine's.
  EXPECT_NE(ErrorOf(Lines({"[check.x]", "metric = \"memory\"", "program = \"web\"", "warn = \"80%\""}))
                .find(At(3, "check.x.warn: ")),
            std::string::npos);
  EXPECT_EQ(ErrorOf(Lines({"[check.x]", "tcp = \"a:1\"", "grace = \"1m\""})),
            At(2, "check.x.grace: is the time a program gets after it starts; set program = \"NAME\" too"));
}

TEST(CheckKindsTest, BadActions) {
  const std::string disk = Lines({"[check.x]", "metric = \"disk\"", "path = \"/\"", "warn = 90"});
  auto error = [&](const std::string& line) { return ErrorOf(disk + line + "\n"); };
  EXPECT_EQ(error("on_crit = \"restart\""),
            At(4, "check.x.on_crit: \"restart\" needs a program: name it (\"restart web\") or set program = \"web\" "
                  "on the check"));
  EXPECT_EQ(error("on_crit = \"restart nope\""), At(4, "check.x.on_crit: unknown program \"nope\""));
  EXPECT_EQ(error("on_crit = [\"top\", \"run nope\"]"), At(4, "check.x.on_crit[1]: unknown task \"nope\""));
  EXPECT_EQ(error("on_crit = \"run\""), At(4, "check.x.on_crit: \"run\" needs one task name, such as \"run cleanup\""));
  EXPECT_EQ(error("on_crit = \"signal\""), At(4, "check.x.on_crit: \"signal\" needs a signal, such as \"signal HUP\""));
  EXPECT_EQ(error("on_crit = \"signal NOPE web\""), At(4, "check.x.on_crit: unknown signal \"NOPE\" (expected a name like \"TERM\" or \"SIGHUP\", or a number)"));
  EXPECT_EQ(error("on_crit = \"kill\""),
            At(4, "check.x.on_crit: \"kill\" is for process checks (it kills the processes they matched)"));
  EXPECT_EQ(error("on_crit = \"top 5\""), At(4, "check.x.on_crit: \"top\" takes nothing after it"));
  EXPECT_EQ(error("on_crit = \"exec\""),
            At(4, "check.x.on_crit: \"exec\" needs a command, such as \"exec /usr/local/bin/page-me\""));
  EXPECT_EQ(error("on_crit = \"reboot\"").substr(0, 60), At(4, "check.x.on_crit: expected an action such as").substr(0, 60));
  EXPECT_EQ(error("on_recovery = \"top\""),
            At(4, "check.x.on_recovery: \"top\" needs something wrong to act on, so it cannot be on_recovery"));
  EXPECT_EQ(error("on_crit = 5").substr(0, 60), At(4, "check.x.on_crit: expected an action such as").substr(0, 60));
  EXPECT_EQ(error("limit = \"3 per hour\""),
            At(4, "check.x.limit: expected \"N in DURATION\" such as \"3 in 1h\", got \"3 per hour\""));
  EXPECT_EQ(error("limit = \"0 in 1h\""),
            At(4, "check.x.limit: expected 1 to 1000 actions in a duration above 0, got \"0 in 1h\""));
}

TEST(CheckKindsTest, ProgramShorthandsMakeOneCheckPerInstance) {
  auto spec = ParseConfig(Lines({
                              "[program.api]",
                              "command = [\"/bin/api\"]",
                              "instances = 2",
                              "health = { http = \"http://127.0.0.1:8080/health\", every = \"30s\", fails = 3 }",
                              "memory_limit = \"500MB\"",
                              "[program.web]",
                              "command = [\"/bin/web\"]",
                              "memory_limit = { max = \"1GB\", for = \"2m\", every = \"10s\" }",
                              "health = { tcp = \"127.0.0.1:80\", grace = \"20s\" }",
                          }),
                          kFile, NonRoot());
  ASSERT_TRUE(spec.has_value()) << spec.error().message();
  ASSERT_EQ(spec->checks.size(), 6u);
  const CheckSpec& health = spec->checks[0];
  EXPECT_EQ(health.name, "api:0.health");
  EXPECT_EQ(health.kind, CheckKind::kHttp);
  EXPECT_EQ(health.program, "api:0");
  EXPECT_EQ(health.every, seconds(30));
  EXPECT_EQ(health.for_count, 3);
  EXPECT_EQ(health.for_within, 3);
  ASSERT_EQ(health.actions->on_crit.size(), 1u);
  EXPECT_EQ(health.actions->on_crit[0].programs, std::vector<std::string>{"api:0"});
  const CheckSpec& memory = spec->checks[1];
  EXPECT_EQ(memory.name, "api:0.memory_limit");
  EXPECT_EQ(memory.metric, CheckMetric::kMemory);
  EXPECT_EQ(memory.crit, 500.0 * 1024 * 1024);
  EXPECT_EQ(memory.for_count, 3);
  EXPECT_EQ(spec->checks[2].name, "api:1.health");
  EXPECT_EQ(spec->checks[4].name, "web.health");
  EXPECT_EQ(spec->checks[4].grace, seconds(20));
  EXPECT_EQ(spec->checks[5].name, "web.memory_limit");
  EXPECT_EQ(spec->checks[5].for_duration, minutes(2));
  EXPECT_EQ(spec->checks[5].every, seconds(10));
}

TEST(CheckKindsTest, MaxRuntimeRestartsAProgramThatRunsTooLong) {
  auto spec = ParseConfig(Lines({"[program.job]", "command = [\"/bin/job\"]", "max_runtime = \"6h\"",
                                 "[check.up]", "metric = \"uptime\"", "program = \"job\"", "warn = \"1d\""}),
                          kFile, NonRoot());
  ASSERT_TRUE(spec.has_value()) << spec.error().message();
  ASSERT_EQ(spec->checks.size(), 2u);
  EXPECT_EQ(spec->checks[0].warn, 86400.0);
  const CheckSpec& c = spec->checks[1];
  EXPECT_EQ(c.name, "job.max_runtime");
  EXPECT_EQ(c.metric, CheckMetric::kUptime);
  EXPECT_EQ(c.crit, 6.0 * 3600);
  EXPECT_EQ(c.every, std::chrono::minutes(1));
  ASSERT_EQ(c.actions->on_crit.size(), 1u);
  EXPECT_EQ(c.actions->on_crit[0].verb, CheckVerb::kRestart);
  EXPECT_EQ(ParseError(Lines({"[program.job]", "command = [\"/bin/job\"]", "max_runtime = \"soon\""}), kFile)
                .substr(0, 45),
            ErrorAt(kFile, 3, "program.job.max_runtime: ").substr(0, 45));
}

TEST(CheckKindsTest, BadShorthands) {
  auto error = [](const std::string& line) {
    return ParseError(Lines({"[program.web]", "command = [\"/bin/web\"]", line}), kFile);
  };
  EXPECT_EQ(error("health = { fails = 3 }"), ErrorAt(kFile, 3, "program.web.health: needs http, tcp or command: what to probe"));
  EXPECT_EQ(error("health = { http = \"http://a/\", fails = 0 }"),
            ErrorAt(kFile, 3, "program.web.health.fails: must be between 1 and 100, got 0"));
  EXPECT_EQ(error("health = { http = \"http://a/\", warn = 3 }"),
            ErrorAt(kFile, 3,
                    "program.web.health.warn: unknown key (expected one of: http, tcp, command, expect, body, "
                    "tls_verify, ca_file, timeout, every, grace, fails)"));
  EXPECT_NE(error("health = { http = \"ftp://a/\" }").find(ErrorAt(kFile, 3, "program.web.health.http: ")),
            std::string::npos);
  EXPECT_EQ(error("health = \"http://a/\"").substr(0, 60),
            ErrorAt(kFile, 3, "program.web.health: expected a table like").substr(0, 60));
  EXPECT_NE(error("memory_limit = \"lots\"").find(ErrorAt(kFile, 3, "program.web.memory_limit: ")), std::string::npos);
  EXPECT_EQ(error("memory_limit = { for = \"2m\" }"),
            ErrorAt(kFile, 3, "program.web.memory_limit: missing required key \"max\""));
  EXPECT_EQ(error("memory_limit = 0"), ErrorAt(kFile, 3, "program.web.memory_limit: must be greater than 0"));
  EXPECT_EQ(ParseError(Lines({"[program.web]", "command = [\"/bin/web\"]", "memory_limit = \"1GB\"",
                              "[check.\"web.memory_limit\"]", "metric = \"cpu\"", "warn = 80"}),
                       kFile),
            ErrorAt(kFile, 3,
                    "program.web.memory_limit: makes the check \"web.memory_limit\", which a [check] table already "
                    "defines"));
}

}  // namespace
}  // namespace vigil::config
