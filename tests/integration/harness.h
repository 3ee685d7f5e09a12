// SPDX-License-Identifier: MIT
// Test fixture for end-to-end tests: a temporary directory with a config, the real vigild
// started on it, and the real vigil CLI to drive it. Waits are conditions with deadlines.
#pragma once

#include <gtest/gtest.h>
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace vigil::testing {

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs argv (no shell) to completion and captures its output.
CommandResult RunCommand(const std::vector<std::string>& argv);

// Polls `condition` every few milliseconds until it holds or `deadline` passes.
bool WaitFor(const std::function<bool()>& condition, std::chrono::milliseconds deadline = std::chrono::seconds(15));

std::string ReadFile(const std::filesystem::path& path);
// Starts argv[0] (an absolute path; no shell) with stdin from /dev/null and stdout and
// stderr into the two files; returns its pid without waiting.
pid_t SpawnWithOutput(const std::vector<std::string>& argv, const std::string& out_path, const std::string& err_path);
bool ProcessAlive(pid_t pid);
// A TCP port on 127.0.0.1 that nobody listens on now (the kernel's choice, released at once).
int FreeTcpPort();

// The binaries under test and the source tree. Only harness.cc is compiled with their
// paths, so the other test files compile the same wherever the tree is (ccache reuses them).
const std::string& VigildBin();
const std::string& VigilBin();
const std::string& ChildBin();
const std::string& SourceDir();

class VigilTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Writes the config: a [vigil] table pointing into the temp dir, then `body`.
  void WriteConfig(const std::string& body);
  // Starts vigild and waits until its API answers.
  void StartDaemon();
  // Starts vigild and returns once it exits (for configs it must refuse).
  CommandResult RunDaemonToExit();
  // Sends SIGTERM and waits for vigild to exit; returns its exit status.
  int StopDaemon();

  CommandResult Vigil(std::vector<std::string> args);
  nlohmann::json Programs();
  nlohmann::json Program(const std::string& name);
  std::string State(const std::string& name);
  bool WaitForState(const std::string& name, const std::string& state,
                    std::chrono::milliseconds deadline = std::chrono::seconds(15));
  // A shell-free HTTP call over the unix socket with curl: returns status code and body.
  std::pair<int, std::string> Http(const std::string& method, const std::string& path,
                                   const std::string& body = "");

  std::string Child() const { return ChildBin(); }
  std::filesystem::path dir_;
  std::filesystem::path config_;
  std::filesystem::path socket_;
  std::filesystem::path log_dir_;
  pid_t daemon_pid_ = 0;
};

}  // namespace vigil::testing
