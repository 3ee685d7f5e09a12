// SPDX-License-Identifier: MIT
// LogFile: byte-exactness under rotation, timestamps, error buffering and recovery.
#include "logs/log_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <random>
#include <sstream>
#include <regex>

#include "logs/compressor.h"
#include "logs/rotated_files.h"
#include "logs/test_util.h"

namespace vigil::logs {
namespace {

namespace fs = std::filesystem;
using testing::NumberedLines;
using testing::ReadFile;
using testing::ReadStream;
using testing::TempDir;

config::LogSpec Spec(uint64_t max_bytes, int keep = 1000, bool compress = false,
                     bool timestamps = false) {
  config::LogSpec s;
  s.max_bytes = max_bytes;
  s.keep = keep;
  s.compress = compress;
  s.timestamps = timestamps;
  return s;
}

// Feeds `bytes` in random chunks of 1..max_chunk bytes.
void WriteChunked(LogFile& log, std::string_view bytes, unsigned seed, size_t max_chunk) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<size_t> dist(1, max_chunk);
  while (!bytes.empty()) {
    size_t n = std::min(bytes.size(), dist(rng));
    log.Write(bytes.substr(0, n));
    bytes.remove_prefix(n);
  }
}

class LogFileTest : public ::testing::Test {
 protected:
  event::Loop loop_;
  TempDir dir_;
  fs::path path_ = dir_ / "web.out.log";
};

TEST_F(LogFileTest, ByteExactAcrossRandomChunkingsWithoutRotation) {
  const std::string input = NumberedLines(3000, 1) + "tail without newline";
  for (unsigned seed : {1u, 2u, 3u}) {
    fs::remove(path_);
    {
      LogFile log(loop_, path_, Spec(0), nullptr);
      WriteChunked(log, input, seed, seed == 1 ? 7 : 70000);
      EXPECT_EQ(log.problem(), "");
    }
    EXPECT_EQ(ReadFile(path_), input);
    EXPECT_TRUE(RotatedFiles(path_)->empty());
  }
}

TEST_F(LogFileTest, CountsCompleteLinesAcrossChunkingsAndRotation) {
  LogFile log(loop_, path_, Spec(1000), nullptr);
  EXPECT_EQ(log.lines_written(), 0u);
  WriteChunked(log, NumberedLines(500, 1) + "partial", 5, 37);
  EXPECT_EQ(log.lines_written(), 500u);
  log.Write(" line\n");
  EXPECT_EQ(log.lines_written(), 501u);
}

TEST_F(LogFileTest, ByteExactAcrossRandomChunkingsWithRotation) {
  const uint64_t kMax = 4000;
  const std::string input = NumberedLines(5000, 7, 300) + "partial";
  for (unsigned seed : {11u, 12u, 13u}) {
    TempDir dir;
    fs::path path = dir / "p.err.log";
    {
      LogFile log(loop_, path, Spec(kMax), nullptr);
      WriteChunked(log, input, seed, seed == 11 ? 3 : 20000);
    }
    EXPECT_EQ(ReadStream(path), input);
    auto files = RotatedFiles(path);
    ASSERT_TRUE(files.has_value());
    EXPECT_GT(files->size(), 50u);
    for (const auto& f : *files) {
      std::string content = ReadFile(f.path);
      // Rotation happens at the first line end at or after kMax bytes.
      EXPECT_EQ(content.back(), '\n') << f.path;
      EXPECT_GE(content.size(), kMax);
      EXPECT_LT(content.size(), kMax + 310);
      EXPECT_LT(content.substr(0, content.size() - 1).rfind('\n'), kMax - 1);
    }
  }
}

TEST_F(LogFileTest, OneMegabyteLineStaysWholeWithoutRotation) {
  std::string line(1 << 20, 'x');
  line += "\n";
  const std::string input = "before\n" + line + "after";
  {
    LogFile log(loop_, path_, Spec(0), nullptr);
    WriteChunked(log, input, 5, 100000);
  }
  EXPECT_EQ(ReadFile(path_), input);
}

TEST_F(LogFileTest, LineLongerThanMaxBytesIsCutButReassemblesExactly) {
  const uint64_t kMax = 64 * 1024;
  std::string input = "short\n" + std::string(1 << 20, 'y') + "\nend\n";
  {
    LogFile log(loop_, path_, Spec(kMax), nullptr);
    WriteChunked(log, input, 9, 50000);
  }
  EXPECT_EQ(ReadStream(path_), input);
  auto files = RotatedFiles(path_);
  ASSERT_TRUE(files.has_value());
  EXPECT_GE(files->size(), 15u);
  for (const auto& f : *files) EXPECT_LE(fs::file_size(f.path), 2 * kMax) << f.path;
}

TEST_F(LogFileTest, LineOfExactlyMaxBytesKeepsItsNewline) {
  {
    LogFile log(loop_, path_, Spec(10), nullptr);
    log.Write("0123456789");
    log.Write("\nnext\n");
  }
  auto files = RotatedFiles(path_);
  ASSERT_EQ(files->size(), 1u);
  EXPECT_EQ(ReadFile(files->front().path), "0123456789\n");
  EXPECT_EQ(ReadFile(path_), "next\n");
}

TEST_F(LogFileTest, AppendsToExistingFileEndingMidLine) {
  {
    LogFile log(loop_, path_, Spec(0), nullptr);
    log.Write("abc");
  }
  {
    LogFile log(loop_, path_, Spec(0), nullptr);
    log.Write("def\n");
  }
  EXPECT_EQ(ReadFile(path_), "abcdef\n");
}

TEST_F(LogFileTest, TimestampsPrefixEveryLineWhenItsFirstByteArrives) {
  {
    LogFile log(loop_, path_, Spec(0, 10, false, true), nullptr);
    log.Write("a\nb");
    log.Write("c\n\n");
    log.Write("d");
  }
  std::string content = ReadFile(path_);
  std::regex line_re(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (.*))");
  std::vector<std::string> bodies;
  std::istringstream in(content);
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    ASSERT_TRUE(std::regex_match(line, m, line_re)) << line;
    bodies.push_back(m[1]);
  }
  EXPECT_THAT(bodies, ::testing::ElementsAre("a", "bc", "", "d"));
  EXPECT_NE(content.back(), '\n');
}

