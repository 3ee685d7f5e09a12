// SPDX-License-Identifier: MIT
// PipeReader: everything read in order, EOF once, budgeted wakeups, and throughput.
#include "logs/pipe_reader.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include "logs/log_file.h"
#include "logs/test_util.h"

namespace vigil::logs {
namespace {

struct Pipe {
  Pipe() {
    int fds[2];
    EXPECT_EQ(::pipe2(fds, O_CLOEXEC), 0);
    read_end.reset(fds[0]);
    write_end.reset(fds[1]);
  }
  base::UniqueFd read_end;
  base::UniqueFd write_end;
};

void WriteAllBlocking(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    ASSERT_GT(n, 0);
    data.remove_prefix(static_cast<size_t>(n));
  }
}

TEST(PipeReaderTest, ReadsEverythingThenReportsEofOnce) {
  event::Loop loop;
  Pipe pipe;
  const std::string input = testing::NumberedLines(100000, 8);  // ~10 MB: many budgets
  std::thread writer([&, fd = std::move(pipe.write_end)]() mutable {
    WriteAllBlocking(fd.get(), input);
    fd.reset();
  });
  std::string got;
  int eofs = 0;
  auto reader = PipeReader::Start(loop, std::move(pipe.read_end), [&](std::string_view s) { got += s; },
                    [&] { ++eofs; }).value();
  EXPECT_TRUE(testing::RunUntil(loop, [&] { return eofs > 0; }));
  writer.join();
  EXPECT_EQ(got, input);
  EXPECT_EQ(eofs, 1);
  EXPECT_TRUE(reader->at_eof());
  loop.Poll();
  EXPECT_EQ(eofs, 1);
}

TEST(PipeReaderTest, FloodingPipeDoesNotStarveOtherWork) {
  event::Loop loop;
  // More than one budget already waiting, with no writer left to trigger a new edge:
  // the reader must come back by itself, and let a posted task run in between. A pipe
  // cannot hold that much (pipe-max-size is 1 MiB), a stream socket with big buffers can.
  int sv[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
  base::UniqueFd read_end(sv[0]), write_end(sv[1]);
  int big = 8 << 20;
  if (::setsockopt(write_end.get(), SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof(big)) != 0 ||
      ::setsockopt(read_end.get(), SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big)) != 0) {
    GTEST_SKIP() << "cannot force socket buffer sizes (needs CAP_NET_ADMIN)";
  }
  const std::string input(3 << 20, 'z');
  WriteAllBlocking(write_end.get(), input);
  write_end.reset();
  size_t got = 0;
  bool eof = false;
  size_t got_when_posted_ran = 0;
  auto reader = PipeReader::Start(loop, std::move(read_end), [&](std::string_view s) {
    if (got == 0) loop.Post([&] { got_when_posted_ran = got; });
    got += s.size();
  }, [&] { eof = true; }).value();
  EXPECT_TRUE(testing::RunUntil(loop, [&] { return eof; }));
  EXPECT_EQ(got, input.size());
  EXPECT_GT(got_when_posted_ran, 0u);
  EXPECT_LT(got_when_posted_ran, input.size());
}

TEST(PipeReaderTest, EofCallbackMayDestroyTheReader) {
  event::Loop loop;
  Pipe pipe;
  pipe.write_end.reset();
  std::unique_ptr<PipeReader> reader;
  bool eof = false;
  reader = PipeReader::Start(loop, std::move(pipe.read_end), [](std::string_view) {},
                                        [&] {
                                          eof = true;
                                          reader.reset();
                                        }).value();
  EXPECT_TRUE(testing::RunUntil(loop, [&] { return eof; }));
  EXPECT_EQ(reader, nullptr);
}

// Measures pipe -> LogFile throughput for 100-byte lines. Run with
// --gtest_also_run_disabled_tests; it prints MB/s rather than asserting a machine-
// dependent number.
TEST(PipeReaderTest, DISABLED_ThroughputIntoLogFile) {
  event::Loop loop;
  testing::TempDir dir;
  Pipe pipe;
  std::string block;
  for (int i = 0; i < 10000; ++i) {
    char line[101];
    snprintf(line, sizeof(line), "%08d %090d", i, i);
    block.append(line, 99);
    block.push_back('\n');
  }
  const size_t kTotal = size_t{2} << 30;
  std::thread writer([&, fd = std::move(pipe.write_end)]() mutable {
    ::fcntl(fd.get(), F_SETPIPE_SZ, 1 << 20);
    for (size_t sent = 0; sent < kTotal; sent += block.size()) WriteAllBlocking(fd.get(), block);
    fd.reset();
  });
  config::LogSpec spec;
  spec.max_bytes = 100 << 20;
  spec.keep = 2;
  LogFile log(loop, dir / "bench.out.log", spec, nullptr);
  bool eof = false;
  auto start = std::chrono::steady_clock::now();
  auto reader = PipeReader::Start(loop, std::move(pipe.read_end), [&](std::string_view s) { log.Write(s); },
                    [&] { eof = true; }).value();
  ASSERT_TRUE(testing::RunUntil(loop, [&] { return eof; }, std::chrono::seconds(120)));
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  writer.join();
  std::printf("throughput: %.0f MB/s (%zu bytes in %.2f s)\n", kTotal / secs / 1e6, kTotal, secs);
  EXPECT_EQ(log.problem(), "");
}

}  // namespace
}  // namespace vigil::logs

namespace vigil::logs {
namespace {

// Regression test for issue 8, item 7: a reader whose fd the loop cannot watch must say so,
// or the child writing into the pipe would block forever on a full pipe.
TEST(PipeReaderTest, StartFailsWhenTheLoopCannotWatchTheFd) {
  event::Loop loop;
  char path[] = "/tmp/vigil-pipe-reader-test-XXXXXX";
  base::UniqueFd file(::mkstemp(path));
  ASSERT_TRUE(file.valid());
  ::unlink(path);
  bool called = false;
  auto reader = PipeReader::Start(loop, std::move(file), [&](std::string_view) { called = true; },
                                  [&] { called = true; });
  ASSERT_FALSE(reader);
  EXPECT_NE(reader.error().message().find("epoll_ctl"), std::string::npos) << reader.error().message();
  loop.Poll();
  EXPECT_FALSE(called);
}

}  // namespace
}  // namespace vigil::logs
