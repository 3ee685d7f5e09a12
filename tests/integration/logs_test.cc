// SPDX-License-Identifier: MIT
// End-to-end: log capture is complete and exact under a flood with rotation, and the CLI
// reads and follows logs.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <fstream>

#include <algorithm>
#include <fmt/format.h>

#include "harness.h"

namespace vigil::testing {
namespace {

class LogsTest : public VigilTest {};

std::string ReadMaybeGz(const std::filesystem::path& path) {
  if (path.extension() != ".gz") return ReadFile(path);
  gzFile gz = gzopen(path.c_str(), "rb");
  std::string out;
  if (gz == nullptr) return out;  // removed by rotation since it was listed
  char buf[1 << 16];
  int n;
  while ((n = gzread(gz, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  gzclose(gz);
  return out;
}

// A file listed a moment ago may have been renamed by a rotation since; that is not an error.
uint64_t SizeOrZero(const std::filesystem::path& path) {
  std::error_code ec;
  auto size = std::filesystem::file_size(path, ec);
  return ec ? 0 : size;
}

// Every numbered 100-byte line exactly once across the current and rotated files.
void ExpectAllLinesOnce(const std::filesystem::path& log_dir, const std::string& stem, long lines) {
  std::vector<unsigned char> seen(static_cast<size_t>(lines), 0);
  long bad = 0, dup = 0;
  for (const auto& entry : std::filesystem::directory_iterator(log_dir)) {
    std::string name = entry.path().filename().string();
    if (name.rfind(stem, 0) != 0) continue;
    std::string data = ReadMaybeGz(entry.path());
    size_t pos = 0;
    while (pos < data.size()) {
      size_t nl = data.find('\n', pos);
      if (nl == std::string::npos || nl - pos != 99) {
        ++bad;
        if (nl == std::string::npos) break;
        pos = nl + 1;
        continue;
      }
      long n = std::atol(data.c_str() + pos);
      if (n < 0 || n >= lines) ++bad;
      else if (seen[static_cast<size_t>(n)]++) ++dup;
      pos = nl + 1;
    }
  }
  long missing = std::count(seen.begin(), seen.end(), 0);
  EXPECT_EQ(missing, 0);
  EXPECT_EQ(dup, 0);
  EXPECT_EQ(bad, 0);
}

TEST_F(LogsTest, FloodWithRotationKeepsEveryLineOnce) {
  const long lines = 2'000'000;  // 200 MB
  WriteConfig(fmt::format(R"([program.flood]
command = ["{}", "flood", "{}"]
stdout = {{ max_size = "10MB", keep = 40 }}
)", Child(), lines));
  StartDaemon();
  auto total = [&] {
    uint64_t sum = 0;
    for (const auto& e : std::filesystem::directory_iterator(log_dir_))
      if (e.path().filename().string().rfind("flood.out.log", 0) == 0) sum += SizeOrZero(e.path());
    return sum;
  };
  ASSERT_TRUE(WaitFor([&] { return total() >= static_cast<uint64_t>(lines) * 100; }, std::chrono::seconds(120)))
      << total();
  ExpectAllLinesOnce(log_dir_, "flood.out.log", lines);
  int files = 0;
  for (const auto& e : std::filesystem::directory_iterator(log_dir_))
    if (e.path().filename().string().rfind("flood.out.log", 0) == 0) ++files;
  EXPECT_GE(files, 20);
}

TEST_F(LogsTest, CompressedRotationKeepsEveryLineOnce) {
  const long lines = 300'000;  // 30 MB
  WriteConfig(fmt::format(R"([program.flood]
command = ["{}", "flood", "{}"]
stdout = {{ max_size = "4MB", keep = 20, compress = true }}
)", Child(), lines));
  StartDaemon();
  auto complete = [&] {
    int gz = 0;
    for (const auto& e : std::filesystem::directory_iterator(log_dir_)) {
      auto name = e.path().filename().string();
      if (name.rfind("flood.out.log.", 0) == 0 && e.path().extension() == ".gz") ++gz;
      else if (name.rfind("flood.out.log.", 0) == 0) return false;  // compression pending
    }
    return gz >= 7 && SizeOrZero(log_dir_ / "flood.out.log") > 0;
  };
  ASSERT_TRUE(WaitFor(complete, std::chrono::seconds(120)));
  ASSERT_TRUE(WaitFor([&] {
    uint64_t n = 0;
    for (const auto& e : std::filesystem::directory_iterator(log_dir_))
      if (e.path().filename().string().rfind("flood.out.log", 0) == 0) n += ReadMaybeGz(e.path()).size();
    return n >= static_cast<uint64_t>(lines) * 100;
  }, std::chrono::seconds(60)));
  ExpectAllLinesOnce(log_dir_, "flood.out.log", lines);
}

TEST_F(LogsTest, OutputWithoutNewlineBeforeExitIsKept) {
  WriteConfig(fmt::format(R"([program.oneshot]
command = ["{}", "print-exit", "last words"]
autorestart = "never"
)", Child()));
  StartDaemon();
  ASSERT_TRUE(WaitForState("oneshot", "EXITED"));
  EXPECT_TRUE(WaitFor([&] { return ReadFile(log_dir_ / "oneshot.out.log") == "last words"; }));
}

// The whole current log as a download: every byte of a log larger than one piece of the
// transport, named for a browser to save.
TEST_F(LogsTest, TheWholeLogDownloads) {
  WriteConfig(fmt::format(R"([program.flood]
command = ["{}", "flood", "5000"]
)", Child()));
  StartDaemon();
  const std::filesystem::path log = log_dir_ / "flood.out.log";
  ASSERT_TRUE(WaitFor([&] { return std::filesystem::exists(log) && std::filesystem::file_size(log) == 500000; }));
  const std::filesystem::path saved = dir_ / "saved.log";
  CommandResult r = RunCommand({"curl", "-s", "-D", (dir_ / "headers").string(), "-o", saved.string(),
                                "--unix-socket", socket_.string(), "http://localhost/v1/programs/flood/logs/download"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(ReadFile(saved), ReadFile(log));
  const std::string headers = ReadFile(dir_ / "headers");
  EXPECT_NE(headers.find("Content-Disposition: attachment; filename=\"flood.out.log\""), std::string::npos) << headers;
  EXPECT_NE(headers.find("Content-Length: 500000"), std::string::npos) << headers;
  // A program that wrote nothing to stderr yet downloads an empty file; a typo is a 404.
  auto [code, body] = Http("GET", "/v1/programs/flood/logs/download?stream=stderr");
  EXPECT_EQ(code, 200);
  EXPECT_EQ(body, "");
  EXPECT_EQ(Http("GET", "/v1/programs/nope/logs/download").first, 404);
  EXPECT_EQ(Http("GET", "/v1/programs/flood/logs/download?stream=both").first, 400);
}

TEST_F(LogsTest, CliShowsLastLinesAndTimestamps) {
  WriteConfig(fmt::format(R"([program.talker]
command = ["{}", "print", "one", "two", "three"]
stdout = {{ timestamps = true }}
)", Child()));
  StartDaemon();
  ASSERT_TRUE(WaitFor([&] { return ReadFile(log_dir_ / "talker.out.log").find("three") != std::string::npos; }));
  std::string file = ReadFile(log_dir_ / "talker.out.log");
  // 2026-11-22T21:45:03.123Z one
  EXPECT_EQ(file.size(), 3 * 25 + std::string("one\ntwo\nthree\n").size()) << file;
  EXPECT_EQ(file[4], '-');
  EXPECT_EQ(file[23], 'Z');
  auto r = Vigil({"logs", "talker", "-n", "2"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("two"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("three"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("one"), std::string::npos) << r.out;
}

TEST_F(LogsTest, StderrGoesToItsOwnFileOrIsMerged) {
  WriteConfig(R"([program.split]
command = ["sh", "-c", "echo out; echo err >&2; exec sleep 1000"]

[program.merged]
command = ["sh", "-c", "echo out; echo err >&2; exec sleep 1000"]
merge_stderr = true
)");
  StartDaemon();
  EXPECT_TRUE(WaitFor([&] { return ReadFile(log_dir_ / "split.err.log") == "err\n"; }));
  EXPECT_EQ(ReadFile(log_dir_ / "split.out.log"), "out\n");
  EXPECT_TRUE(WaitFor([&] { return ReadFile(log_dir_ / "merged.out.log") == "out\nerr\n"; }));
  EXPECT_FALSE(std::filesystem::exists(log_dir_ / "merged.err.log"));
  auto r = Vigil({"logs", "split", "--stderr"});
  EXPECT_EQ(r.out, "err\n");
}

}  // namespace
}  // namespace vigil::testing

namespace vigil::testing {
namespace {

class LogsFollowTest : public VigilTest {};

TEST_F(LogsFollowTest, FollowStreamsNewOutputLive) {
  WriteConfig(fmt::format(R"([program.chatty]
command = ["sh", "-c", "echo first; while [ ! -e {0}/go ]; do sleep 0.05; done; echo second; exec sleep 1000"]
)", dir_.string()));
  StartDaemon();
  ASSERT_TRUE(WaitFor([&] { return ReadFile(log_dir_ / "chatty.out.log") == "first\n"; }));
  auto out_path = dir_ / "follow.out";
  const std::string vigil = VigilBin();
  pid_t follower = ::fork();
  if (follower == 0) {
    int fd = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(fd, 1);
    ::execl(vigil.c_str(), vigil.c_str(), "--socket", socket_.c_str(), "logs", "chatty", "-f", "-n", "5", nullptr);
    ::_exit(127);
  }
  EXPECT_TRUE(WaitFor([&] { return ReadFile(out_path) == "first\n"; })) << ReadFile(out_path);
  std::ofstream(dir_ / "go") << "";
  EXPECT_TRUE(WaitFor([&] { return ReadFile(out_path) == "first\nsecond\n"; })) << ReadFile(out_path);
  ::kill(follower, SIGTERM);
  ::waitpid(follower, nullptr, 0);
}

TEST_F(LogsFollowTest, FullDiskIsReportedAndRecoveredWithoutLoss) {
  // The log file is a symlink to /dev/full: every write fails with ENOSPC, as on a full disk.
  std::filesystem::create_directories(log_dir_);
  std::filesystem::create_symlink("/dev/full", log_dir_ / "writer.out.log");
  WriteConfig(fmt::format(R"([program.writer]
command = ["{}", "print", "line one", "line two"]
)", Child()));
  StartDaemon();
  ASSERT_TRUE(WaitFor([&] {
    return Program("writer").value("reason", "").find("No space left on device") != std::string::npos;
  })) << Program("writer").dump();
  EXPECT_TRUE(WaitForState("writer", "RUNNING"));  // a full disk never stalls the program
  EXPECT_TRUE(WaitFor([&] {
    return ReadFile(log_dir_ / "vigild.log").find("No space left on device") != std::string::npos;
  }));
  // Space returns (the file becomes writable) and an external logrotate-style SIGUSR1 reopens.
  std::filesystem::remove(log_dir_ / "writer.out.log");
  ::kill(daemon_pid_, SIGUSR1);
  EXPECT_TRUE(WaitFor([&] { return ReadFile(log_dir_ / "writer.out.log") == "line one\nline two\n"; }))
      << ReadFile(log_dir_ / "writer.out.log");
  EXPECT_TRUE(WaitFor([&] { return Program("writer").value("reason", "x").empty(); }));
  EXPECT_NE(ReadFile(log_dir_ / "vigild.log").find("writing " + (log_dir_ / "writer.out.log").string() + " again"),
            std::string::npos);
}

TEST_F(LogsFollowTest, Sigusr1ReopensAfterExternalRotation) {
  WriteConfig(fmt::format(R"([program.talker]
command = ["sh", "-c", "echo before; while [ ! -e {0}/go ]; do sleep 0.05; done; echo after; exec sleep 1000"]
)", dir_.string()));
  StartDaemon();
  ASSERT_TRUE(WaitFor([&] { return ReadFile(log_dir_ / "talker.out.log") == "before\n"; }));
  std::filesystem::rename(log_dir_ / "talker.out.log", log_dir_ / "talker.out.log.old");
  ::kill(daemon_pid_, SIGUSR1);
  ASSERT_TRUE(WaitFor([&] { return std::filesystem::exists(log_dir_ / "talker.out.log"); }));
  std::ofstream(dir_ / "go") << "";
  EXPECT_TRUE(WaitFor([&] { return ReadFile(log_dir_ / "talker.out.log") == "after\n"; }));
  EXPECT_EQ(ReadFile(log_dir_ / "talker.out.log.old"), "before\n");
}

}  // namespace
}  // namespace vigil::testing
