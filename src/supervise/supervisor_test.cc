// SPDX-License-Identifier: MIT
// Supervisor against a FakeLauncher and a FakeClock: reload diff, dependency order and
// cascades, restarts through the want epoch, the progress of waiting requests, and notes
// delivered after the change. Deterministic: no real process, no real time.
#include "supervise/supervisor.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "supervise/program_test_fixture.h"

namespace vigil::supervise {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Records notes as lines; what the supervisor looks like while a note is delivered is
// checked through `on_note`.
class RecordingObserver : public SupervisorObserver {
 public:
  void OnProgramNote(const ProgramNote& n) override {
    switch (n.kind) {
      case ProgramNote::Kind::kStateChanged:
        lines.push_back(n.program + ": " + std::string(StateName(n.from)) + " -> " + std::string(StateName(n.to)) +
                        (n.message.empty() ? "" : ": " + n.message));
        break;
      case ProgramNote::Kind::kMessage:
        lines.push_back(n.program + ": " + n.message);
        break;
      case ProgramNote::Kind::kWantChanged:
        wants.push_back(n.program + (n.want_up ? " up" : " down"));
        break;
      default:
        break;
    }
    if (on_note) on_note(n);
  }
  void OnProgramsSettled(size_t) override { ++settled; }
  std::vector<std::string> lines;
  std::vector<std::string> wants;
  int settled = 0;
  std::function<void(const ProgramNote&)> on_note;
};

class SupervisorTest : public SuperviseFixture {
 protected:
  SupervisorTest() : supervisor_(ProgramEnv{loop_, clock_, launcher_, nullptr, dir_, nullptr, nullptr, ""}, &observer_) {}

  ProgramState StateOf(const std::string& name) { return supervisor_.Find(name)->state(); }
  Program& P(const std::string& name) { return *supervisor_.Find(name); }
  // Starting programs become RUNNING once start_seconds (1 s) pass.
  void UpAll() {
    Settle();
    Advance(base::Duration(1000));
  }