TEST_F(LogFileTest, KeepPrunesOldestRotatedFiles) {
  const std::string input = NumberedLines(400, 3, 50);
  {
    LogFile log(loop_, path_, Spec(500, 3), nullptr);
    WriteChunked(log, input, 3, 64);
  }
  auto files = RotatedFiles(path_);
  ASSERT_EQ(files->size(), 3u);
  // What is left is the newest part of the stream, contiguous.
  std::string stream = ReadStream(path_);
  ASSERT_LT(stream.size(), input.size());
  EXPECT_EQ(input.substr(input.size() - stream.size()), stream);
  EXPECT_EQ(stream.substr(0, 1), "0");  // starts at a line start
}

TEST_F(LogFileTest, KeepZeroLeavesOnlyCurrentFile) {
  {
    LogFile log(loop_, path_, Spec(100, 0), nullptr);
    log.Write(NumberedLines(100, 1, 20));
  }
  EXPECT_TRUE(RotatedFiles(path_)->empty());
  EXPECT_LT(fs::file_size(path_), 200u);
}

TEST_F(LogFileTest, RotateNowSkipsEmptyFileAndRotatesOtherwise) {
  LogFile log(loop_, path_, Spec(0), nullptr);
  log.RotateNow();
  EXPECT_TRUE(RotatedFiles(path_)->empty());
  log.Write("one\n");
  log.RotateNow();
  log.Write("two\n");
  auto files = RotatedFiles(path_);
  ASSERT_EQ(files->size(), 1u);
  EXPECT_THAT(files->front().path.filename().string(),
              ::testing::MatchesRegex(R"(web\.out\.log\.[0-9]{8}T[0-9]{6}\.[0-9]{3}Z)"));
  EXPECT_EQ(ReadFile(files->front().path), "one\n");
  EXPECT_EQ(ReadFile(path_), "two\n");
}

