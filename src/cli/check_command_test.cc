// SPDX-License-Identifier: MIT
// Tests for `vigil check FILE`, which runs the config loader without a daemon.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/commands.h"
#include "cli/exit_codes.h"

namespace vigil::cli {
namespace {

// Check never talks to vigild; any request is a bug.
class NoDaemonClient : public Client {
 public:
  base::Result<HttpResponse> Send(const HttpRequest&) override {
    ADD_FAILURE() << "check sent a request";
    return base::Status::Internal("unexpected request");
  }
  base::Result<HttpResponse> Stream(const std::string&,
                                    const std::function<void(std::string_view)>&) override {
    ADD_FAILURE() << "check sent a request";
    return base::Status::Internal("unexpected request");
  }
};

class CheckCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir_template[] = "/tmp/vigil-check-test-XXXXXX";
    dir_ = mkdtemp(dir_template);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& text) {
    std::string path = (dir_ / name).string();
    std::ofstream(path) << text;
    return path;
  }
  int Check(const std::string& file) {
    Invocation inv;
    inv.command = "check";
    inv.file = file;
    Context ctx{client_, "/unused.sock", out_, err_, false};
    return RunCommand(inv, ctx);
  }

  std::filesystem::path dir_;
  NoDaemonClient client_;
  std::ostringstream out_, err_;
};

TEST_F(CheckCommandTest, ValidConfigCountsProgramInstances) {
  std::string file = Write("vigil.toml",
                           "[program.web]\n"
                           "command = \"sleep 100\"\n"
                           "instances = 2\n"
                           "\n"
                           "[program.db]\n"
                           "command = [\"sleep\", \"100\"]\n");
  EXPECT_EQ(Check(file), kExitOk) << err_.str();
  EXPECT_EQ(out_.str(), file + ": OK, 3 programs\n");
  EXPECT_EQ(err_.str(), "");
}

TEST_F(CheckCommandTest, ValidConfigCountsTasks) {
  std::string file = Write("tasks.toml",
                           "[program.web]\n"
                           "command = \"sleep 100\"\n"
                           "\n"
                           "[task.tidy]\n"
                           "schedule = \"daily 03:00\"\n"
                           "command = \"true\"\n");
  EXPECT_EQ(Check(file), kExitOk) << err_.str();
  EXPECT_EQ(out_.str(), file + ": OK, 1 program, 1 task\n");
}

TEST_F(CheckCommandTest, ValidConfigCountsHealthChecks) {
  std::string file = Write("checks.toml",
                           "[check.cpu]\n"
                           "metric = \"cpu\"\n"
                           "warn = \"80%\"\n"
                           "[check.root]\n"
                           "metric = \"disk\"\n"
                           "path = \"/\"\n"
                           "crit = 95\n");
  EXPECT_EQ(Check(file), kExitOk) << err_.str();
  EXPECT_EQ(out_.str(), file + ": OK, 0 programs, 2 health checks\n");
}

TEST_F(CheckCommandTest, InvalidConfigPrintsLoaderMessage) {
  std::string file = Write("bad.toml", "[program.web]\ncommand = 42\n");
  EXPECT_EQ(Check(file), kExitFailed);
  EXPECT_EQ(out_.str(), "");
  // "FILE:LINE: key: reason", as the loader words it.
  EXPECT_NE(err_.str().find("bad.toml:"), std::string::npos) << err_.str();
  EXPECT_EQ(err_.str().back(), '\n');
}

TEST_F(CheckCommandTest, MissingFileFails) {
  std::string file = (dir_ / "absent.toml").string();
  EXPECT_EQ(Check(file), kExitFailed);
  EXPECT_NE(err_.str().find("absent.toml"), std::string::npos) << err_.str();
}

}  // namespace
}  // namespace vigil::cli
