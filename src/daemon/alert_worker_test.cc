// SPDX-License-Identifier: MIT
// AlertWorkerProcess with real processes: a shell stand-in for `vigil-alert --worker` that
// answers each request by what its file holds (ok, fail, die, hang, garbage). Its start
// ahead of the first delivery and its restarts with backoff run on the fake launcher and
// clock, so that time moves only when a test says.
#include "daemon/alert_worker.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "alert/worker_protocol.h"
#include "base/file_util.h"
#include "fakes/fake_clock.h"
#include "fakes/fake_launcher.h"
#include "util/temp_dir.h"

namespace vigil::daemon {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
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

TEST_F(AlertWorkerTest, NeededItStartsBeforeTheFirstDelivery) {
  worker_.SetNeeded(true);
  const pid_t pid = worker_.pid();
  EXPECT_GT(pid, 0) << "started at once, not at the first delivery";
  ASSERT_TRUE(RunUntil([&] { return Starts() == 1; }));
  Answer a;
  auto h = Deliver("ok", &a);
  ASSERT_TRUE(RunUntil([&] { return a.done; }));
  EXPECT_EQ(a.error, "");
  EXPECT_EQ(worker_.pid(), pid) << "the delivery went to the worker started ahead";
  EXPECT_EQ(Starts(), 1);
}

// The worker's start ahead of need and its restarts, on the fake launcher and clock.
class AlertWorkerRestartTest : public ::testing::Test {
 protected:
  void SetUp() override { std::signal(SIGPIPE, SIG_IGN); }

  // The worker started last ends with status 2, as a broken vigil-alert does at once.
  void LastWorkerDies() {
    ASSERT_GT(Starts(), 0u) << "no worker was started";
    launcher_.ExitWith(launcher_.Last().pid, 2);
  }
  void AdvanceClock(base::Duration d) { clock_.Advance(d); }
  size_t Starts() const { return launcher_.launches(); }

  struct Answer {
    bool done = false;
    std::string error;
  };
  event::HandlePtr Deliver(AlertWorkerProcess& worker, Answer* answer, std::function<void()> then = nullptr) {
    return worker.Deliver("/var/lib/vigil/outbox/1.json", seconds(35), [answer, then](std::string error) {
      EXPECT_FALSE(answer->done) << "answered twice";
      answer->done = true;
      answer->error = std::move(error);
      if (then) then();
    });
  }
  // The last worker reads its next request and answers it with success.
  void LastWorkerAnswers() {
    ASSERT_GT(Starts(), 0u) << "no worker was started";
    const int in = launcher_.Last().stdin_r.get();
    ::fcntl(in, F_SETFL, ::fcntl(in, F_GETFL) | O_NONBLOCK);  // no request must fail, not hang
    std::string line;
    char c = 0;
    while (line.find('\n') == std::string::npos && ::read(in, &c, 1) == 1) line += c;
    auto request = alert::ParseWorkerRequest(line);
    ASSERT_TRUE(request) << line;
    const std::string result = alert::WorkerResultLine({request->seq, true, ""});
    ASSERT_EQ(::write(launcher_.Last().stdout_w.get(), result.data(), result.size()),
              static_cast<ssize_t>(result.size()));
  }
  // Runs what the loop has ready (the worker's answers) until `done`.
  bool PollUntil(const std::function<bool()>& done) {
    for (int i = 0; i < 100 && !done(); ++i) loop_.Poll();
    return done();
  }

