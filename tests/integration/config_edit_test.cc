// SPDX-License-Identifier: MIT
// End-to-end: the config editor's routes on the real vigild over its unix socket: read a
// program's section, validate a bad edit, refuse a stale save, and save a good one, which
// keeps a backup and restarts only the program edited.
#include <fmt/format.h>

#include "harness.h"

namespace vigil::testing {
namespace {

using nlohmann::json;

class ConfigEditTest : public VigilTest {
 protected:
  std::string Prog(const std::string& name, const std::string& arg) {
    return fmt::format("[program.{}]\ncommand = [\"{}\", \"print\", \"{}\"]\nstart_seconds = \"100ms\"\n", name,
                       Child(), arg);
  }
  std::pair<int, json> Call(const std::string& method, const std::string& path, const json& body = nullptr) {
    auto [status, text] = Http(method, path, body.is_null() ? "" : body.dump());
    return {status, json::parse(text, nullptr, false)};
  }
  std::vector<std::filesystem::path> Backups() {
    std::vector<std::filesystem::path> out;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(dir_ / "state" / "config-backups", ec)) {
      out.push_back(e.path());
    }
    return out;
  }
};

TEST_F(ConfigEditTest, ReadsValidatesAndSavesOneProgramsSection) {
  WriteConfig(Prog("web", "first") + "\n# The worker.\n" + Prog("worker", "w"));
  StartDaemon();
  ASSERT_TRUE(WaitForState("web", "RUNNING"));
  ASSERT_TRUE(WaitForState("worker", "RUNNING"));
  const int web_pid = Program("web")["pid"];
  const int worker_pid = Program("worker")["pid"];
  const std::string original = ReadFile(config_);

  // Read: the section as written, where it starts (after WriteConfig's 4-line [vigil]
  // table and a blank line), and the file's revision.
  auto [status, view] = Call("GET", "/v1/programs/web/config");
  ASSERT_EQ(status, 200) << view.dump();
  EXPECT_EQ(view["program"], "web");
  EXPECT_EQ(view["file"], config_.string());
  EXPECT_EQ(view["line"], 6);
  EXPECT_EQ(view["toml"], Prog("web", "first"));
  EXPECT_EQ(view["read_only"], false);
  const std::string revision = view["revision"];
  ASSERT_EQ(revision.size(), 64u);

  // Validate an invalid edit: the error is at its line of the submitted text.
  const std::string bad = Prog("web", "second") + "autorestart = \"sometimes\"\n";
  auto [checked, problems] = Call("POST", "/v1/programs/web/config/validate", json{{"toml", bad}});
  ASSERT_EQ(checked, 200) << problems.dump();
  EXPECT_EQ(problems["valid"], false);
  ASSERT_EQ(problems["errors"].size(), 1u) << problems.dump();
  EXPECT_EQ(problems["errors"][0]["line"], 4);
  EXPECT_EQ(problems["errors"][0]["outside"], false);
  EXPECT_EQ(problems["errors"][0]["key"], "program.web.autorestart");
  EXPECT_EQ(ReadFile(config_), original);

  // A save of an invalid edit, or with a stale revision, changes nothing.
  auto [refused, errors] = Call("PUT", "/v1/programs/web/config", json{{"toml", bad}, {"revision", revision}});
  EXPECT_EQ(refused, 400) << errors.dump();
  EXPECT_EQ(errors["errors"][0]["line"], 4);
  const std::string good = Prog("web", "second");
  auto [stale, current] =
      Call("PUT", "/v1/programs/web/config", json{{"toml", good}, {"revision", std::string(64, '0')}});
  EXPECT_EQ(stale, 409) << current.dump();
  EXPECT_EQ(current["revision"], revision);
  EXPECT_EQ(ReadFile(config_), original);
  EXPECT_TRUE(Backups().empty());

  // A good save: the file has the new section, the old file is kept, and the reload
  // restarts web with its new command and leaves the worker alone.
  auto [saved, result] = Call("PUT", "/v1/programs/web/config", json{{"toml", good}, {"revision", revision}});
  ASSERT_EQ(saved, 200) << result.dump();
  const std::string updated = ReadFile(config_);
  EXPECT_NE(updated.find("\"print\", \"second\""), std::string::npos) << updated;
  EXPECT_NE(updated.find("# The worker.\n" + Prog("worker", "w")), std::string::npos) << updated;
  EXPECT_NE(result["revision"], revision);
  EXPECT_EQ(result["reload"]["ok"], true);
  EXPECT_EQ(result["reload"]["changed"], json::array({"web"}));
  EXPECT_EQ(result["reload"]["unchanged"], json::array({"worker"}));
  const std::vector<std::filesystem::path> backups = Backups();
  ASSERT_EQ(backups.size(), 1u);
  EXPECT_EQ(result["backup"], backups[0].string());
  EXPECT_EQ(ReadFile(backups[0]), original);

  EXPECT_TRUE(WaitFor([&] {
    json web = Program("web");
    return web.value("state", "") == "RUNNING" && web.value("pid", 0) != web_pid;
  }));
  EXPECT_TRUE(WaitFor([&] { return ReadFile(log_dir_ / "web.out.log").find("second\n") != std::string::npos; }));
  EXPECT_EQ(Program("worker")["pid"], worker_pid);

  // What is read next is the new file.
  auto [again, next] = Call("GET", "/v1/programs/web/config");
  ASSERT_EQ(again, 200);
  EXPECT_EQ(next["revision"], result["revision"]);
  EXPECT_EQ(next["toml"], good);
}

TEST_F(ConfigEditTest, InstancesMapToTheirProgramAndUnknownNamesAre404) {
  WriteConfig(Prog("web", "x") + "instances = 2\n");
  StartDaemon();
  auto [status, view] = Call("GET", "/v1/programs/web:1/config");
  ASSERT_EQ(status, 200) << view.dump();
  EXPECT_EQ(view["program"], "web");
  EXPECT_EQ(Call("GET", "/v1/programs/nope/config").first, 404);
}

}  // namespace
}  // namespace vigil::testing