  RecordingObserver observer_;
  Supervisor supervisor_;
};

TEST_F(SupervisorTest, ReloadTouchesOnlyWhatChanged) {
  supervisor_.Apply({Spec("keep"), Spec("change"), Spec("drop")});
  UpAll();
  pid_t keep_pid = P("keep").pid();
  pid_t change_pid = P("change").pid();

  auto changed = Spec("change");
  changed.argv = {"server", "--port", "81"};
  ReloadResult r = supervisor_.Apply({Spec("keep"), changed, Spec("new")});
  EXPECT_EQ(r.unchanged, std::vector<std::string>{"keep"});
  EXPECT_EQ(r.changed, std::vector<std::string>{"change"});
  EXPECT_EQ(r.removed, std::vector<std::string>{"drop"});
  EXPECT_EQ(r.added, std::vector<std::string>{"new"});
  UpAll();
  EXPECT_EQ(supervisor_.Find("drop"), nullptr);
  EXPECT_EQ(StateOf("change"), ProgramState::kRunning);
  EXPECT_NE(P("change").pid(), change_pid);
  EXPECT_EQ(P("change").spec().argv[2], "81");
  EXPECT_EQ(P("keep").pid(), keep_pid);
  EXPECT_EQ(StateOf("new"), ProgramState::kRunning);
  EXPECT_THAT(observer_.lines, ::testing::Contains("drop: removed from the config"));
  EXPECT_THAT(observer_.lines, ::testing::Contains("change: config changed; restarting with the new settings"));
}

TEST_F(SupervisorTest, DependentWaitsForItsDependencyAndStopsFirst) {
  auto app = Spec("app");
  app.depends_on = {"db"};
  supervisor_.Apply({app, Spec("db")});
  Settle();
  EXPECT_EQ(StateOf("db"), ProgramState::kStarting);
  EXPECT_EQ(StateOf("app"), ProgramState::kStopped);
  EXPECT_EQ(P("app").reason(), "waiting for db (STARTING)");
  Advance(base::Duration(1000));
  EXPECT_EQ(StateOf("app"), ProgramState::kStarting);
  Advance(base::Duration(1000));
  EXPECT_EQ(StateOf("app"), ProgramState::kRunning);

  observer_.lines.clear();
  supervisor_.Stop(P("db"));
  Settle();
  EXPECT_EQ(StateOf("db"), ProgramState::kStopped);
  EXPECT_EQ(StateOf("app"), ProgramState::kStopped);
  EXPECT_FALSE(supervisor_.WantsUp(P("app")));
  EXPECT_THAT(observer_.lines, ElementsAre("app: RUNNING -> STOPPING: sent SIGTERM to process group 1001",
                                           "app: STOPPING -> STOPPED: stopped (killed by SIGTERM)",
                                           "db: RUNNING -> STOPPING: sent SIGTERM to process group 1000",
                                           "db: STOPPING -> STOPPED: stopped (killed by SIGTERM)"));
  EXPECT_THAT(observer_.wants, ElementsAre("db down", "app down"));

  // Starting the dependent starts its dependency too.
  supervisor_.Start(P("app"));
  UpAll();
  Advance(base::Duration(1000));
  EXPECT_EQ(StateOf("db"), ProgramState::kRunning);
  EXPECT_EQ(StateOf("app"), ProgramState::kRunning);
}

TEST_F(SupervisorTest, NotesArriveAfterTheChangeInOrder) {
  supervisor_.Apply({Spec("web")});
  // Apply has scheduled the start; nothing is told from inside it.
  EXPECT_TRUE(observer_.lines.empty());
  // A note is delivered once the program is consistent, and the observer may act on the
  // supervisor from there.
  observer_.on_note = [&](const ProgramNote& n) {
    if (n.kind == ProgramNote::Kind::kStateChanged && n.to == ProgramState::kRunning) supervisor_.Stop(P("web"));
  };
  UpAll();
  Settle();
  EXPECT_THAT(observer_.lines, ElementsAre("web: STOPPED -> STARTING: started pid 1000",
                                           "web: STARTING -> RUNNING: pid 1000 up for 1s",
                                           "web: RUNNING -> STOPPING: sent SIGTERM to process group 1000",
                                           "web: STOPPING -> STOPPED: stopped (killed by SIGTERM)"));
  EXPECT_GT(observer_.settled, 0);
}

TEST_F(SupervisorTest, RestartMakesANewProcessThroughTheEpoch) {
  supervisor_.Apply({Spec("web")});
  UpAll();
  pid_t before = P("web").pid();
  supervisor_.Restart(P("web"));
  uint32_t epoch = supervisor_.WantEpoch(P("web"));
  // Still the old process: a request made now is not answered by it.
  EXPECT_EQ(supervisor_.ProgressOf("web", Goal::kUp, epoch).is, Progress::Is::kPending);
  Settle();
  EXPECT_NE(P("web").pid(), before);
  EXPECT_EQ(supervisor_.ProgressOf("web", Goal::kUp, epoch).is, Progress::Is::kPending);  // STARTING
  Advance(base::Duration(1000));
  EXPECT_EQ(supervisor_.ProgressOf("web", Goal::kUp, epoch).is, Progress::Is::kReached);
  EXPECT_THAT(launcher_.Find(before)->group_signals, ElementsAre(SIGTERM, SIGCONT));
}

TEST_F(SupervisorTest, StartGivesAFatalProgramOneMoreTry) {
  auto bad = Spec("bad");
  bad.start_retries = 0;
  supervisor_.Apply({bad});
  Settle();
  launcher_.ExitWith(P("bad").pid(), 1);
  Settle();
  EXPECT_EQ(StateOf("bad"), ProgramState::kFatal);
  supervisor_.Start(P("bad"));
  uint32_t epoch = supervisor_.WantEpoch(P("bad"));
  // FATAL from before the request does not fail it.
  EXPECT_EQ(supervisor_.ProgressOf("bad", Goal::kUp, epoch).is, Progress::Is::kPending);
  Settle();
  EXPECT_EQ(StateOf("bad"), ProgramState::kStarting);
  EXPECT_EQ(launcher_.launches(), 2u);
  launcher_.ExitWith(P("bad").pid(), 1);
  Settle();
  Progress p = supervisor_.ProgressOf("bad", Goal::kUp, epoch);
  EXPECT_EQ(p.is, Progress::Is::kFailed);
  EXPECT_EQ(p.why, "bad: FATAL: exited too quickly (exit 1); gave up after 1 attempts");
}

// Regression test for issue 8, item 2: a waiting start failed only when a *direct*
// dependency was FATAL or BACKOFF; web -> app -> db with db FATAL left app STOPPED and the
// request waiting forever.
TEST_F(SupervisorTest, AStartThatATransitiveDependencyBlocksFails) {
  auto db = Spec("db");
  db.start_retries = 0;
  auto app = Spec("app");
  app.depends_on = {"db"};
  auto web = Spec("web");
  web.depends_on = {"app"};
  supervisor_.Apply({db, app, web});
  Settle();
  launcher_.ExitWith(P("db").pid(), 1);
  Settle();
  ASSERT_EQ(StateOf("db"), ProgramState::kFatal);
  EXPECT_EQ(StateOf("app"), ProgramState::kStopped);
  Progress p = supervisor_.ProgressOf("web", Goal::kUp, supervisor_.WantEpoch(P("web")));
  EXPECT_EQ(p.is, Progress::Is::kFailed);
  EXPECT_EQ(p.why,
            "web: cannot start: it needs app, which needs db, which is FATAL: exited too quickly (exit 1); gave up "
            "after 1 attempts");
}

// Regression test for issue 8, item 2: a dependency that EXITED uncleanly with
// autorestart = "never" will not come back by itself either.
TEST_F(SupervisorTest, AStartBlockedByADependencyThatExitedForGoodFails) {
  auto setup = Spec("setup");
  setup.autorestart = config::AutoRestart::kNever;
  auto app = Spec("app");
  app.depends_on = {"setup"};
  supervisor_.Apply({setup, app});
  Settle();
  clock_.Advance(base::Duration(1000));  // setup is RUNNING; the pass that would start app is queued
  launcher_.ExitWith(P("setup").pid(), 2);  // and setup ends before it runs
  Settle();
  ASSERT_EQ(StateOf("setup"), ProgramState::kExited);
  ASSERT_EQ(StateOf("app"), ProgramState::kStopped);
  Progress p = supervisor_.ProgressOf("app", Goal::kUp, supervisor_.WantEpoch(P("app")));
  EXPECT_EQ(p.is, Progress::Is::kFailed);
  EXPECT_EQ(p.why, "app: cannot start: it needs setup, which is EXITED: exited (exit 2); autorestart = never");
  // A user's start of app gives setup one more try, so that request may succeed.
  supervisor_.Start(P("app"));
  EXPECT_EQ(supervisor_.ProgressOf("app", Goal::kUp, supervisor_.WantEpoch(P("app"))).is, Progress::Is::kPending);
}

TEST_F(SupervisorTest, AWaitForStopFailsWhenSomeoneStartsItAgain) {
  supervisor_.Apply({Spec("web")});
  UpAll();
  supervisor_.Stop(P("web"));
  EXPECT_EQ(supervisor_.ProgressOf("web", Goal::kDown, 0).is, Progress::Is::kPending);
  supervisor_.Start(P("web"));
  EXPECT_EQ(supervisor_.ProgressOf("web", Goal::kDown, 0).why, "web: started again by another request");
}

// Regression test for issue 8, item 5: a scheduled restart revived a program the user had
// stopped, and the live want then disagreed with the stored one.
TEST_F(SupervisorTest, AScheduledRestartLeavesAStoppedProgramStopped) {
  supervisor_.Apply({Spec("web"), Spec("api")});
  UpAll();
  supervisor_.Stop(P("web"));
  Settle();
  observer_.wants.clear();
  EXPECT_EQ(supervisor_.RestartIfWanted(P("web")), "stopped by request");
  pid_t api_pid = P("api").pid();
  EXPECT_EQ(supervisor_.RestartIfWanted(P("api")), std::nullopt);
  UpAll();
  EXPECT_EQ(StateOf("web"), ProgramState::kStopped);
  EXPECT_FALSE(supervisor_.WantsUp(P("web")));
  EXPECT_EQ(StateOf("api"), ProgramState::kRunning);
  EXPECT_NE(P("api").pid(), api_pid);
  EXPECT_TRUE(observer_.wants.empty());  // nothing the user chose changed
}

// Found in review: a reload that changed a stopped autostart program started it again
// without saying so, and the stored want stayed "down".
TEST_F(SupervisorTest, AReloadThatStartsAStoppedProgramAgainRecordsIt) {
  supervisor_.Apply({Spec("web")});
  UpAll();
  supervisor_.Stop(P("web"));
  Settle();
  observer_.wants.clear();
  auto changed = Spec("web");
  changed.backoff_max = base::Duration(2000);
  supervisor_.Apply({changed});
  UpAll();
  EXPECT_EQ(StateOf("web"), ProgramState::kRunning);
  EXPECT_THAT(observer_.wants, ElementsAre("web up"));
}

TEST_F(SupervisorTest, ResolveExpandsAllAndInstances) {
  auto a0 = Spec("web:0");
  a0.table_name = "web";
  auto a1 = Spec("web:1");
  a1.table_name = "web";
  a1.instance = 1;
  supervisor_.Apply({a0, a1, Spec("db")});
  auto web = supervisor_.Resolve({"web"});
  ASSERT_TRUE(web);
  EXPECT_EQ(web->size(), 2u);
  auto all = supervisor_.Resolve({"all"});
  ASSERT_TRUE(all);
  EXPECT_EQ(all->size(), 3u);
  auto both = supervisor_.Resolve({"db", "web:1", "db"});
  ASSERT_TRUE(both);
  EXPECT_EQ(both->size(), 2u);
  EXPECT_EQ((*both)[0]->name(), "db");
  auto bad = supervisor_.Resolve({"db", "nope"});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message(), "unknown program: nope");
}

