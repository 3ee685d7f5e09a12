// SPDX-License-Identifier: MIT
// Tests for the command handlers against a fake Client: requests sent, output, exit codes.
#include "cli/commands.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/exit_codes.h"
#include "cli/fake_client_test_util.h"

namespace vigil::cli {
namespace {

using nlohmann::json;

constexpr char kPrograms[] =
    R"({"programs":[)"
    R"({"name":"web:0","state":"RUNNING","want":"up","pid":101,"uptime_ms":5000,"restarts":0,"last_exit":"","reason":""},)"
    R"({"name":"web:1","state":"RUNNING","want":"up","pid":102,"uptime_ms":5000,"restarts":1,"last_exit":"","reason":""},)"
    R"({"name":"cron","state":"STOPPED","want":"down","pid":0,"uptime_ms":-1,"restarts":0,"last_exit":"exit 0","reason":"stopped by user"}]})";

class CommandsTest : public ::testing::Test {
 protected:
  int Run(Invocation inv) {
    Context ctx{client_, "/run/test/vigil.sock", out_, err_, false};
    return RunCommand(inv, ctx);
  }
  static Invocation Make(std::string command, std::vector<std::string> names = {}) {
    Invocation inv;
    inv.command = std::move(command);
    inv.names = std::move(names);
    return inv;
  }
  json SentBody(size_t i = 0) { return json::parse(client_.requests.at(i).body); }

