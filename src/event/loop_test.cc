// SPDX-License-Identifier: MIT
// Tests of event::Loop: timer order and cancellation on vigil's timerfd, and fd watches on
// its epoll set, including handles destroyed from inside callbacks.
#include "event/loop.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "base/unique_fd.h"

namespace vigil::event {
namespace {

using std::chrono::milliseconds;

// Runs the loop until `done()` or a 10 s deadline (a loop timer); returns done().
bool RunUntil(Loop& loop, const std::function<bool()>& done) {
  bool timed_out = false;
  auto guard = loop.AddTimer(std::chrono::seconds(10), [&] { timed_out = true; });
  while (!done() && !timed_out) loop.RunOne();
  return done();
}

struct Pipe {
  base::UniqueFd read_end;
  base::UniqueFd write_end;
  Pipe() {
    int fds[2];
    EXPECT_EQ(::pipe2(fds, O_NONBLOCK | O_CLOEXEC), 0);
    read_end.reset(fds[0]);
    write_end.reset(fds[1]);
  }
  void Write(const std::string& s) const {
    EXPECT_EQ(::write(write_end.get(), s.data(), s.size()), static_cast<ssize_t>(s.size()));
  }
  std::string ReadAll() const {
    std::string out;
    char buf[256];
    ssize_t n;
    while ((n = ::read(read_end.get(), buf, sizeof buf)) > 0) out.append(buf, n);
    return out;
  }
};

TEST(LoopTimerTest, FireInDeadlineOrderThenInsertionOrder) {
  Loop loop;
  std::vector<std::string> fired;
  auto late = loop.AddTimer(milliseconds(30), [&] { fired.push_back("late"); });
  auto first = loop.AddTimer(milliseconds(0), [&] { fired.push_back("first"); });
  auto second = loop.AddTimer(milliseconds(0), [&] { fired.push_back("second"); });
  ASSERT_TRUE(RunUntil(loop, [&] { return fired.size() == 3; }));
  EXPECT_EQ(fired, (std::vector<std::string>{"first", "second", "late"}));
}

TEST(LoopTimerTest, NeverFiresEarly) {
  Loop loop;
  auto start = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point fired_at;
  auto timer = loop.AddTimer(milliseconds(20), [&] { fired_at = std::chrono::steady_clock::now(); });
  ASSERT_TRUE(RunUntil(loop, [&] { return fired_at != std::chrono::steady_clock::time_point(); }));
  EXPECT_GE(fired_at - start, milliseconds(20));
}

TEST(LoopTimerTest, DestroyedHandleCancelsEvenTheEarliestTimer) {
  Loop loop;
  bool cancelled_fired = false;
  bool later_fired = false;
  auto cancelled = loop.AddTimer(milliseconds(1), [&] { cancelled_fired = true; });
  auto later = loop.AddTimer(milliseconds(5), [&] { later_fired = true; });
  cancelled.reset();
  ASSERT_TRUE(RunUntil(loop, [&] { return later_fired; }));
  EXPECT_FALSE(cancelled_fired);
}

TEST(LoopTimerTest, CallbackMayDestroyItsOwnHandle) {
  Loop loop;
  int calls = 0;
  HandlePtr self;
  self = loop.AddTimer(milliseconds(0), [&] {
    ++calls;
    self.reset();
  });
  ASSERT_TRUE(RunUntil(loop, [&] { return calls == 1; }));
  EXPECT_EQ(self, nullptr);
}

TEST(LoopTimerTest, ZeroTimerAddedByACallbackWaitsForTheNextTurn) {
  Loop loop;
  int rounds = 0;
  HandlePtr again;
  std::function<void()> tick = [&] {
    if (++rounds < 100) again = loop.AddTimer(milliseconds(0), tick);
  };
  again = loop.AddTimer(milliseconds(0), tick);
  // A turn of the loop runs a bounded number of rounds, so they cannot starve others.
  loop.RunOne();
  EXPECT_LT(rounds, 100);
  ASSERT_TRUE(RunUntil(loop, [&] { return rounds == 100; }));
}

TEST(LoopWatchTest, CallsBackOnEachNewWrite) {
  Loop loop;
  Pipe pipe;
  std::string got;
  auto watch = loop.WatchReadable(pipe.read_end.get(), [&] { got += pipe.ReadAll(); }).value();
  pipe.Write("one ");
  ASSERT_TRUE(RunUntil(loop, [&] { return got == "one "; }));
  pipe.Write("two");
  ASSERT_TRUE(RunUntil(loop, [&] { return got == "one two"; }));
}

TEST(LoopWatchTest, DataWrittenBeforeTheWatchIsSeen) {
  Loop loop;
  Pipe pipe;
  pipe.Write("early");
  std::string got;
  auto watch = loop.WatchReadable(pipe.read_end.get(), [&] { got += pipe.ReadAll(); }).value();
  ASSERT_TRUE(RunUntil(loop, [&] { return got == "early"; }));
}

TEST(LoopWatchTest, HangupIsReported) {
  Loop loop;
  Pipe pipe;
  bool hung_up = false;
  auto watch = loop.WatchReadable(pipe.read_end.get(), [&] {
    char c;
    hung_up = ::read(pipe.read_end.get(), &c, 1) == 0;
  }).value();
  pipe.write_end.reset();
  ASSERT_TRUE(RunUntil(loop, [&] { return hung_up; }));
}

// Two pipes ready in the same batch: the first callback destroys both watches, and the
// second must not be called.
TEST(LoopWatchTest, WatchDestroyedByAnEarlierCallbackInTheSameBatchIsNotCalled) {
  Loop loop;
  Pipe a, b;
  HandlePtr watch_a, watch_b;
  int calls = 0;
  auto on_ready = [&] {
    ++calls;
    watch_a.reset();
    watch_b.reset();
  };
  watch_a = loop.WatchReadable(a.read_end.get(), on_ready).value();
  watch_b = loop.WatchReadable(b.read_end.get(), on_ready).value();
  a.Write("x");
  b.Write("y");
  ASSERT_TRUE(RunUntil(loop, [&] { return calls > 0; }));
  loop.Poll();
  EXPECT_EQ(calls, 1);
}

TEST(LoopWatchTest, ManyReadyWatchesAreAllServed) {
  Loop loop;
  std::vector<Pipe> pipes(300);  // more than one batch of epoll events
  std::vector<HandlePtr> watches;
  size_t served = 0;
  for (auto& p : pipes) {
    watches.push_back(loop.WatchReadable(p.read_end.get(), [&served, &p] {
      if (!p.ReadAll().empty()) ++served;
    }).value());
    p.Write("z");
  }
  ASSERT_TRUE(RunUntil(loop, [&] { return served == pipes.size(); }));
}

TEST(LoopTest, PostRunsOnTheLoop) {
  Loop loop;
  bool ran = false;
  loop.Post([&] { ran = true; });
  ASSERT_TRUE(RunUntil(loop, [&] { return ran; }));
}

}  // namespace
}  // namespace vigil::event