TEST_F(LogFileTest, RotationsInTheSameMillisecondGetCounters) {
  LogFile log(loop_, path_, Spec(0), nullptr);
  for (int i = 0; i < 5; ++i) {
    log.Write(std::to_string(i) + "\n");
    log.RotateNow();
  }
  EXPECT_EQ(RotatedFiles(path_)->size(), 5u);
  EXPECT_EQ(ReadStream(path_), "0\n1\n2\n3\n4\n");
}

TEST_F(LogFileTest, SetSpecAppliesNewLimitFromNextWrite) {
  LogFile log(loop_, path_, Spec(0), nullptr);
  log.Write(NumberedLines(50, 1, 20));
  EXPECT_TRUE(RotatedFiles(path_)->empty());
  log.SetSpec(Spec(100, 5));
  log.Write("x\n");  // the file is over the new limit at a line end: rotate first
  auto files = RotatedFiles(path_);
  ASSERT_EQ(files->size(), 1u);
  EXPECT_EQ(ReadFile(files->front().path), NumberedLines(50, 1, 20));
  EXPECT_EQ(ReadFile(path_), "x\n");
}

TEST_F(LogFileTest, ReopenAfterExternalRenameStartsNewFile) {
  LogFile log(loop_, path_, Spec(0), nullptr);
  log.Write("a\n");
  fs::rename(path_, dir_ / "moved.log");
  log.Write("b\n");  // still the renamed file, as with any open fd
  log.Reopen();
  log.Write("c\n");
  EXPECT_EQ(ReadFile(dir_ / "moved.log"), "a\nb\n");
  EXPECT_EQ(ReadFile(path_), "c\n");
}

TEST_F(LogFileTest, CompressesRotatedFilesOffTheLoop) {
  Compressor compressor;
  const std::string input = NumberedLines(2000, 4, 100);
  {
    LogFile log(loop_, path_, Spec(5000, 1000, true), &compressor);
    WriteChunked(log, input, 4, 9000);
    compressor.WaitIdle();
    EXPECT_EQ(log.problem(), "");
  }
  auto files = RotatedFiles(path_);
  ASSERT_GT(files->size(), 5u);
  for (const auto& f : *files) EXPECT_TRUE(f.gzipped) << f.path;
  EXPECT_EQ(ReadStream(path_), input);
  for (const auto& e : fs::directory_iterator(dir_.path())) {
    EXPECT_FALSE(e.path().string().ends_with(".tmp")) << e.path();
  }
}

TEST_F(LogFileTest, CompressionRespectsKeep) {
  Compressor compressor;
  {
    LogFile log(loop_, path_, Spec(300, 2, true), &compressor);
    log.Write(NumberedLines(300, 4, 40));
    compressor.WaitIdle();
  }
  EXPECT_EQ(RotatedFiles(path_)->size(), 2u);
}

TEST_F(LogFileTest, LeftoverUncompressedFilesAreCompressedOnOpen) {
  {
    LogFile log(loop_, path_, Spec(0), nullptr);
    log.Write("old\n");
    log.RotateNow();
  }
  Compressor compressor;
  LogFile log(loop_, path_, Spec(0, 10, true), &compressor);
  compressor.WaitIdle();
  auto files = RotatedFiles(path_);
  ASSERT_EQ(files->size(), 1u);
  EXPECT_TRUE(files->front().gzipped);
  EXPECT_EQ(testing::ReadGzip(files->front().path), "old\n");
}

TEST_F(LogFileTest, HealthyIdleLogHasNoTimers) {
  LogFile log(loop_, path_, Spec(100), nullptr);
  log.Write(NumberedLines(100, 1));
  EXPECT_EQ(loop_.Poll(), 0u);
}