// Regression test for issue 8, item 3 (the supervisor's part): a removed program ends its
// log followers with a clear reason; a changed one keeps them.
TEST_F(SupervisorTest, RemovedProgramEndsItsFollowersAndAChangedOneKeepsThem) {
  supervisor_.Apply({Spec("gone"), Spec("changed")});
  UpAll();
  std::vector<std::string> ended;
  event::HandlePtr f1 =
      P("gone").stdout_log().Subscribe([](std::string_view) {}, [&](std::string_view why) { ended.emplace_back(why); });
  std::string followed;
  event::HandlePtr f2 = P("changed").stdout_log().Subscribe([&](std::string_view s) { followed += s; },
                                                            [&](std::string_view why) { ended.emplace_back(why); });
  auto changed = Spec("changed");
  changed.argv = {"server", "--port", "81"};
  supervisor_.Apply({changed});
  UpAll();
  EXPECT_THAT(ended, ElementsAre("gone was removed from the config; its log ends here"));
  ASSERT_EQ(::write(launcher_.Last().stdout_w.get(), "hello\n", 6), 6);
  Settle();
  EXPECT_EQ(followed, "hello\n");
}

TEST_F(SupervisorTest, ShutdownStopsDependentsFirstThenCallsDone) {
  auto app = Spec("app");
  app.depends_on = {"db"};
  supervisor_.Apply({app, Spec("db")});
  UpAll();
  Advance(base::Duration(1000));
  observer_.lines.clear();
  bool done = false;
  supervisor_.Shutdown([&] { done = true; });
  Settle();
  EXPECT_TRUE(done);
  EXPECT_THAT(observer_.lines, ElementsAre("app: RUNNING -> STOPPING: sent SIGTERM to process group 1001",
                                           "app: STOPPING -> STOPPED: stopped (killed by SIGTERM)",
                                           "db: RUNNING -> STOPPING: sent SIGTERM to process group 1000",
                                           "db: STOPPING -> STOPPED: stopped (killed by SIGTERM)"));
}

}  // namespace
}  // namespace vigil::supervise
