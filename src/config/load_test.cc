// SPDX-License-Identifier: MIT
// Tests for reading valid configs: defaults, paths, instances, dependencies, LoadConfig.
#include "config/load.h"

#include <grp.h>
#include <gtest/gtest.h>

#include "util/temp_dir.h"

#include "config/config_test_util.h"
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <initializer_list>

namespace vigil::config {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

constexpr const char* kFile = "/tmp/x/vigil.toml";

// Joins lines with '\n' so a test reads with its line numbers: element i is line i + 1.


UserContext Root() {
  UserContext user;
  user.uid = 0;
  user.home = "/root";
  user.xdg_runtime_dir = "/run/user/0";  // ignored for root
  return user;
}

DaemonSpec ParseOk(const std::string& text, const UserContext& user = NonRoot()) {
  auto spec = ParseConfig(text, kFile, user);
  EXPECT_TRUE(spec.has_value()) << spec.error().message();
  return spec.has_value() ? *spec : DaemonSpec{};
}

std::vector<std::string> Names(const DaemonSpec& spec) {
  std::vector<std::string> names;
  for (const ProgramSpec& p : spec.programs) names.push_back(p.name);
  return names;
}

TEST(DefaultConfigPathTest, FollowsUserAndXdg) {
  EXPECT_EQ(DefaultConfigPath(Root()), "/etc/vigil/vigil.toml");
  EXPECT_EQ(DefaultConfigPath(NonRoot()), "/home/ann/.config/vigil/vigil.toml");
  UserContext xdg = NonRoot();
  xdg.xdg_config_home = "/xdg/config";
  EXPECT_EQ(DefaultConfigPath(xdg), "/xdg/config/vigil/vigil.toml");
}

TEST(UserContextTest, FromProcessReadsTheEnvironment) {
  ASSERT_EQ(setenv("XDG_STATE_HOME", "/xdg/state", 1), 0);
  ASSERT_EQ(setenv("XDG_CONFIG_HOME", "", 1), 0);
  const UserContext user = UserContext::FromProcess();
  EXPECT_EQ(user.uid, geteuid());
  EXPECT_EQ(user.xdg_state_home, "/xdg/state");
  EXPECT_EQ(user.xdg_config_home, "");
  EXPECT_FALSE(user.home.empty());
  unsetenv("XDG_STATE_HOME");
  unsetenv("XDG_CONFIG_HOME");
}

TEST(ParseConfigTest, EmptyFileGivesNonRootDefaults) {
  const DaemonSpec spec = ParseOk("");
  EXPECT_EQ(spec.config_path, kFile);
  EXPECT_EQ(spec.state_dir, "/home/ann/.local/state/vigil");
  EXPECT_EQ(spec.log_dir, "/home/ann/.local/state/vigil/logs");
  EXPECT_EQ(spec.socket, "/tmp/vigil-1000/vigil.sock");
  EXPECT_EQ(spec.status_file, "/home/ann/.local/state/vigil/status.json");
  EXPECT_EQ(spec.event_log.max_bytes, 10u * 1024 * 1024);
  EXPECT_EQ(spec.event_log.keep, 10);
  EXPECT_TRUE(spec.programs.empty());
}

TEST(ParseConfigTest, NonRootDefaultsFollowXdg) {
  UserContext user = NonRoot();
  user.xdg_state_home = "/xdg/state";
  user.xdg_runtime_dir = "/run/user/1000";
  const DaemonSpec spec = ParseOk("", user);
  EXPECT_EQ(spec.state_dir, "/xdg/state/vigil");
  EXPECT_EQ(spec.log_dir, "/xdg/state/vigil/logs");
  EXPECT_EQ(spec.socket, "/run/user/1000/vigil/vigil.sock");
}

TEST(ParseConfigTest, RootDefaults) {
  const DaemonSpec spec = ParseOk("", Root());
  EXPECT_EQ(spec.state_dir, "/var/lib/vigil");
  EXPECT_EQ(spec.log_dir, "/var/log/vigil");
  EXPECT_EQ(spec.socket, "/run/vigil/vigil.sock");
}

TEST(ParseConfigTest, VigilTableWithRelativePaths) {
  const DaemonSpec spec = ParseOk(Lines({
      "[vigil]",
      "state_dir = \"state\"",
      "socket = \"../run/v.sock\"",
      "status_file = \"run/status.json\"",
      "log_max_size = \"1MB\"",
      "log_keep = 3",
  }));
  EXPECT_EQ(spec.state_dir, "/tmp/x/state");
  EXPECT_EQ(spec.log_dir, "/tmp/x/state/logs");  // follows the configured state_dir
  EXPECT_EQ(spec.socket, "/tmp/run/v.sock");
  EXPECT_EQ(spec.status_file, "/tmp/x/run/status.json");
  EXPECT_EQ(spec.event_log.max_bytes, 1024u * 1024);
  EXPECT_EQ(spec.event_log.keep, 3);
}

TEST(ParseConfigTest, AbsoluteLogDirIsKept) {
  const DaemonSpec spec = ParseOk(Lines({"[vigil]", "log_dir = \"/var/log/mine/\""}), Root());
  EXPECT_EQ(spec.log_dir, "/var/log/mine");  // trailing slash dropped
  EXPECT_EQ(spec.state_dir, "/var/lib/vigil");
}

TEST(ParseConfigTest, RelativeFileNameIsMadeAbsolute) {
  auto spec = ParseConfig("[vigil]\nstate_dir = \"s\"\n", "conf/vigil.toml", NonRoot());
  ASSERT_TRUE(spec.has_value()) << spec.error().message();
  EXPECT_TRUE(spec->config_path.is_absolute());
  EXPECT_EQ(spec->state_dir, spec->config_path.parent_path() / "s");
}

TEST(ParseConfigTest, ProgramDefaults) {
  const DaemonSpec spec = ParseOk(Lines({"[program.web]", "command = \"/usr/bin/web --port 80\""}));
  ASSERT_EQ(spec.programs.size(), 1u);
  const ProgramSpec& p = spec.programs[0];
  EXPECT_EQ(p.name, "web");
  EXPECT_EQ(p.table_name, "web");
  EXPECT_EQ(p.instance, 0);
  EXPECT_EQ(p.argv, (std::vector<std::string>{"/usr/bin/web", "--port", "80"}));
  EXPECT_EQ(p.directory, "");
  EXPECT_TRUE(p.environment.empty());
  EXPECT_FALSE(p.uid.has_value());
  EXPECT_FALSE(p.gid.has_value());
  EXPECT_FALSE(p.umask.has_value());
  EXPECT_TRUE(p.autostart);
  EXPECT_EQ(p.autorestart, AutoRestart::kOnFailure);
  EXPECT_EQ(p.exit_codes, std::vector<int>{0});
  EXPECT_EQ(p.start_seconds, seconds(1));
  EXPECT_EQ(p.start_retries, 5);
  EXPECT_EQ(p.backoff_initial, seconds(1));
  EXPECT_EQ(p.backoff_max, seconds(60));
  EXPECT_FALSE(p.fatal_retry_after.has_value());
  EXPECT_EQ(p.stop_signal, SIGTERM);
  EXPECT_EQ(p.stop_timeout, seconds(10));
  EXPECT_TRUE(p.kill_group);
  EXPECT_TRUE(p.depends_on.empty());
  EXPECT_EQ(p.stdout_log.max_bytes, 10u * 1024 * 1024);
  EXPECT_EQ(p.stdout_log.keep, 10);
  EXPECT_FALSE(p.stdout_log.compress);
  EXPECT_FALSE(p.stdout_log.timestamps);
  EXPECT_EQ(p.stderr_log, p.stdout_log);
  EXPECT_FALSE(p.merge_stderr);
}

TEST(ParseConfigTest, EveryProgramKey) {
  const DaemonSpec spec = ParseOk(Lines({
      "[program.api]",
      "command = [\"/srv/api\", \"--name\", \"a b\"]",
      "directory = \"app\"",
      "environment = { PORT = \"8080\", MODE = \"prod\" }",
      "user = \"root\"",
      "umask = \"027\"",
      "autostart = false",
      "autorestart = \"always\"",
      "exit_codes = [0, 2, 255]",
      "start_seconds = \"250ms\"",
      "start_retries = 0",
      "backoff = { initial = \"500ms\", max = \"2m\" }",
      "fatal_retry_after = \"1h\"",
      "stop_signal = \"INT\"",
      "stop_timeout = 30",
      "kill_group = false",
      "instances = 1",
      "merge_stderr = true",
      "[program.api.stdout]",
      "max_size = \"512KB\"",
      "keep = 0",
      "compress = true",
      "timestamps = true",
  }));
  ASSERT_EQ(spec.programs.size(), 1u);
  const ProgramSpec& p = spec.programs[0];
  EXPECT_EQ(p.argv, (std::vector<std::string>{"/srv/api", "--name", "a b"}));
  EXPECT_EQ(p.directory, "/tmp/x/app");
  EXPECT_EQ(p.environment,
            (std::map<std::string, std::string>{{"MODE", "prod"}, {"PORT", "8080"}}));
  EXPECT_EQ(p.user, "root");
  EXPECT_EQ(p.uid, 0u);
  EXPECT_EQ(p.gid, 0u);
  EXPECT_EQ(p.umask, 027u);
  EXPECT_FALSE(p.autostart);
  EXPECT_EQ(p.autorestart, AutoRestart::kAlways);
  EXPECT_EQ(p.exit_codes, (std::vector<int>{0, 2, 255}));
  EXPECT_EQ(p.start_seconds, milliseconds(250));
  EXPECT_EQ(p.start_retries, 0);
  EXPECT_EQ(p.backoff_initial, milliseconds(500));
  EXPECT_EQ(p.backoff_max, minutes(2));
  EXPECT_EQ(p.fatal_retry_after, std::chrono::hours(1));
  EXPECT_EQ(p.stop_signal, SIGINT);
  EXPECT_EQ(p.stop_timeout, seconds(30));
  EXPECT_FALSE(p.kill_group);
  EXPECT_TRUE(p.merge_stderr);
  EXPECT_EQ(p.stdout_log.max_bytes, 512u * 1024);
  EXPECT_EQ(p.stdout_log.keep, 0);
  EXPECT_TRUE(p.stdout_log.compress);
  EXPECT_TRUE(p.stdout_log.timestamps);
}

TEST(ParseConfigTest, AlternativeValueForms) {
  const DaemonSpec spec = ParseOk(Lines({
      "[program.a]",
      "command = \"sleep 1\"",
      "umask = 0o022",
      "stop_signal = 9",
      "start_seconds = 0",
      "stderr = { max_size = 4096, keep = 2 }",
      "user = 0",
      "group = \"0\"",
      "[program.b]",
      "command = \"sleep 1\"",
      "umask = 0",
      "stop_signal = \"sigusr1\"",
      "start_seconds = \"0\"",
  }));
  ASSERT_EQ(spec.programs.size(), 2u);
  EXPECT_EQ(spec.programs[0].umask, 022u);
  EXPECT_EQ(spec.programs[0].stop_signal, SIGKILL);
  EXPECT_EQ(spec.programs[0].start_seconds, seconds(0));
  EXPECT_EQ(spec.programs[0].stderr_log.max_bytes, 4096u);
  EXPECT_EQ(spec.programs[0].stderr_log.keep, 2);
  EXPECT_EQ(spec.programs[0].stdout_log.keep, 10);
  EXPECT_EQ(spec.programs[0].user, "0");
  EXPECT_EQ(spec.programs[0].uid, 0u);
  EXPECT_EQ(spec.programs[0].gid, 0u);
  EXPECT_EQ(spec.programs[1].umask, 0u);
  EXPECT_EQ(spec.programs[1].stop_signal, SIGUSR1);
}

TEST(ParseConfigTest, GroupOverridesUsersPrimaryGroup) {
  group* daemon_group = getgrnam("daemon");
  ASSERT_NE(daemon_group, nullptr);
  const gid_t want = daemon_group->gr_gid;
  const DaemonSpec spec = ParseOk(Lines({
      "[program.a]",
      "command = \"true\"",
      "group = \"daemon\"",
      "user = \"root\"",
  }));
  EXPECT_EQ(spec.programs[0].uid, 0u);
  EXPECT_EQ(spec.programs[0].gid, want);
}

TEST(ParseConfigTest, NumericUidWithoutPasswdEntryNeedsOnlyAGroup) {
  const DaemonSpec spec = ParseOk(Lines({
      "[program.a]",
      "command = \"true\"",
      "user = 3999999",
      "group = 3999999",
  }));
  EXPECT_EQ(spec.programs[0].uid, 3999999u);
  EXPECT_EQ(spec.programs[0].gid, 3999999u);
}

TEST(ParseConfigTest, ProgramsKeepFileOrder) {
  const DaemonSpec spec = ParseOk(Lines({
      "[program.zeta]",
      "command = \"z\"",
      "[program.alpha]",
      "command = \"a\"",
      "[program.mid]",
      "command = \"m\"",
  }));
  EXPECT_EQ(Names(spec), (std::vector<std::string>{"zeta", "alpha", "mid"}));
}

TEST(ParseConfigTest, ExpandsInstancesAndSubstitutesTheIndex) {
  const DaemonSpec spec = ParseOk(Lines({
      "[program.worker]",
      "command = \"/srv/worker --id {instance} --tag w{instance}x\"",
      "directory = \"/srv/w{instance}\"",
      "environment = { SLOT = \"{instance}\", OTHER = \"{instances} {x}\" }",
      "instances = 3",
  }));
  ASSERT_EQ(Names(spec), (std::vector<std::string>{"worker:0", "worker:1", "worker:2"}));
  for (int i = 0; i < 3; ++i) {
    const ProgramSpec& p = spec.programs[i];
    const std::string n = std::to_string(i);
    EXPECT_EQ(p.table_name, "worker");
    EXPECT_EQ(p.instance, i);
    EXPECT_EQ(p.argv, (std::vector<std::string>{"/srv/worker", "--id", n, "--tag", "w" + n + "x"}));
    EXPECT_EQ(p.directory, "/srv/w" + n);
    EXPECT_EQ(p.environment.at("SLOT"), n);
    EXPECT_EQ(p.environment.at("OTHER"), "{instances} {x}");
  }
}

TEST(ParseConfigTest, SingleInstanceKeepsPlainNameAndIndexZero) {
  const DaemonSpec spec = ParseOk(Lines({
      "[program.one]",
      "command = [\"run\", \"{instance}\"]",
  }));
  ASSERT_EQ(Names(spec), std::vector<std::string>{"one"});
  EXPECT_EQ(spec.programs[0].argv, (std::vector<std::string>{"run", "0"}));
}

TEST(ParseConfigTest, ExpandsDependenciesToInstanceNames) {
  const DaemonSpec spec = ParseOk(Lines({
      "[program.web]",
      "command = \"web\"",
      "depends_on = [\"db\", \"cache\", \"queue:1\", \"db\"]",
      "[program.db]",
      "command = \"db\"",
      "[program.cache]",
      "command = \"cache\"",
      "instances = 2",
      "[program.queue]",
      "command = \"q\"",
      "instances = 3",
      "depends_on = [\"db\"]",
  }));
  ASSERT_EQ(spec.programs.size(), 7u);
  EXPECT_EQ(spec.programs[0].depends_on,
            (std::vector<std::string>{"db", "cache:0", "cache:1", "queue:1"}));
  EXPECT_TRUE(spec.programs[1].depends_on.empty());
  for (size_t i = 4; i < 7; ++i) {
    EXPECT_EQ(spec.programs[i].depends_on, std::vector<std::string>{"db"});
  }
}

TEST(ParseConfigTest, NamesMayUseDotsDashesAndUnderscores) {
  const DaemonSpec spec = ParseOk(Lines({
      "[program.\"api.v2\"]",
      "command = \"a\"",
      "[program.my-app_1]",
      "command = \"b\"",
      "depends_on = [\"api.v2\"]",
  }));
  EXPECT_EQ(Names(spec), (std::vector<std::string>{"api.v2", "my-app_1"}));
  EXPECT_EQ(spec.programs[1].depends_on, std::vector<std::string>{"api.v2"});
}

class LoadConfigTest : public ::testing::Test {
 protected:
  std::filesystem::path Write(const std::string& name, const std::string& text) {
    const std::filesystem::path path = dir_ / name;
    std::ofstream(path) << text;
    return path;
  }
  vigil::testing::TempDir temp_;
  const std::filesystem::path dir_ = temp_.path();
};

TEST_F(LoadConfigTest, ReadsFileAndResolvesPathsAgainstItsDirectory) {
  const auto path = Write("vigil.toml", Lines({
                                            "[vigil]",
                                            "state_dir = \"state\"",
                                            "log_dir = \"logs\"",
                                            "[program.web]",
                                            "command = \"./web\"",
                                            "directory = \".\"",
                                        }));
  auto spec = LoadConfig(path);
  ASSERT_TRUE(spec.has_value()) << spec.error().message();
  EXPECT_EQ(spec->config_path, path);
  EXPECT_EQ(spec->state_dir, dir_ / "state");
  EXPECT_EQ(spec->log_dir, dir_ / "logs");
  ASSERT_EQ(spec->programs.size(), 1u);
  EXPECT_EQ(spec->programs[0].directory, dir_.string());
  EXPECT_EQ(spec->programs[0].argv[0], "./web");  // argv is never rewritten
}

TEST_F(LoadConfigTest, MissingFileIsAnIoErrorNamingIt) {
  auto spec = LoadConfig(dir_ / "nope.toml");
  ASSERT_FALSE(spec.has_value());
  EXPECT_EQ(spec.error().code(), base::StatusCode::kIoError);
  EXPECT_EQ(spec.error().message(), (dir_ / "nope.toml").string() + ": No such file or directory");
}

TEST_F(LoadConfigTest, ErrorsNameTheFileAndLine) {
  const auto path =
      Write("vigil.toml", Lines({"[program.web]", "command = \"web\"", "autostart = 1"}));
  auto spec = LoadConfig(path);
  ASSERT_FALSE(spec.has_value());
  EXPECT_EQ(spec.error().code(), base::StatusCode::kInvalidArgument);
  EXPECT_EQ(spec.error().message(),
            path.string() + ":3: program.web.autostart: expected true or false, got integer 1");
}

// Regression test for issue 8, item 14
TEST_F(LoadConfigTest, RefusesWhatIsNotARegularFile) {
  for (const char* device : {"/dev/null", "/dev/zero"}) {
    auto spec = LoadConfig(device);
    ASSERT_FALSE(spec.has_value()) << device;
    EXPECT_EQ(spec.error().code(), base::StatusCode::kInvalidArgument);
    EXPECT_EQ(spec.error().message(), std::string(device) + ": not a regular file");
  }
  auto dir = LoadConfig(dir_);
  ASSERT_FALSE(dir.has_value());
  EXPECT_EQ(dir.error().message(), dir_.string() + ": not a regular file");
}

// Regression test for issue 8, item 14
TEST_F(LoadConfigTest, RefusesAFifoWithoutWaitingForAWriter) {
  const std::filesystem::path fifo = dir_ / "vigil.toml";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  auto spec = LoadConfig(fifo);
  ASSERT_FALSE(spec.has_value());
  EXPECT_EQ(spec.error().message(), fifo.string() + ": not a regular file");
}

// Regression test for issue 8, item 14
TEST_F(LoadConfigTest, RefusesAFileLargerThan8MB) {
  // 9 MB of comments: valid TOML, refused before parsing.
  std::string text;
  const std::string comment = "# " + std::string(1021, 'x') + "\n";  // 1 KB
  while (text.size() < 9 * 1024 * 1024) text += comment;
  const auto path = Write("vigil.toml", text);
  auto spec = LoadConfig(path);
  ASSERT_FALSE(spec.has_value());
  EXPECT_EQ(spec.error().code(), base::StatusCode::kInvalidArgument);
  EXPECT_EQ(spec.error().message(), path.string() + ": 9 MB is larger than the 8 MB a config may be");
  // The limit itself is accepted.
  const auto at_limit = Write("limit.toml", text.substr(0, 8 * 1024 * 1024));
  EXPECT_TRUE(LoadConfig(at_limit).has_value());
}

}  // namespace
}  // namespace vigil::config