TEST_F(LogFileTest, QuietStreamOpensNothingUntilItsFirstByte) {
  LogFile log(loop_, path_, Spec(100), nullptr);
  log.Reopen();  // SIGUSR1 before any output: nothing to reopen
  EXPECT_FALSE(fs::exists(path_));
  log.Write("");
  EXPECT_FALSE(fs::exists(path_));
  log.Write("first\n");
  EXPECT_EQ(ReadFile(path_), "first\n");
}

// The directory cannot exist: its would-be parent is a regular file. This fails for
// root too, unlike chmod.
class BrokenDirTest : public LogFileTest {
 protected:
  fs::path blocker_ = dir_ / "logdir";
  fs::path broken_path_ = blocker_ / "web.out.log";
  void SetUp() override { testing::WriteFileForTest(blocker_, "not a directory"); }
  void Repair() {
    fs::remove(blocker_);
    fs::create_directory(blocker_);
  }
};

TEST_F(BrokenDirTest, BuffersWhileUnwritableAndWritesOnReopen) {
  LogFile log(loop_, broken_path_, Spec(0), nullptr);
  EXPECT_EQ(log.problem(), "");  // nothing to write yet, so nothing opened
  log.Write("hello\n");
  EXPECT_THAT(log.problem(), ::testing::HasSubstr("cannot open " + broken_path_.string()));
  log.Write("world\n");
  EXPECT_THAT(log.problem(), ::testing::HasSubstr("12 bytes waiting, 0 dropped"));
  Repair();
  log.Reopen();
  EXPECT_EQ(log.problem(), "");
  log.Write("after\n");
  EXPECT_EQ(ReadFile(broken_path_), "hello\nworld\nafter\n");
  EXPECT_EQ(log.dropped_bytes(), 0u);
  // The retry timer is gone once healthy: within 1.5 s only our own timer runs.
  loop_.Poll();  // runs the cancelled timer's completion, a no-op
  bool timed_out = false;
  auto guard = loop_.AddTimer(std::chrono::milliseconds(1500), [&] { timed_out = true; });
  size_t handlers = 0;
  while (!timed_out) handlers += loop_.RunOne();
  EXPECT_EQ(handlers, 1u);
  EXPECT_EQ(ReadFile(broken_path_), "hello\nworld\nafter\n");
}

TEST_F(BrokenDirTest, RetryTimerRecoversWithoutHelp) {
  LogFile log(loop_, broken_path_, Spec(0, 10, false, true), nullptr);
  log.Write("queued\n");
  Repair();
  ASSERT_TRUE(testing::RunUntil(loop_, [&] { return log.problem().empty(); }));
  EXPECT_THAT(ReadFile(broken_path_), ::testing::MatchesRegex(".*Z queued\n"));
}

TEST_F(BrokenDirTest, OverflowIsCountedAndMarkedOnRecovery) {
  LogFile log(loop_, broken_path_, Spec(0), nullptr);
  const std::string input = NumberedLines(20000, 5, 150);  // well over 1 MiB
  ASSERT_GT(input.size(), (1u << 20) + 1000);
  log.Write(input);
  log.Write("lost too\n");
  const uint64_t expected_dropped = input.size() + 9 - (1u << 20);
  EXPECT_EQ(log.dropped_bytes(), expected_dropped);
  EXPECT_THAT(log.problem(), ::testing::HasSubstr(std::to_string(expected_dropped) + " dropped"));
  Repair();
  log.Reopen();
  log.Write("fresh\n");
  std::string content = ReadFile(broken_path_);
  std::string kept = input.substr(0, 1 << 20);
  ASSERT_EQ(content.substr(0, kept.size()), kept);
  std::string rest = content.substr(kept.size());
  std::string marker = "[vigil] " + std::to_string(expected_dropped) + " bytes dropped: cannot open " +
                       broken_path_.string() + ": Not a directory\n";
  // The kept part ends mid-line, so the marker starts on a line of its own.
  bool mid_line = kept.back() != '\n';
  EXPECT_EQ(rest, (mid_line ? "\n" : "") + marker + "fresh\n");
  EXPECT_EQ(log.problem(), "");
}

