// SPDX-License-Identifier: MIT
// The config editor's routes through Router::Handle with a FakeController: names, callers,
// bodies and every answer's shape (the editing itself is daemon/config_editor_test.cc's).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <optional>

#include "api/fake_controller_test_util.h"
#include "api/router.h"

namespace vigil::api {
namespace {

using nlohmann::json;

struct Answer {
  bool answered = false;
  int status = 0;
  json body;
};

class ConfigRoutesTest : public ::testing::Test {
 protected:
  ConfigRoutesTest() {
    fake_.programs = {Program("web:0"), Program("web:1"), Program("db")};
    fake_.program_config = ProgramConfigView{"web", "/etc/vigil/vigil.toml", 12, "abc", "[program.web]\n"};
  }
  static ProgramInfo Program(const std::string& name) {
    ProgramInfo p;
    p.name = name;
    return p;
  }

  Answer Send(const std::string& method, const std::string& target, const std::string& body = "",
              CallerContext caller = {}) {
    Answer a;
    router_.Handle(
        method, target, body,
        [&a](Response r) {
          a.answered = true;
          a.status = r.status;
          a.body = json::parse(r.body, nullptr, false);
        },
        caller);
    return a;
  }

  FakeController fake_;
  Router router_{fake_, nullptr};
};

const CallerContext kViewer{/*read_only=*/true};

TEST_F(ConfigRoutesTest, GetAnswersTheSectionOfTheProgramOfAnInstance) {
  Answer a = Send("GET", "/v1/programs/web%3A1/config");
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(a.body, json::parse(R"({"program":"web","file":"/etc/vigil/vigil.toml","line":12,"revision":"abc",
                                    "toml":"[program.web]\n","read_only":false})"));
  ASSERT_EQ(fake_.config_reads.size(), 1u);
  EXPECT_EQ(fake_.config_reads[0], (std::pair<std::string, bool>{"web", false}));
}

TEST_F(ConfigRoutesTest, AViewerGetsSecretsHiddenAndReadOnly) {
  Answer a = Send("GET", "/v1/programs/web/config", "", kViewer);
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(a.body["read_only"], true);
  ASSERT_EQ(fake_.config_reads.size(), 1u);
  EXPECT_EQ(fake_.config_reads[0], (std::pair<std::string, bool>{"web", true}));
}

TEST_F(ConfigRoutesTest, UnknownProgramsAndAllAre404) {
  for (const char* target : {"/v1/programs/nope/config", "/v1/programs/all/config", "/v1/programs/web:7/config"}) {
    Answer a = Send("GET", target);
    EXPECT_EQ(a.status, 404) << target;
    EXPECT_TRUE(a.body["error"].is_string()) << target;
  }
  EXPECT_EQ(Send("POST", "/v1/programs/nope/config/validate", R"({"toml":""})").status, 404);
  EXPECT_EQ(Send("PUT", "/v1/programs/nope/config", R"({"toml":"","revision":"abc"})").status, 404);
  EXPECT_TRUE(fake_.config_reads.empty());
  EXPECT_TRUE(fake_.config_checks.empty());
  EXPECT_TRUE(fake_.config_saves.empty());
}

TEST_F(ConfigRoutesTest, ControllerErrorsKeepTheirStatus) {
  fake_.program_config = base::Status::Conflict("/etc/vigil/vigil.toml: there is no [program.web] table header");
  Answer a = Send("GET", "/v1/programs/web/config");
  EXPECT_EQ(a.status, 409);
  EXPECT_EQ(a.body, json({{"error", "/etc/vigil/vigil.toml: there is no [program.web] table header"}}));
  fake_.program_config = base::Status::Unavailable("cannot load OpenSSL: no libcrypto");
  EXPECT_EQ(Send("GET", "/v1/programs/web/config").status, 503);
}

TEST_F(ConfigRoutesTest, ValidateAnswersValidOrTheErrors) {
  Answer ok = Send("POST", "/v1/programs/db/config/validate", R"({"toml":"[program.db]\n"})");
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body, json({{"valid", true}}));
  ASSERT_EQ(fake_.config_checks.size(), 1u);
  EXPECT_EQ(fake_.config_checks[0], (std::pair<std::string, std::string>{"db", "[program.db]\n"}));

  fake_.config_problems = std::vector<ConfigProblem>{{3, false, "program.db.command", "must not be empty"},
                                                     {40, true, "", "syntax error: x"}};
  Answer bad = Send("POST", "/v1/programs/db/config/validate", R"({"toml":"x"})");
  EXPECT_EQ(bad.status, 200);
  EXPECT_EQ(bad.body, json::parse(R"({"valid":false,"errors":[
      {"line":3,"outside":false,"key":"program.db.command","message":"must not be empty"},
      {"line":40,"outside":true,"key":"","message":"syntax error: x"}]})"));
}

TEST_F(ConfigRoutesTest, BadBodiesAre400) {
  for (const char* body : {"", "[]", R"({"toml":1})", R"({"tmol":"x"})", R"({"toml":"x","revision":"r"})"}) {
    Answer a = Send("POST", "/v1/programs/web/config/validate", body);
    EXPECT_EQ(a.status, 400) << body;
    EXPECT_TRUE(a.body["error"].is_string()) << body;
  }
  for (const char* body : {R"({"toml":"x"})", R"({"revision":"r"})", R"({"toml":"x","revision":5})"}) {
    EXPECT_EQ(Send("PUT", "/v1/programs/web/config", body).status, 400) << body;
  }
  EXPECT_TRUE(fake_.config_checks.empty());
  EXPECT_TRUE(fake_.config_saves.empty());
}