namespace vigil::event {
namespace {

// Regression test for issue 8, item 7: a failed EPOLL_CTL_ADD was only perror()ed, so the
// caller thought its pipe was watched and the child blocked on a full pipe. epoll(7) refuses
// regular files with EPERM, which makes the failure reproducible.
TEST(LoopWatchTest, RegistrationFailureIsReturnedToTheCaller) {
  Loop loop;
  char path[] = "/tmp/vigil-loop-test-XXXXXX";
  base::UniqueFd file(::mkstemp(path));
  ASSERT_TRUE(file.valid());
  ::unlink(path);
  bool called = false;
  auto watch = loop.WatchReadable(file.get(), [&] { called = true; });
  ASSERT_FALSE(watch);
  EXPECT_NE(watch.error().message().find("Operation not permitted"), std::string::npos) << watch.error().message();
  loop.Poll();
  EXPECT_FALSE(called);
}

// Regression test for issue 8, item 11: a delay past what steady_clock can add (a config
// value of "1000000d") overflowed into the past and fired at once; delays saturate instead.
TEST(LoopTimerTest, HugeDelaySaturatesInsteadOfFiringAtOnce) {
  Loop loop;
  bool fired = false;
  auto huge = loop.AddTimer(base::Duration::max(), [&] { fired = true; });
  auto days = loop.AddTimer(std::chrono::hours(24 * 1000000), [&] { fired = true; });
  bool later = false;
  auto soon = loop.AddTimer(milliseconds(20), [&] { later = true; });
  ASSERT_TRUE(RunUntil(loop, [&] { return later; }));
  EXPECT_FALSE(fired);
}

}  // namespace
}  // namespace vigil::event
