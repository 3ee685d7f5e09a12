// SPDX-License-Identifier: MIT
// AlertWorkerProcess with real processes: a shell stand-in for `vigil-alert --worker` that
// answers each request by what its file holds (ok, fail, die, hang, garbage).
#include "daemon/alert_worker.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <csignal>
#include <fstream>

#include "base/file_util.h"
#include "util/temp_dir.h"

namespace vigil::daemon {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr char kStandIn[] = R"(#!/bin/sh
[ "$1" = "--worker" ] || exit 64
echo "$$" >> "$(dirname "$0")/starts"
while IFS= read -r line; do
  seq=${line##*\"seq\":}; seq=${seq%%[!0-9]*}
  file=${line#*\"file\":\"}; file=${file%%\"*}
  case $(cat "$file") in
    ok) echo "{\"seq\":$seq,\"ok\":true}" ;;
    fail) echo "{\"seq\":$seq,\"ok\":false,\"error\":\"HTTP 500 from http://hooks.example.com/...\"}" ;;
    die) echo "boom" >&2; exit 3 ;;
    hang) sleep 60 ;;
    garbage) echo "nonsense" ;;
  esac
done
)";

class AlertWorkerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::signal(SIGPIPE, SIG_IGN);  // as vigild does: a dead worker's stdin gives EPIPE
    const auto script = temp_.path() / "vigil-alert";
    ASSERT_TRUE(base::WriteFileAtomically(script, kStandIn, 0755).ok());
  }
  // A request file holding `what`.
  std::filesystem::path Request(const std::string& what) {
    const auto file = temp_.path() / ("request-" + std::to_string(++files_));
    EXPECT_TRUE(base::WriteFileAtomically(file, what, 0600).ok());
    return file;
  }
  struct Answer {
    bool done = false;
    std::string error;
  };
  event::HandlePtr Deliver(const std::string& what, Answer* answer, base::Duration timeout = seconds(10)) {
    return worker_.Deliver(Request(what), timeout, [answer](std::string error) {
      EXPECT_FALSE(answer->done) << "answered twice";
      answer->done = true;
      answer->error = std::move(error);
    });
  }
  bool RunUntil(const std::function<bool()>& done) {
    bool expired = false;
    auto deadline = loop_.AddTimer(seconds(20), [&] { expired = true; });
    while (!done() && !expired) loop_.RunOne();
    return done();
  }
  int Starts() {
    auto text = base::ReadFile(temp_.path() / "starts");
    return text ? static_cast<int>(std::count(text->begin(), text->end(), '\n')) : 0;
  }

  vigil::testing::TempDir temp_;
  event::Loop loop_;
  event::LoopClock clock_{loop_};
  process::LinuxLauncher launcher_{loop_};
  AlertWorkerProcess worker_{launcher_, clock_, loop_, temp_.path() / "vigil-alert"};
  int files_ = 0;
};

TEST_F(AlertWorkerTest, OneWorkerDeliversOneRequestAfterAnother) {
  Answer first, second, third;
  auto h1 = Deliver("ok", &first);
  auto h2 = Deliver("fail", &second);
  EXPECT_FALSE(first.done) << "never from inside Deliver()";
  ASSERT_TRUE(RunUntil([&] { return first.done && second.done; }));
  EXPECT_EQ(first.error, "");
  EXPECT_EQ(second.error, "HTTP 500 from http://hooks.example.com/...");
  const pid_t pid = worker_.pid();
  EXPECT_GT(pid, 0);
  auto h3 = Deliver("ok", &third);
  ASSERT_TRUE(RunUntil([&] { return third.done; }));
  EXPECT_EQ(third.error, "");
  EXPECT_EQ(worker_.pid(), pid) << "kept, not started per delivery";
  EXPECT_EQ(Starts(), 1);
}

TEST_F(AlertWorkerTest, AWorkerThatDiesFailsWhatItHeldAndTheNextDeliveryStartsANewOne) {
  Answer dying, behind, next;
  auto h1 = Deliver("die", &dying);
  auto h2 = Deliver("ok", &behind);
  ASSERT_TRUE(RunUntil([&] { return dying.done && behind.done; }));
  EXPECT_EQ(dying.error, "vigil-alert ended (exit 3): boom");
  EXPECT_EQ(behind.error, "vigil-alert ended (exit 3): boom");
  EXPECT_EQ(worker_.pid(), 0);
  auto h3 = Deliver("ok", &next);
  ASSERT_TRUE(RunUntil([&] { return next.done; }));
  EXPECT_EQ(next.error, "");
  EXPECT_EQ(Starts(), 2);
}

TEST_F(AlertWorkerTest, AHungWorkerIsKilledAtTheTimeoutAndReplaced) {
  Answer hung, behind, next;
  auto h1 = Deliver("hang", &hung, milliseconds(300));
  auto h2 = Deliver("ok", &behind);
  const pid_t pid = worker_.pid();
  ASSERT_TRUE(RunUntil([&] { return hung.done && behind.done; }));
  EXPECT_EQ(hung.error, "no answer from vigil-alert within 300ms");
  EXPECT_EQ(behind.error, "vigil-alert was restarted: another delivery got no answer within 300ms");
  auto h3 = Deliver("ok", &next);
  ASSERT_TRUE(RunUntil([&] { return next.done; }));
  EXPECT_EQ(next.error, "");
  EXPECT_NE(worker_.pid(), pid);
}

TEST_F(AlertWorkerTest, AnAnswerThatIsNoResultKillsTheWorker) {
  Answer garbage;
  auto h = Deliver("garbage", &garbage);
  ASSERT_TRUE(RunUntil([&] { return garbage.done; }));
  EXPECT_EQ(garbage.error.rfind("vigil-alert answered something else than a result: ", 0), 0u) << garbage.error;
  EXPECT_EQ(worker_.pid(), 0);
}

TEST_F(AlertWorkerTest, ACancelledDeliveryIsNotAnswered) {
  Answer cancelled, after;
  auto h1 = Deliver("ok", &cancelled);
  h1.reset();
  auto h2 = Deliver("ok", &after);
  ASSERT_TRUE(RunUntil([&] { return after.done; }));
  EXPECT_FALSE(cancelled.done);
}

TEST_F(AlertWorkerTest, NotNeededItEndsOnceIdle) {
  Answer a;
  auto h = Deliver("ok", &a);
  worker_.SetNeeded(false);
  EXPECT_GT(worker_.pid(), 0) << "not while a delivery is under way";
  ASSERT_TRUE(RunUntil([&] { return a.done; }));
  EXPECT_EQ(a.error, "");
  ASSERT_TRUE(RunUntil([&] { return worker_.pid() == 0; }));
  Answer b;
  auto h2 = Deliver("ok", &b);  // one more starts it again
  ASSERT_TRUE(RunUntil([&] { return b.done; }));
  EXPECT_EQ(b.error, "");
  EXPECT_EQ(Starts(), 2);
}

TEST_F(AlertWorkerTest, AWorkerThatCannotStartFailsOnALaterTurn) {
  AlertWorkerProcess missing(launcher_, clock_, loop_, temp_.path() / "nope");
  Answer a;
  auto h = missing.Deliver(Request("ok"), seconds(10), [&a](std::string error) {
    a.done = true;
    a.error = error;
  });
  EXPECT_FALSE(a.done);
  ASSERT_TRUE(RunUntil([&] { return a.done; }));
  EXPECT_EQ(a.error.rfind("cannot start vigil-alert: cannot execute", 0), 0u) << a.error;
}

}  // namespace
}  // namespace vigil::daemon
