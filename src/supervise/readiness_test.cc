// SPDX-License-Identifier: MIT
// Readiness and heartbeats of a Program (docs/readiness.md) on a FakeClock and a
// FakeLauncher: READY=1 and the other notify assignments, tcp/http probes through a fake
// ReadyProbes, log lines, the watchdog over the notify socket and over a heartbeat file,
// and a dependent waiting for its dependency to be ready.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <deque>
#include <filesystem>
#include <fstream>

#include "supervise/program.h"
#include "supervise/program_test_fixture.h"
#include "supervise/supervisor.h"

namespace vigil::supervise {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Answers probes when the test says so; matches log lines by substring.
class FakeReadyProbes : public ReadyProbes {
 public:
  event::HandlePtr Probe(const config::ReadySpec& spec, DoneFn done) override {
    targets.push_back(spec.target);
    pending.push_back(std::move(done));
    return nullptr;
  }
  LineMatcher MatchLines(const std::string& pattern) override {
    return [pattern](std::string_view line) { return line.find(pattern) != std::string_view::npos; };
  }
  // Answers the oldest probe in flight.
  void Answer(bool ready, std::string words = "connection refused") {
    ASSERT_FALSE(pending.empty());
    DoneFn done = std::move(pending.front());
    pending.pop_front();
    done(ready, std::move(words));
  }
  std::vector<std::string> targets;
  std::deque<DoneFn> pending;
};

process::NotifyMessage Says(bool ready = false, bool watchdog = false) {
  process::NotifyMessage m;
  m.ready = ready;
  m.watchdog = watchdog;
  return m;
}

class ReadinessTest : public SuperviseFixture {
 protected:
  Program& Make(config::ProgramSpec spec) {
    program_ = std::make_unique<Program>(env_, std::move(spec));
    return *program_;
  }
  static config::ProgramSpec NotifySpec(const std::string& name) {
    config::ProgramSpec s = Spec(name);
    s.ready.Mut().kind = config::ReadyKind::kNotify;
    s.ready.Mut().timeout = std::chrono::seconds(5);
    return s;
  }
  // A notify program that said READY=1.
  Program& MakeReady(config::ProgramSpec spec) {
    Program& p = Make(std::move(spec));
    p.Handle(Event::kStart);
    p.Notify(Says(true));
    EXPECT_EQ(p.state(), ProgramState::kRunning);
    return p;
  }