  FakeClient client_;
  std::ostringstream out_, err_;
};

TEST_F(CommandsTest, StatusPrintsTable) {
  client_.Reply(200, kPrograms);
  EXPECT_EQ(Run(Make("status")), kExitOk);
  ASSERT_EQ(client_.requests.size(), 1u);
  EXPECT_EQ(client_.requests[0].method, HttpMethod::kGet);
  EXPECT_EQ(client_.requests[0].target, "/v1/programs");
  EXPECT_EQ(out_.str(),
            "NAME   STATE    PID  UPTIME  RESTARTS  REASON\n"
            "web:0  RUNNING  101  5s      0\n"
            "web:1  RUNNING  102  5s      1\n"
            "cron   STOPPED  -    -       0         stopped by user; last exit: exit 0\n");
  EXPECT_EQ(err_.str(), "");
}

TEST_F(CommandsTest, StatusJsonIsTheReplyUnchanged) {
  client_.Reply(200, kPrograms);
  Invocation inv = Make("status");
  inv.json = true;
  EXPECT_EQ(Run(inv), kExitOk);
  EXPECT_EQ(out_.str(), std::string(kPrograms) + "\n");
}

// Names are resolved by vigild ("web" is every instance of web), once for every command.
TEST_F(CommandsTest, StatusNamesAreResolvedByVigild) {
  client_.Reply(200, kPrograms);
  Invocation inv = Make("status", {"cron", "web"});
  inv.json = true;
  EXPECT_EQ(Run(inv), kExitOk);
  EXPECT_EQ(client_.requests[0].target, "/v1/programs?names=cron%2Cweb");
  EXPECT_EQ(out_.str(), std::string(kPrograms) + "\n");
}

TEST_F(CommandsTest, StatusOfUnknownNameFails) {
  client_.Reply(404, R"({"error":"unknown program: nope"})");
  EXPECT_EQ(Run(Make("status", {"web:1", "nope", "we"})), kExitFailed);
  EXPECT_EQ(err_.str(), "vigil: unknown program: nope\n");
  EXPECT_EQ(out_.str(), "");
}

TEST_F(CommandsTest, UnreachableDaemonExitsThree) {
  client_.Fail(base::Status::Unavailable("No such file or directory"));
  EXPECT_EQ(Run(Make("status")), kExitUnreachable);
  EXPECT_EQ(err_.str(),
            "vigil: cannot reach vigild at /run/test/vigil.sock: No such file or directory "
            "(is vigild running?)\n");
}

TEST_F(CommandsTest, TransportErrorAfterConnectExitsOne) {
  client_.Fail(base::Status::IoError("no reply from vigild within 30s"));
  EXPECT_EQ(Run(Make("reload")), kExitFailed);
  EXPECT_EQ(err_.str(), "vigil: no reply from vigild within 30s\n");
}

TEST_F(CommandsTest, StartWaitsWithoutClientTimeout) {
  client_.Reply(200, R"({"ok":true,"programs":[{"name":"web","state":"RUNNING","pid":1234}]})");
  EXPECT_EQ(Run(Make("start", {"web"})), kExitOk);
  ASSERT_EQ(client_.requests.size(), 1u);
  EXPECT_EQ(client_.requests[0].method, HttpMethod::kPost);
  EXPECT_EQ(client_.requests[0].target, "/v1/start");
  EXPECT_FALSE(client_.requests[0].timeout.has_value());
  EXPECT_EQ(SentBody(), (json{{"programs", {"web"}}, {"wait", true}}));
  EXPECT_EQ(out_.str(), "web: RUNNING (pid 1234)\n");
}

TEST_F(CommandsTest, StopAndRestartNoWaitUseTimeout) {
  client_.Reply(200, R"({"ok":true,"programs":[{"name":"a","state":"STOPPING","pid":7},)"
                     R"({"name":"b","state":"STOPPED","pid":0}]})");
  Invocation inv = Make("stop", {"all"});
  inv.no_wait = true;
  EXPECT_EQ(Run(inv), kExitOk);
  EXPECT_EQ(client_.requests[0].target, "/v1/stop");
  EXPECT_TRUE(client_.requests[0].timeout.has_value());
  EXPECT_EQ(SentBody(), (json{{"programs", {"all"}}, {"wait", false}}));
  EXPECT_EQ(out_.str(), "a: STOPPING (pid 7)\nb: STOPPED\n");

  client_.Reply(200, R"({"ok":true,"programs":[]})");
  inv.command = "restart";
  EXPECT_EQ(Run(inv), kExitOk);
  EXPECT_EQ(client_.requests[1].target, "/v1/restart");
}

TEST_F(CommandsTest, ActionFailurePrintsDaemonError) {
  client_.Reply(409, R"({"error":"web: FATAL: exited too quickly (exit 1) 5 times"})");
  EXPECT_EQ(Run(Make("restart", {"web"})), kExitFailed);
  EXPECT_EQ(err_.str(), "vigil: web: FATAL: exited too quickly (exit 1) 5 times\n");
  EXPECT_EQ(out_.str(), "");
}

TEST_F(CommandsTest, SignalNormalizesName) {
  client_.Reply(200, R"({"ok":true,"results":[{"program":"web","sent":true,"pid":7},)"
                     R"({"program":"api","sent":true,"pid":8}]})");
  Invocation inv = Make("signal", {"web", "api"});
  inv.signal = "sigusr1";
  EXPECT_EQ(Run(inv), kExitOk);
  EXPECT_EQ(client_.requests[0].target, "/v1/signal");
  EXPECT_EQ(SentBody(), (json{{"programs", {"web", "api"}}, {"signal", "USR1"}}));
  EXPECT_EQ(out_.str(), "web: sent USR1 (pid 7)\napi: sent USR1 (pid 8)\n");
}

// Regression test for issue 8, item 4: every program is reported, and one that could not
// get the signal makes the command fail without hiding the others.
TEST_F(CommandsTest, SignalReportsEachProgram) {
  client_.Reply(200, R"x({"ok":false,"results":[{"program":"db","sent":false,)x"
                     R"x("error":"db has no running process (STOPPED)"},)x"
                     R"x({"program":"web:0","sent":true,"pid":11},{"program":"web:1","sent":true,"pid":12}]})x");
  Invocation inv = Make("signal", {"all"});
  inv.signal = "HUP";
  EXPECT_EQ(Run(inv), kExitFailed);
  EXPECT_EQ(out_.str(), "web:0: sent HUP (pid 11)\nweb:1: sent HUP (pid 12)\n");
  EXPECT_EQ(err_.str(), "vigil: db has no running process (STOPPED)\n");
}

TEST(NormalizeSignalNameTest, StripsSigAndUppercases) {
  EXPECT_EQ(NormalizeSignalName("HUP"), "HUP");
  EXPECT_EQ(NormalizeSignalName("hup"), "HUP");
  EXPECT_EQ(NormalizeSignalName("SIGTERM"), "TERM");
  EXPECT_EQ(NormalizeSignalName("15"), "15");
  EXPECT_EQ(NormalizeSignalName("SIG"), "SIG");
}

TEST_F(CommandsTest, LogsPrintsLines) {
  client_.Reply(200, R"({"lines":["one","two"]})");
  Invocation inv = Make("logs");
  inv.name = "web:0";
  inv.lines = 2;
  EXPECT_EQ(Run(inv), kExitOk);
  EXPECT_EQ(client_.requests[0].target, "/v1/programs/web%3A0/logs?stream=stdout&lines=2");
  EXPECT_EQ(out_.str(), "one\ntwo\n");
}

TEST_F(CommandsTest, LogsFollowStreamsPieces) {
  client_.Reply(200, "");
  client_.stream_pieces = {"a\nb", "\nc\n"};
  Invocation inv = Make("logs");
  inv.name = "web";
  inv.follow = true;
  inv.stderr_stream = true;
  EXPECT_EQ(Run(inv), kExitOk);
  EXPECT_EQ(client_.requests[0].target, "/v1/programs/web/logs?stream=stderr&lines=20&follow=1");
  EXPECT_EQ(out_.str(), "a\nb\nc\n");
  EXPECT_EQ(err_.str(), "");
}

TEST_F(CommandsTest, LogsFollowNotesStreamClosedByDaemon) {
  client_.replies.push_back(HttpResponse{200, "", /*ended_early=*/true});
  client_.stream_pieces = {"last\n"};
  Invocation inv = Make("logs");
  inv.name = "web";
  inv.follow = true;
  EXPECT_EQ(Run(inv), kExitOk);
  EXPECT_EQ(out_.str(), "last\n");
  EXPECT_EQ(err_.str(), "vigil: vigild closed the log stream\n");
}

TEST_F(CommandsTest, LogsFollowOfUnknownProgramFails) {
  client_.Reply(404, R"({"error":"unknown program nope"})");
  Invocation inv = Make("logs");
  inv.name = "nope";
  inv.follow = true;
  EXPECT_EQ(Run(inv), kExitFailed);
  EXPECT_EQ(err_.str(), "vigil: unknown program nope\n");
}

TEST_F(CommandsTest, ReloadSummarizesOrReportsConfigError) {
  client_.Reply(200, R"({"ok":true,"added":["new"],"removed":[],"changed":["web"],)"
                     R"("unchanged":["a","b"]})");
  EXPECT_EQ(Run(Make("reload")), kExitOk);
  EXPECT_EQ(client_.requests[0].method, HttpMethod::kPost);
  EXPECT_EQ(client_.requests[0].target, "/v1/reload");
  EXPECT_EQ(out_.str(), "added: new\nchanged: web\n2 unchanged\n");

  client_.Reply(400, R"({"error":"/etc/vigil.toml:12: program.web.command: must not be empty"})");
  EXPECT_EQ(Run(Make("reload")), kExitFailed);
  EXPECT_EQ(err_.str(), "vigil: /etc/vigil.toml:12: program.web.command: must not be empty\n");
}

TEST_F(CommandsTest, ReloadListsChangedTasks) {
  client_.Reply(200, R"({"ok":true,"added":[],"removed":[],"changed":[],"unchanged":["web"],)"
                     R"("tasks":{"added":[],"removed":[],"changed":["backup"],"unchanged":["a"]}})");
  EXPECT_EQ(Run(Make("reload")), kExitOk);
  EXPECT_EQ(out_.str(), "tasks changed: backup\n2 unchanged\n");
}

TEST_F(CommandsTest, ShutdownAccepted) {
  client_.Reply(202, R"({"ok":true})");
  EXPECT_EQ(Run(Make("shutdown")), kExitOk);
  EXPECT_EQ(client_.requests[0].target, "/v1/shutdown");
  EXPECT_EQ(out_.str(), "vigild is shutting down\n");
}

TEST_F(CommandsTest, VersionShowsBothSides) {
  client_.Reply(200, R"({"version":"0.1.0","pid":77,"started_at_ms":1,"config_path":"/c.toml",)"
                     R"("socket":"/s","log_dir":"/l","state_dir":"/st","problems":["disk full"]})");
  EXPECT_EQ(Run(Make("version")), kExitOk);
  EXPECT_EQ(client_.requests[0].target, "/v1/info");
  EXPECT_NE(out_.str().find("vigil "), std::string::npos);
  EXPECT_NE(out_.str().find("vigild 0.1.0 (pid 77)\nconfig: /c.toml\nproblem: disk full\n"),
            std::string::npos);
}

TEST_F(CommandsTest, VersionPrintsOwnVersionEvenWhenUnreachable) {
  client_.Fail(base::Status::Unavailable("Connection refused"));
  EXPECT_EQ(Run(Make("version")), kExitUnreachable);
  EXPECT_EQ(out_.str().rfind("vigil ", 0), 0u);
}

TEST_F(CommandsTest, InvalidJsonReplyFails) {
  client_.Reply(200, "<html>");
  EXPECT_EQ(Run(Make("status")), kExitFailed);
  EXPECT_NE(err_.str().find("unexpected reply"), std::string::npos);
}

TEST_F(CommandsTest, UnknownCommandIsUsageError) { EXPECT_EQ(Run(Make("nope")), kExitUsage); }

}  // namespace
}  // namespace vigil::cli