TEST_F(LogFileTest, DiskFullBuffersAndRecovers) {
  if (access("/dev/full", W_OK) != 0) GTEST_SKIP() << "no /dev/full";
  fs::create_symlink("/dev/full", path_);
  LogFile log(loop_, path_, Spec(0), nullptr);
  log.Write("kept\n");
  EXPECT_THAT(log.problem(), ::testing::HasSubstr("No space left on device"));
  fs::remove(path_);
  log.Reopen();
  EXPECT_EQ(log.problem(), "");
  EXPECT_EQ(ReadFile(path_), "kept\n");
}

TEST_F(LogFileTest, DeletedCurrentFileIsRecreatedAtNextRotation) {
  LogFile log(loop_, path_, Spec(10), nullptr);
  log.Write("01234");
  fs::remove(path_);
  log.Write("56789\n");  // reaches max_bytes: rotation finds the file gone
  log.Write("next\n");
  EXPECT_EQ(log.problem(), "");
  EXPECT_EQ(ReadFile(path_), "next\n");
  EXPECT_EQ(loop_.Poll(), 0u);
}

TEST_F(LogFileTest, SubscribersGetTimestampedLinesLikeTheFile) {
  LogFile log(loop_, path_, Spec(0, 10, false, true), nullptr);
  std::string got;
  event::HandlePtr h = log.Subscribe([&](std::string_view s) { got += s; });
  log.Write("x\ny");
  log.Write("z\n");
  EXPECT_EQ(got, ReadFile(path_));
  EXPECT_EQ(got.size(), 2 * 25 + 5);
}

TEST_F(LogFileTest, SubscribersGetBytesUntilHandleIsGone) {
  LogFile log(loop_, path_, Spec(0), nullptr);
  std::string a, b;
  event::HandlePtr ha = log.Subscribe([&](std::string_view s) { a += s; });
  event::HandlePtr hb;
  hb = log.Subscribe([&](std::string_view s) {
    b += s;
    hb.reset();  // unsubscribing from inside the callback
  });
  log.Write("x\n");
  log.Write("y\n");
  EXPECT_EQ(a, "x\ny\n");
  EXPECT_EQ(b, "x\n");
  ha.reset();
  log.Write("z\n");
  EXPECT_EQ(a, "x\ny\n");
}

TEST_F(LogFileTest, SubscriptionMayOutliveTheLogFile) {
  event::HandlePtr h;
  {
    LogFile log(loop_, path_, Spec(0), nullptr);
    h = log.Subscribe([](std::string_view) {});
  }
  h.reset();
}


// Regression test for issue 8, item 1: with timestamps on, Write() built the stamped chunk
// in a scratch buffer shared by every log file; when the disk was full the problem listener
// ran synchronously, and the event log's own timestamped Write() refilled that buffer while
// the program's write still held a view into it, so event-log text replaced program output.
// /dev/full fails every write with ENOSPC, as a full disk does.
TEST_F(LogFileTest, DiskFullWithTimestampsKeepsTheProgramsOwnBytes) {
  if (access("/dev/full", W_OK) != 0) GTEST_SKIP() << "no /dev/full";
  fs::create_symlink("/dev/full", path_);
  LogFile events(loop_, dir_ / "vigild.log", Spec(0, 10, false, true), nullptr);
  LogFile log(loop_, path_, Spec(0, 10, false, true), nullptr);
  int problems = 0;
  log.SetProblemListener([&](const std::string& message) {
    ++problems;
    events.Write("web: " + message + "\n");  // what the daemon's event log does
  });
  const std::string lines = NumberedLines(5000, 8);
  log.Write(lines);
  loop_.Poll();  // the problem is reported on the loop, after the write
  EXPECT_EQ(problems, 1);
  EXPECT_THAT(ReadFile(dir_ / "vigild.log"), ::testing::HasSubstr("No space left on device"));
  fs::remove(path_);
  log.Reopen();
  EXPECT_EQ(log.problem(), "");
  // Every line is a stamp ("2026-11-22T21:45:03.123Z ") and then the program's line.
  std::string unstamped;
  std::istringstream file(ReadFile(path_));
  for (std::string line; std::getline(file, line);) {
    ASSERT_GT(line.size(), 25u) << line;
    EXPECT_EQ(line[10], 'T') << line;
    EXPECT_EQ(line.substr(23, 2), "Z ") << line;
    unstamped += line.substr(25) + "\n";
  }
  EXPECT_EQ(unstamped, lines);
}

