// SPDX-License-Identifier: MIT
// The end-to-end fixture: process running, config writing, CLI and HTTP calls.
#include "harness.h"

#include <netinet/in.h>
#include <sys/socket.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <thread>

namespace vigil::testing {

const std::string& VigildBin() {
  static const std::string path = VIGILD_BIN;
  return path;
}
const std::string& VigilBin() {
  static const std::string path = VIGIL_BIN;
  return path;
}
const std::string& ChildBin() {
  static const std::string path = TEST_CHILD_BIN;
  return path;
}
const std::string& SourceDir() {
  static const std::string path = VIGIL_SOURCE_DIR;
  return path;
}
pid_t SpawnWithOutput(const std::vector<std::string>& argv, const std::string& out_path,
                      const std::string& err_path) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid == 0) {
    int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int in = ::open("/dev/null", O_RDONLY);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(err, 2);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  return pid;
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int FreeTcpPort() {
  int s = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ::bind(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  ::getsockname(s, reinterpret_cast<sockaddr*>(&addr), &len);
  const int port = ntohs(addr.sin_port);
  ::close(s);
  return port;
}

bool ProcessAlive(pid_t pid) {
  if (::kill(pid, 0) != 0) return false;
  // A zombie is dead for our purposes.
  std::string stat = ReadFile("/proc/" + std::to_string(pid) + "/stat");
  auto close = stat.rfind(')');
  return close == std::string::npos || close + 2 >= stat.size() || stat[close + 2] != 'Z';
}

CommandResult RunCommand(const std::vector<std::string>& argv) {
  static int counter = 0;
  std::string base = "/tmp/vigil-it-run-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
  std::vector<std::string> full = argv;
  if (full[0].find('/') == std::string::npos) full[0] = "/usr/bin/" + full[0];
  pid_t pid = SpawnWithOutput(full, base + ".out", base + ".err");
  int status = 0;
  ::waitpid(pid, &status, 0);
  CommandResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = ReadFile(base + ".out");
  r.err = ReadFile(base + ".err");
  ::unlink((base + ".out").c_str());
  ::unlink((base + ".err").c_str());
  return r;
}

bool WaitFor(const std::function<bool()>& condition, std::chrono::milliseconds deadline) {
  auto end = std::chrono::steady_clock::now() + deadline;
  while (std::chrono::steady_clock::now() < end) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return condition();
}

void VigilTest::SetUp() {
  char tmpl[] = "/tmp/vigil-it-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  dir_ = tmpl;
  config_ = dir_ / "vigil.toml";
  socket_ = dir_ / "run" / "vigil.sock";
  log_dir_ = dir_ / "logs";
}

void VigilTest::TearDown() {
  if (daemon_pid_ > 0) {
    ::kill(daemon_pid_, SIGTERM);
    int status;
    bool exited = WaitFor([&] { return ::waitpid(daemon_pid_, &status, WNOHANG) == daemon_pid_; },
                          std::chrono::seconds(30));
    if (!exited) {
      ADD_FAILURE() << "vigild did not exit on SIGTERM";
      ::kill(daemon_pid_, SIGKILL);
      ::waitpid(daemon_pid_, &status, 0);
    }
    daemon_pid_ = 0;
  }
  if (!HasFailure()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  } else {
    std::cerr << "test files kept in " << dir_ << "\n--- vigild stderr ---\n"
              << ReadFile(dir_ / "vigild.stderr") << "\n";
  }
}

void VigilTest::WriteConfig(const std::string& body) {
  std::ofstream out(config_);
  out << "[vigil]\n"
      << "state_dir = \"" << (dir_ / "state").string() << "\"\n"
      << "log_dir = \"" << log_dir_.string() << "\"\n"
      << "socket = \"" << socket_.string() << "\"\n\n"
      << body;
}

void VigilTest::StartDaemon() {
  daemon_pid_ = SpawnWithOutput({VigildBin(), "--config", config_.string()}, (dir_ / "vigild.stdout").string(),
                                (dir_ / "vigild.stderr").string());
  ASSERT_TRUE(WaitFor([&] { return Vigil({"status"}).exit_code != 3; })) << ReadFile(dir_ / "vigild.stderr");
}

CommandResult VigilTest::RunDaemonToExit() { return RunCommand({VigildBin(), "--config", config_.string()}); }

int VigilTest::StopDaemon() {
  ::kill(daemon_pid_, SIGTERM);
  int status = -1;
  bool exited = WaitFor([&] { return ::waitpid(daemon_pid_, &status, WNOHANG) == daemon_pid_; },
                        std::chrono::seconds(30));
  EXPECT_TRUE(exited);
  daemon_pid_ = 0;
  return status;
}

CommandResult VigilTest::Vigil(std::vector<std::string> args) {
  args.insert(args.begin(), {VigilBin(), "--socket", socket_.string()});
  return RunCommand(args);
}

nlohmann::json VigilTest::Programs() {
  auto r = Vigil({"status", "--json"});
  if (r.exit_code != 0) return nlohmann::json::array();
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  if (j.is_object() && j.contains("programs")) return j["programs"];
  return j.is_array() ? j : nlohmann::json::array();
}

nlohmann::json VigilTest::Program(const std::string& name) {
  for (const auto& p : Programs())
    if (p.value("name", "") == name) return p;
  return nlohmann::json::object();
}

std::string VigilTest::State(const std::string& name) { return Program(name).value("state", "?"); }

bool VigilTest::WaitForState(const std::string& name, const std::string& state, std::chrono::milliseconds deadline) {
  return WaitFor([&] { return State(name) == state; }, deadline);
}

std::pair<int, std::string> VigilTest::Http(const std::string& method, const std::string& path,
                                            const std::string& body) {
  std::vector<std::string> argv = {"curl", "-s", "-o", "-", "-w", "\n%{http_code}", "--unix-socket",
                                   socket_.string(), "-X", method, "http://localhost" + path};
  if (!body.empty()) {
    argv.push_back("-H");
    argv.push_back("Content-Type: application/json");
    argv.push_back("--data-binary");
    argv.push_back(body);
  }
  auto r = RunCommand(argv);
  auto nl = r.out.rfind('\n');
  if (nl == std::string::npos) return {0, r.out};
  return {std::atoi(r.out.c_str() + nl + 1), r.out.substr(0, nl)};
}

}  // namespace vigil::testing