  RecordingProgramObserver observer_;
  FakeReadyProbes probes_;
  ProgramEnv env_{loop_, clock_, launcher_, nullptr, dir_, &observer_, &probes_, "/run/vigil/notify.sock"};
  std::unique_ptr<Program> program_;
};

TEST_F(ReadinessTest, ReadyOneMovesANotifyProgramToRunningInsteadOfStartSeconds) {
  Program& p = Make(NotifySpec("web"));
  p.Handle(Event::kStart);
  EXPECT_EQ(launcher_.Last().request.environment.at("NOTIFY_SOCKET"), "/run/vigil/notify.sock");
  EXPECT_EQ(launcher_.Last().request.environment.count("WATCHDOG_USEC"), 0u);
  Advance(std::chrono::seconds(2));  // well past start_seconds
  EXPECT_EQ(p.state(), ProgramState::kStarting);
  p.Notify(Says(true));
  EXPECT_EQ(p.state(), ProgramState::kRunning);
  EXPECT_THAT(observer_.lines, Contains("web: STARTING -> RUNNING: pid 1000 is ready: it said READY=1"));
  Advance(std::chrono::seconds(60));  // the ready timeout is gone
  EXPECT_EQ(p.state(), ProgramState::kRunning);
}

TEST_F(ReadinessTest, AProgramWithoutReadinessGetsNoNotifySocket) {
  Make(Spec("plain")).Handle(Event::kStart);
  EXPECT_EQ(launcher_.Last().request.environment.count("NOTIFY_SOCKET"), 0u);
}

TEST_F(ReadinessTest, NotReadyInTimeIsAFailedStartEvenIfItExitsZero) {
  Program& p = Make(NotifySpec("web"));
  p.Handle(Event::kStart);
  Advance(std::chrono::milliseconds(4999));
  EXPECT_EQ(p.state(), ProgramState::kStarting);
  Advance(std::chrono::milliseconds(1));
  EXPECT_THAT(launcher_.Find(1000)->group_signals, ElementsAre(SIGTERM, SIGCONT));
  EXPECT_THAT(observer_.lines,
              Contains("web: [signal] not ready: no READY=1 within 5s; sent SIGTERM to process group 1000"));
  launcher_.ExitWith(1000, 0);  // a clean exit code does not make the failed start a success
  Settle();
  EXPECT_EQ(p.state(), ProgramState::kBackoff);
  EXPECT_THAT(p.reason(), HasSubstr("not ready: no READY=1 within 5s; retry 1 of 5"));
}

TEST_F(ReadinessTest, AProgramThatIgnoresTheStopSignalIsKilledAfterStopTimeout) {
  Program& p = Make(NotifySpec("web"));
  launcher_.ignores_term_next = true;
  p.Handle(Event::kStart);
  Advance(std::chrono::seconds(5));
  Advance(p.spec().stop_timeout);
  EXPECT_THAT(launcher_.Find(1000)->group_signals, ElementsAre(SIGTERM, SIGCONT, SIGKILL));
  Settle();
  EXPECT_EQ(p.state(), ProgramState::kBackoff);
}

TEST_F(ReadinessTest, ExtendTimeoutUsecPushesTheReadyDeadline) {
  Program& p = Make(NotifySpec("web"));
  p.Handle(Event::kStart);
  Advance(std::chrono::seconds(4));
  process::NotifyMessage extend;
  extend.extend_timeout_usec = 10'000'000;  // 10 s from now: t = 14 s
  p.Notify(extend);
  Advance(std::chrono::seconds(9));
  EXPECT_EQ(p.state(), ProgramState::kStarting);
  EXPECT_TRUE(launcher_.Find(1000)->group_signals.empty());
  process::NotifyMessage shorter;
  shorter.extend_timeout_usec = 100'000;  // earlier than the deadline: no change
  p.Notify(shorter);
  Advance(std::chrono::milliseconds(500));
  EXPECT_TRUE(launcher_.Find(1000)->group_signals.empty());
  Advance(std::chrono::milliseconds(500));
  EXPECT_THAT(launcher_.Find(1000)->group_signals, ElementsAre(SIGTERM, SIGCONT));
}

TEST_F(ReadinessTest, StatusTextIsKeptForTheProcessThatSaidIt) {
  Program& p = MakeReady(NotifySpec("web"));
  process::NotifyMessage status;
  status.status = "serving 42 requests";
  p.Notify(status);
  EXPECT_EQ(p.status_text(), "serving 42 requests");
  launcher_.ExitWith(1000, 1);
  Settle();
  EXPECT_EQ(p.pid(), 1001);
  EXPECT_EQ(p.status_text(), "");
}

TEST_F(ReadinessTest, AMissedHeartbeatRestartsTheProgramAndSaysWhy) {
  config::ProgramSpec spec = NotifySpec("web");
  spec.watchdog = std::chrono::seconds(3);
  Program& p = Make(spec);
  p.Handle(Event::kStart);
  EXPECT_EQ(launcher_.Last().request.environment.at("WATCHDOG_USEC"), "3000000");
  p.Notify(Says(true));
  Advance(std::chrono::seconds(2));
  p.Notify(Says(false, true));  // a heartbeat: due again at t = 5 s
  Advance(std::chrono::milliseconds(2999));
  EXPECT_TRUE(launcher_.Find(1000)->group_signals.empty());
  Advance(std::chrono::milliseconds(1));
  EXPECT_THAT(observer_.lines, Contains("web: watchdog expired: no WATCHDOG=1 for 3s"));
  EXPECT_THAT(launcher_.Find(1000)->group_signals, ElementsAre(SIGTERM, SIGCONT));
  Settle();  // it dies of the SIGTERM and is restarted at once, as after a crash
  EXPECT_EQ(p.state(), ProgramState::kStarting);
  EXPECT_EQ(p.pid(), 1001);
  EXPECT_EQ(p.restarts(), 1);
}

TEST_F(ReadinessTest, StoppingOneTurnsTheWatchdogOff) {
  config::ProgramSpec spec = NotifySpec("web");
  spec.watchdog = std::chrono::seconds(3);
  Program& p = MakeReady(spec);
  process::NotifyMessage stopping;
  stopping.stopping = true;
  p.Notify(stopping);
  Advance(std::chrono::seconds(30));
  EXPECT_TRUE(launcher_.Find(1000)->group_signals.empty());
  EXPECT_EQ(p.state(), ProgramState::kRunning);
}

TEST_F(ReadinessTest, WatchdogUsecAndTriggerComeFromTheProgram) {
  config::ProgramSpec spec = NotifySpec("web");
  spec.watchdog = std::chrono::seconds(3);
  Program& p = MakeReady(spec);
  process::NotifyMessage longer;
  longer.watchdog_usec = 10'000'000;
  p.Notify(longer);
  Advance(std::chrono::seconds(9));
  EXPECT_TRUE(launcher_.Find(1000)->group_signals.empty());
  process::NotifyMessage trigger;
  trigger.watchdog_trigger = true;
  p.Notify(trigger);
  EXPECT_THAT(observer_.lines, Contains("web: watchdog expired: it sent WATCHDOG=trigger"));
  EXPECT_THAT(launcher_.Find(1000)->group_signals, ElementsAre(SIGTERM, SIGCONT));
}

TEST_F(ReadinessTest, TcpReadinessProbesUntilThePortAccepts) {
  config::ProgramSpec spec = Spec("db");
  spec.ready.Mut().kind = config::ReadyKind::kTcp;
  spec.ready.Mut().target = "127.0.0.1:5432";
  Program& p = Make(spec);
  p.Handle(Event::kStart);
  EXPECT_THAT(probes_.targets, ElementsAre("127.0.0.1:5432"));
  probes_.Answer(false);
  EXPECT_TRUE(probes_.pending.empty());
  Advance(Program::kFirstProbeDelay);  // the next look comes after a short wait
  ASSERT_EQ(probes_.pending.size(), 1u);
  probes_.Answer(false);
  Advance(Program::kFirstProbeDelay * 2);  // and waits longer each time
  ASSERT_EQ(probes_.pending.size(), 1u);
  probes_.Answer(true, "connected in 1 ms");
  EXPECT_EQ(p.state(), ProgramState::kRunning);
  EXPECT_THAT(observer_.lines, Contains("db: STARTING -> RUNNING: pid 1000 is ready: its port accepts connections"));
}

TEST_F(ReadinessTest, TcpNotReadyInTimeSaysWhatTheLastLookSaw) {
  config::ProgramSpec spec = Spec("db");
  spec.ready.Mut().kind = config::ReadyKind::kTcp;
  spec.ready.Mut().target = "127.0.0.1:5432";
  spec.ready.Mut().timeout = std::chrono::seconds(1);
  Program& p = Make(spec);
  p.Handle(Event::kStart);
  probes_.Answer(false, "connection refused");
  Advance(std::chrono::seconds(1));
  EXPECT_THAT(p.reason(), HasSubstr("not ready: 127.0.0.1:5432 not ready within 1s (last: connection refused)"));
}

TEST_F(ReadinessTest, ALogLineMatchingThePatternMakesItReadyEvenSplitAcrossReads) {
  config::ProgramSpec spec = Spec("app");
  spec.ready.Mut().kind = config::ReadyKind::kLog;
  spec.ready.Mut().target = "listening on";
  Program& p = Make(spec);
  p.Handle(Event::kStart);
  auto write = [&](std::string_view text) {
    ASSERT_EQ(::write(launcher_.Find(1000)->stdout_w.get(), text.data(), text.size()),
              static_cast<ssize_t>(text.size()));
    Settle();
  };
  write("booting\nlisten");
  EXPECT_EQ(p.state(), ProgramState::kStarting);
  write("ing on :80");
  EXPECT_EQ(p.state(), ProgramState::kStarting);  // the line has not ended
  write("\n");
  EXPECT_EQ(p.state(), ProgramState::kRunning);
}

TEST_F(ReadinessTest, AHeartbeatFileMustBeTouchedWithinTheWatchdog) {
  const std::filesystem::path beat = dir_ / "beat";
  std::ofstream(beat) << "";
  config::ProgramSpec spec = Spec("job");
  spec.watchdog = std::chrono::seconds(3);
  spec.heartbeat_file = beat.string();
  auto touch = [&] {
    // The fake clock's now, as the program would have touched it.
    const auto now = std::chrono::time_point_cast<std::chrono::system_clock::duration>(clock_.Now());
    std::filesystem::last_write_time(beat, std::chrono::file_clock::from_sys(now));
  };
  Program& p = Make(spec);
  p.Handle(Event::kStart);
  EXPECT_EQ(launcher_.Last().request.environment.count("NOTIFY_SOCKET"), 0u);
  Advance(std::chrono::seconds(2));
  touch();  // due again at t = 5 s
  Advance(std::chrono::seconds(2));
  EXPECT_TRUE(launcher_.Find(1000)->group_signals.empty());
  Advance(std::chrono::seconds(1));
  EXPECT_THAT(observer_.lines, Contains("job: watchdog expired: " + beat.string() + " not touched for 3s"));
  EXPECT_THAT(launcher_.Find(1000)->group_signals, ElementsAre(SIGTERM, SIGCONT));
  (void)p;
}

class ReadinessSupervisorTest : public SuperviseFixture {
 protected:
  class NullObserver : public SupervisorObserver {
    void OnProgramNote(const ProgramNote&) override {}
  };
  NullObserver observer_;
  FakeReadyProbes probes_;
  Supervisor supervisor_{ProgramEnv{loop_, clock_, launcher_, nullptr, dir_, nullptr, &probes_, "/n.sock"},
                         &observer_};
};

TEST_F(ReadinessSupervisorTest, ADependentWaitsUntilItsDependencyIsReady) {
  config::ProgramSpec db = Spec("db");
  db.ready.Mut().kind = config::ReadyKind::kNotify;
  config::ProgramSpec app = Spec("app");
  app.depends_on = {"db"};
  supervisor_.Apply({db, app});
  Settle();
  Advance(std::chrono::seconds(10));
  EXPECT_EQ(supervisor_.Find("db")->state(), ProgramState::kStarting);
  EXPECT_EQ(supervisor_.Find("app")->state(), ProgramState::kStopped);
  EXPECT_EQ(supervisor_.Find("app")->reason(), "waiting for db (STARTING)");
  supervisor_.Find("db")->Notify(Says(true));
  Settle();
  EXPECT_EQ(supervisor_.Find("app")->state(), ProgramState::kStarting);
}

}  // namespace
}  // namespace vigil::supervise