TEST_F(ConfigRoutesTest, ViewersMayNotValidateOrSave) {
  Answer v = Send("POST", "/v1/programs/web/config/validate", R"({"toml":"x"})", kViewer);
  EXPECT_EQ(v.status, 403);
  EXPECT_EQ(v.body, json({{"error", "a viewer may only read"}}));
  EXPECT_EQ(Send("PUT", "/v1/programs/web/config", R"({"toml":"x","revision":"r"})", kViewer).status, 403);
  EXPECT_TRUE(fake_.config_checks.empty());
  EXPECT_TRUE(fake_.config_saves.empty());
}

TEST_F(ConfigRoutesTest, ASaveAnswersTheNewRevisionTheBackupAndTheReload) {
  ConfigSaveOutcome saved;
  saved.revision = "def";
  saved.backup = "/var/lib/vigil/config-backups/vigil.toml.20261118T110640.123Z";
  saved.reload = base::Result<ReloadSummary>(ReloadSummary{{{}, {}, {"web:0", "web:1"}, {"db"}}, {}});
  fake_.config_save = saved;
  fake_.finish_saves = false;
  Answer a = Send("PUT", "/v1/programs/web:0/config", R"({"toml":"[program.web]\n","revision":"abc"})");
  EXPECT_FALSE(a.answered) << "not before the reload";
  ASSERT_EQ(fake_.config_saves.size(), 1u);
  EXPECT_EQ(fake_.config_saves[0].program, "web");
  EXPECT_EQ(fake_.config_saves[0].toml, "[program.web]\n");
  EXPECT_EQ(fake_.config_saves[0].revision, "abc");
  fake_.held_save(saved);
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(a.body, json::parse(R"({"revision":"def",
      "backup":"/var/lib/vigil/config-backups/vigil.toml.20261118T110640.123Z",
      "reload":{"ok":true,"added":[],"removed":[],"changed":["web:0","web:1"],"unchanged":["db"],
                "tasks":{"added":[],"removed":[],"changed":[],"unchanged":[]}}})"));
}

TEST_F(ConfigRoutesTest, AReloadThatFailsAfterTheSaveIsReported) {
  ConfigSaveOutcome saved;
  saved.revision = "def";
  saved.reload = base::Result<ReloadSummary>(base::Status::InvalidArgument("/x.toml:3: user: unknown user"));
  fake_.config_save = saved;
  Answer a = Send("PUT", "/v1/programs/web/config", R"({"toml":"t","revision":"abc"})");
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(a.body["revision"], "def");
  EXPECT_EQ(a.body["reload"], json({{"ok", false}, {"error", "/x.toml:3: user: unknown user"}}));
}

TEST_F(ConfigRoutesTest, AStaleRevisionIs409WithTheCurrentOne) {
  ConfigSaveOutcome stale;
  stale.stale = true;
  stale.revision = "current";
  fake_.config_save = stale;
  Answer a = Send("PUT", "/v1/programs/web/config", R"({"toml":"t","revision":"old"})");
  EXPECT_EQ(a.status, 409);
  EXPECT_EQ(a.body, json({{"error", "the config file changed since it was read"}, {"revision", "current"}}));
}

TEST_F(ConfigRoutesTest, AnInvalidEditIs400WithTheErrors) {
  ConfigSaveOutcome invalid;
  invalid.revision = "abc";
  invalid.problems = {{2, false, "program.web.command", "must not be empty"}};
  fake_.config_save = invalid;
  Answer a = Send("PUT", "/v1/programs/web/config", R"({"toml":"t","revision":"abc"})");
  EXPECT_EQ(a.status, 400);
  EXPECT_EQ(a.body, json::parse(R"({"error":"the edit is not valid; the config file is unchanged","errors":[
      {"line":2,"outside":false,"key":"program.web.command","message":"must not be empty"}]})"));
}

TEST_F(ConfigRoutesTest, AFailedWriteIs500) {
  fake_.config_save = base::Status::IoError(
      "cannot write /etc/vigil/vigil.toml: No space left on device; the config file is unchanged");
  Answer a = Send("PUT", "/v1/programs/web/config", R"({"toml":"t","revision":"abc"})");
  EXPECT_EQ(a.status, 500);
  EXPECT_EQ(
      a.body,
      json({{"error", "cannot write /etc/vigil/vigil.toml: No space left on device; the config file is unchanged"}}));
}

TEST_F(ConfigRoutesTest, ASaveThatEndsAfterTheRouterIsGoneIsDropped) {
  fake_.finish_saves = false;
  bool answered = false;
  {
    Router router(fake_, nullptr);
    router.Handle("PUT", "/v1/programs/web/config", R"({"toml":"t","revision":"abc"})",
                  [&](Response) { answered = true; });
  }
  fake_.held_save(ConfigSaveOutcome{});
  EXPECT_FALSE(answered);
}

TEST_F(ConfigRoutesTest, OtherMethodsAre405) {
  Answer a = Send("DELETE", "/v1/programs/web/config");
  EXPECT_EQ(a.status, 405);
  EXPECT_EQ(Send("GET", "/v1/programs/web/config/validate").status, 405);
}

}  // namespace
}  // namespace vigil::api