  event::Loop loop_;
  event::FakeClock clock_{std::chrono::sys_days{std::chrono::year{2026} / 12 / 1}};
  process::FakeLauncher launcher_{loop_};
  AlertWorkerProcess worker_{launcher_, clock_, loop_, "/usr/lib/vigil/vigil-alert"};
};

TEST_F(AlertWorkerRestartTest, NeededStartsTheWorkerAtOnce) {
  EXPECT_EQ(Starts(), 0u) << "not before it is needed";
  worker_.SetNeeded(true);
  ASSERT_EQ(Starts(), 1u);
  EXPECT_EQ(worker_.pid(), launcher_.Last().pid);
  EXPECT_EQ(launcher_.Last().request.argv, (std::vector<std::string>{"/usr/lib/vigil/vigil-alert", "--worker"}));
  worker_.SetNeeded(true);  // a reload that keeps the channels
  EXPECT_EQ(Starts(), 1u);
  EXPECT_EQ(clock_.pending(), 0u) << "no timer while the worker runs";
}

TEST_F(AlertWorkerRestartTest, NotNeededNothingStartsAndNoTimerIsArmed) {
  worker_.SetNeeded(false);
  EXPECT_EQ(clock_.pending(), 0u) << "an idle vigild without alert channels never wakes";
  AdvanceClock(hours(1));
  EXPECT_EQ(Starts(), 0u);
  EXPECT_EQ(worker_.pid(), 0);
}

TEST_F(AlertWorkerRestartTest, AnIdleWorkerThatDiesIsRestartedAfterTheBackoff) {
  worker_.SetNeeded(true);
  LastWorkerDies();
  EXPECT_EQ(worker_.pid(), 0);
  EXPECT_EQ(Starts(), 1u) << "not at once";
  AdvanceClock(milliseconds(999));
  EXPECT_EQ(Starts(), 1u);
  AdvanceClock(milliseconds(1));
  ASSERT_EQ(Starts(), 2u);
  EXPECT_EQ(worker_.pid(), launcher_.Last().pid);
  EXPECT_EQ(clock_.pending(), 0u);
}

TEST_F(AlertWorkerRestartTest, TheBackoffDoublesUpToAMinute) {
  worker_.SetNeeded(true);
  size_t starts = 1;
  for (int delay_s : {1, 2, 4, 8, 16, 32, 60, 60}) {
    LastWorkerDies();
    AdvanceClock(seconds(delay_s) - milliseconds(1));
    EXPECT_EQ(Starts(), starts) << "before " << delay_s << "s";
    AdvanceClock(milliseconds(1));
    EXPECT_EQ(Starts(), ++starts) << "at " << delay_s << "s";
  }
}

TEST_F(AlertWorkerRestartTest, TheBackoffStartsOverOnceAWorkerHasLivedAWhile) {
  worker_.SetNeeded(true);
  for (int delay_s : {1, 2, 4}) {
    LastWorkerDies();
    AdvanceClock(seconds(delay_s));
  }
  ASSERT_EQ(Starts(), 4u);
  AdvanceClock(minutes(1));
  LastWorkerDies();
  AdvanceClock(seconds(1));
  EXPECT_EQ(Starts(), 5u);
}

TEST_F(AlertWorkerRestartTest, TheBackoffStartsOverOnceAWorkerHasAnswered) {
  worker_.SetNeeded(true);
  for (int delay_s : {1, 2, 4}) {
    LastWorkerDies();
    AdvanceClock(seconds(delay_s));
  }
  ASSERT_EQ(Starts(), 4u);
  Answer a;
  auto h = Deliver(worker_, &a);
  LastWorkerAnswers();
  ASSERT_TRUE(PollUntil([&] { return a.done; }));
  EXPECT_EQ(a.error, "");
  LastWorkerDies();
  AdvanceClock(seconds(1));
  EXPECT_EQ(Starts(), 5u);
}

TEST_F(AlertWorkerRestartTest, AWorkerThatCannotStartIsTriedAgainWithBackoff) {
  launcher_.fail_next = base::Status::IoError("cannot execute /usr/lib/vigil/vigil-alert: No such file or directory");
  worker_.SetNeeded(true);
  EXPECT_EQ(worker_.pid(), 0);
  launcher_.fail_next = base::Status::IoError("cannot execute /usr/lib/vigil/vigil-alert: No such file or directory");
  AdvanceClock(seconds(1));
  EXPECT_FALSE(launcher_.fail_next) << "tried again after 1s";
  AdvanceClock(seconds(2) - milliseconds(1));
  EXPECT_EQ(Starts(), 0u);
  AdvanceClock(milliseconds(1));
  EXPECT_EQ(Starts(), 1u) << "then after 2s";
}

TEST_F(AlertWorkerRestartTest, AReloadDoesNotCutTheBackoffShort) {
  worker_.SetNeeded(true);
  LastWorkerDies();
  worker_.SetNeeded(true);
  EXPECT_EQ(Starts(), 1u);
  AdvanceClock(seconds(1));
  EXPECT_EQ(Starts(), 2u);
}

TEST_F(AlertWorkerRestartTest, ADeliveryDuringTheBackoffStartsAWorkerAtOnce) {
  worker_.SetNeeded(true);
  LastWorkerDies();
  Answer a;
  auto h = Deliver(worker_, &a);
  EXPECT_EQ(Starts(), 2u);
  EXPECT_EQ(clock_.pending(), 1u) << "the delivery's timeout only: the restart is dropped";
  AdvanceClock(seconds(1));
  EXPECT_EQ(Starts(), 2u);
}

TEST_F(AlertWorkerRestartTest, NotNeededCancelsAPendingRestart) {
  worker_.SetNeeded(true);
  LastWorkerDies();
  EXPECT_EQ(clock_.pending(), 1u);
  worker_.SetNeeded(false);
  EXPECT_EQ(clock_.pending(), 0u);
  AdvanceClock(hours(1));
  EXPECT_EQ(Starts(), 1u);
}

TEST_F(AlertWorkerRestartTest, AWorkerEndedBecauseNotNeededIsNotRestarted) {
  worker_.SetNeeded(true);
  ASSERT_EQ(Starts(), 1u);
  worker_.SetNeeded(false);
  char c = 0;
  EXPECT_EQ(::read(launcher_.Last().stdin_r.get(), &c, 1), 0) << "its input is closed";
  launcher_.ExitWith(launcher_.Last().pid, 0);
  EXPECT_EQ(clock_.pending(), 0u);
  AdvanceClock(hours(1));
  EXPECT_EQ(Starts(), 1u);
}

TEST_F(AlertWorkerRestartTest, NeededAgainWhileTheOldWorkerEndsStartsANewOne) {
  worker_.SetNeeded(true);
  const pid_t old = worker_.pid();
  worker_.SetNeeded(false);
  worker_.SetNeeded(true);
  ASSERT_EQ(Starts(), 2u);
  EXPECT_NE(worker_.pid(), old);
  ASSERT_NE(launcher_.Find(old), nullptr);
  EXPECT_TRUE(launcher_.Find(old)->abandoned) << "it ends by itself, unwatched";
  launcher_.ExitWith(old, 0);
  EXPECT_EQ(worker_.pid(), launcher_.Last().pid);
  EXPECT_EQ(clock_.pending(), 0u);
}

TEST_F(AlertWorkerRestartTest, ADeathWithDeliveriesUnderWayFailsThemAndRestartsLater) {
  worker_.SetNeeded(true);
  Answer a;
  auto h = Deliver(worker_, &a);
  LastWorkerDies();
  EXPECT_TRUE(a.done);
  EXPECT_EQ(a.error, "vigil-alert ended (exit 2)");
  EXPECT_EQ(clock_.pending(), 1u) << "the restart";
  AdvanceClock(seconds(1));
  EXPECT_EQ(Starts(), 2u);
}

TEST_F(AlertWorkerRestartTest, NotNeededFromTheCallbackOfADeliveryFailedByADeath) {
  worker_.SetNeeded(true);
  Answer a;
  auto h = Deliver(worker_, &a, [&] { worker_.SetNeeded(false); });
  LastWorkerDies();
  ASSERT_TRUE(a.done);
  EXPECT_EQ(clock_.pending(), 0u) << "no restart left armed";
  AdvanceClock(hours(1));
  EXPECT_EQ(Starts(), 1u);
}

TEST_F(AlertWorkerRestartTest, ADeliveryFromTheCallbackOfOneFailedByADeathStartsAtOnce) {
  worker_.SetNeeded(true);
  Answer a, b;
  event::HandlePtr h2;
  auto h1 = Deliver(worker_, &a, [&] { h2 = Deliver(worker_, &b); });
  LastWorkerDies();
  ASSERT_TRUE(a.done);
  EXPECT_EQ(Starts(), 2u);
  EXPECT_EQ(worker_.pid(), launcher_.Last().pid);
  EXPECT_EQ(clock_.pending(), 1u) << "the second delivery's timeout only";
  AdvanceClock(seconds(1));
  EXPECT_EQ(Starts(), 2u);
}

TEST_F(AlertWorkerRestartTest, DestroyedWithARestartPendingStartsNothing) {
  auto worker = std::make_unique<AlertWorkerProcess>(launcher_, clock_, loop_, "/usr/lib/vigil/vigil-alert");
  worker->SetNeeded(true);
  LastWorkerDies();
  EXPECT_EQ(clock_.pending(), 1u);
  worker.reset();
  EXPECT_EQ(clock_.pending(), 0u);
  AdvanceClock(hours(1));
  EXPECT_EQ(Starts(), 1u);
}

TEST_F(AlertWorkerRestartTest, DestroyedWithAWorkerRunningKillsIt) {
  auto worker = std::make_unique<AlertWorkerProcess>(launcher_, clock_, loop_, "/usr/lib/vigil/vigil-alert");
  worker->SetNeeded(true);
  const pid_t pid = worker->pid();
  worker.reset();
  ASSERT_NE(launcher_.Find(pid), nullptr);
  EXPECT_EQ(launcher_.Find(pid)->group_signals, std::vector<int>{SIGKILL});
  EXPECT_TRUE(launcher_.Find(pid)->abandoned);
  EXPECT_EQ(clock_.pending(), 0u);
}

}  // namespace
}  // namespace vigil::daemon