// A listener that writes into the same log file it reports on must not run inside the
// failing write either (it would append to the bytes being buffered).
TEST_F(LogFileTest, ProblemListenerRunsAfterTheWriteNotInsideIt) {
  if (access("/dev/full", W_OK) != 0) GTEST_SKIP() << "no /dev/full";
  fs::create_symlink("/dev/full", path_);
  LogFile log(loop_, path_, Spec(0), nullptr);
  std::vector<std::string> heard;
  log.SetProblemListener([&](const std::string& message) { heard.push_back(message); });
  log.Write("one\n");
  EXPECT_TRUE(heard.empty());
  loop_.Poll();
  ASSERT_EQ(heard.size(), 1u);
  fs::remove(path_);
  log.Reopen();
  loop_.Poll();
  ASSERT_EQ(heard.size(), 2u);
  EXPECT_THAT(heard[1], ::testing::HasSubstr("writing"));
  EXPECT_EQ(ReadFile(path_), "one\n");
}

// Regression test for issue 8, item 3: a follower of a log file that goes away (its program
// removed by a reload) was never told, so `vigil logs -f` never ended.
TEST_F(LogFileTest, FollowersAreToldWhenTheLogEnds) {
  std::vector<std::string> ended;
  event::HandlePtr h;
  {
    LogFile log(loop_, path_, Spec(0), nullptr);
    h = log.Subscribe([](std::string_view) {}, [&](std::string_view why) { ended.emplace_back(why); });
    log.EndFollowers("web was removed from the config");
    EXPECT_TRUE(ended.empty());  // told on the loop, not from inside the call
    loop_.Poll();
    ASSERT_EQ(ended.size(), 1u);
    EXPECT_EQ(ended[0], "web was removed from the config");
    log.Write("after\n");  // an ended follower gets nothing more
  }
  loop_.Poll();
  EXPECT_EQ(ended.size(), 1u);
  h.reset();
}

// A follower that goes away after its log ended, before it was told, is never told: the
// HTTP session behind it is freed by then (found in review: a client hanging up in the same
// loop turn as the reload that removed its program).
TEST_F(LogFileTest, AnEndIsNotToldToAFollowerThatLeftMeanwhile) {
  int told = 0;
  {
    LogFile log(loop_, path_, Spec(0), nullptr);
    event::HandlePtr h = log.Subscribe([](std::string_view) {}, [&](std::string_view) { ++told; });
    log.EndFollowers("web was removed from the config");
    h.reset();  // the follower leaves before the loop turn that would tell it
    loop_.Poll();
    EXPECT_EQ(told, 0);
    event::HandlePtr h2 = log.Subscribe([](std::string_view) {}, [&](std::string_view) { ++told; });
    h2.reset();
  }
  event::HandlePtr h3;
  {
    LogFile log(loop_, path_, Spec(0), nullptr);
    h3 = log.Subscribe([](std::string_view) {}, [&](std::string_view) { ++told; });
  }  // the log goes first; its end is posted...
  h3.reset();  // ...and the follower leaves before it arrives
  loop_.Poll();
  EXPECT_EQ(told, 0);
}

TEST_F(LogFileTest, DestroyingTheLogEndsItsFollowers) {
  std::vector<std::string> ended;
  event::HandlePtr h;
  {
    LogFile log(loop_, path_, Spec(0), nullptr);
    h = log.Subscribe([](std::string_view) {}, [&](std::string_view why) { ended.emplace_back(why); });
  }
  loop_.Poll();
  ASSERT_EQ(ended.size(), 1u);
  EXPECT_EQ(ended[0], "the log was closed");
}

}  // namespace
}  // namespace vigil::logs
