// SPDX-License-Identifier: MIT
// End-to-end: reload adds, removes and restarts exactly what changed; an invalid config
// changes nothing.
#include <fmt/format.h>

#include "harness.h"

namespace vigil::testing {
namespace {

class ReloadTest : public VigilTest {
 protected:
  std::string Prog(const std::string& name, const std::string& arg) {
    return fmt::format("[program.{}]\ncommand = [\"{}\", \"print\", \"{}\"]\nstart_seconds = \"100ms\"\n\n", name,
                       Child(), arg);
  }
};

TEST_F(ReloadTest, AddsRemovesRestartsChangedAndLeavesUnchangedAlone) {
  WriteConfig(Prog("keep", "a") + Prog("change", "b") + Prog("drop", "c"));
  StartDaemon();
  ASSERT_TRUE(WaitForState("keep", "RUNNING"));
  ASSERT_TRUE(WaitForState("change", "RUNNING"));
  ASSERT_TRUE(WaitForState("drop", "RUNNING"));
  int keep_pid = Program("keep")["pid"];
  int change_pid = Program("change")["pid"];
  int drop_pid = Program("drop")["pid"];

  WriteConfig(Prog("keep", "a") + Prog("change", "B") + Prog("added", "d"));
  auto r = Vigil({"reload"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_TRUE(WaitForState("added", "RUNNING"));
  ASSERT_TRUE(WaitFor([&] {
    auto p = Program("change");
    return p.value("state", "") == "RUNNING" && p.value("pid", 0) != change_pid;
  }));
  EXPECT_EQ(Program("keep")["pid"], keep_pid);
  EXPECT_TRUE(WaitFor([&] { return Program("drop").empty(); }));
  EXPECT_FALSE(ProcessAlive(drop_pid));
  EXPECT_FALSE(ProcessAlive(change_pid));
}

TEST_F(ReloadTest, InvalidConfigIsRejectedAndNothingChanges) {
  WriteConfig(Prog("keep", "a"));
  StartDaemon();
  ASSERT_TRUE(WaitForState("keep", "RUNNING"));
  int pid = Program("keep")["pid"];
  WriteConfig(Prog("keep", "changed") + "[program.bad]\ncommand = \"x\"\nautorestart = \"sometimes\"\n");
  auto r = Vigil({"reload"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find(config_.string() + ":"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("autorestart"), std::string::npos) << r.err;
  EXPECT_EQ(Program("keep")["pid"], pid);
  EXPECT_TRUE(Program("bad").empty());
  EXPECT_NE(ReadFile(log_dir_ / "vigild.log").find("reload rejected"), std::string::npos);
}

TEST_F(ReloadTest, SighupReloads) {
  WriteConfig(Prog("one", "a"));
  StartDaemon();
  ASSERT_TRUE(WaitForState("one", "RUNNING"));
  WriteConfig(Prog("one", "a") + Prog("two", "b"));
  ::kill(daemon_pid_, SIGHUP);
  EXPECT_TRUE(WaitForState("two", "RUNNING"));
}

}  // namespace
}  // namespace vigil::testing
