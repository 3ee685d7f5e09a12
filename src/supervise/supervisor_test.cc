// SPDX-License-Identifier: MIT
// Supervisor tests with real processes (sh, sleep) on a real event loop: reload diff,
// dependency order and cascades, restart counting. Waits are loop turns with a deadline.
#include "supervise/supervisor.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "logs/compressor.h"

namespace vigil::supervise {
namespace {

class RecordingObserver : public SupervisorObserver {
 public:
  void OnStateChanged(Program& p, ProgramState old, const std::string& message) override {
    lines.push_back(p.name() + ": " + std::string(StateName(old)) + " -> " + std::string(StateName(p.state())) +
                    (message.empty() ? "" : ": " + message));
  }
  void OnNote(const std::string& subject, NoteKind, const std::string& message) override {
    lines.push_back(subject + ": " + message);
  }
  std::vector<std::string> lines;
};

class SupervisorTest : public ::testing::Test {
 protected:
  SupervisorTest() {
    char tmpl[] = "/tmp/vigil-supervisor-test-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    supervisor_ = std::make_unique<Supervisor>(loop_, reaper_, &compressor_, dir_, &observer_);
    reaper_.SetAfterReap([this] { supervisor_->AfterReap(); });
  }
  ~SupervisorTest() override {
    bool done = false;
    supervisor_->Shutdown([&] { done = true; });
    RunUntil([&] { return done; });
    supervisor_.reset();
    std::filesystem::remove_all(dir_);
  }

  static config::ProgramSpec Spec(const std::string& name, std::vector<std::string> argv = {"sleep", "1000"}) {
    config::ProgramSpec s;
    s.name = name;
    s.table_name = name;
    s.argv = std::move(argv);
    s.start_seconds = base::Duration(50);
    s.stop_timeout = base::Duration(2000);
    return s;
  }

  bool RunUntil(const std::function<bool()>& done, base::Duration deadline = base::Duration(10000)) {
    bool expired = false;
    auto timer = loop_.AddTimer(deadline, [&] { expired = true; });
    while (!done() && !expired) loop_.RunOne();
    return done();
  }

  ProgramState StateOf(const std::string& name) { return supervisor_->Find(name)->state(); }
  bool WaitState(const std::string& name, ProgramState s) {
    return RunUntil([&] { return supervisor_->Find(name) && StateOf(name) == s; });
  }

  event::Loop loop_;
  event::ChildReaper reaper_{loop_};
  logs::Compressor compressor_;
  RecordingObserver observer_;
  std::filesystem::path dir_;
  std::unique_ptr<Supervisor> supervisor_;
};

TEST_F(SupervisorTest, ReloadTouchesOnlyWhatChanged) {
  supervisor_->Apply({Spec("keep"), Spec("change"), Spec("drop")});
  ASSERT_TRUE(WaitState("keep", ProgramState::kRunning));
  ASSERT_TRUE(WaitState("change", ProgramState::kRunning));
  pid_t keep_pid = supervisor_->Find("keep")->pid();
  pid_t change_pid = supervisor_->Find("change")->pid();

  auto changed = Spec("change", {"sleep", "999"});
  ReloadResult r = supervisor_->Apply({Spec("keep"), changed, Spec("new")});
  EXPECT_EQ(r.unchanged, std::vector<std::string>{"keep"});
  EXPECT_EQ(r.changed, std::vector<std::string>{"change"});
  EXPECT_EQ(r.removed, std::vector<std::string>{"drop"});
  EXPECT_EQ(r.added, std::vector<std::string>{"new"});
  ASSERT_TRUE(RunUntil([&] { return supervisor_->Find("drop") == nullptr; }));
  ASSERT_TRUE(RunUntil([&] {
    Program* p = supervisor_->Find("change");
    return p->state() == ProgramState::kRunning && p->pid() != change_pid;
  }));
  EXPECT_EQ(supervisor_->Find("change")->spec().argv[1], "999");
  EXPECT_EQ(supervisor_->Find("keep")->pid(), keep_pid);
  ASSERT_TRUE(WaitState("new", ProgramState::kRunning));
}

TEST_F(SupervisorTest, DependentWaitsAndStopCascades) {
  auto app = Spec("app");
  app.depends_on = {"db"};
  auto db = Spec("db");
  db.start_seconds = base::Duration(300);
  supervisor_->Apply({app, db});
  ASSERT_TRUE(RunUntil([&] { return StateOf("db") == ProgramState::kStarting; }));
  EXPECT_EQ(StateOf("app"), ProgramState::kStopped);
  EXPECT_EQ(supervisor_->Find("app")->reason(), "waiting for db (STARTING)");
  ASSERT_TRUE(WaitState("app", ProgramState::kRunning));

  supervisor_->Stop(*supervisor_->Find("db"));
  ASSERT_TRUE(WaitState("db", ProgramState::kStopped));
  EXPECT_EQ(StateOf("app"), ProgramState::kStopped);
  EXPECT_FALSE(supervisor_->WantsUp(*supervisor_->Find("app")));
  // Dependents stop first.
  auto stop_app = std::find(observer_.lines.begin(), observer_.lines.end(), "app: STOPPING -> STOPPED: stopped (killed by SIGTERM)");
  auto stop_db = std::find(observer_.lines.begin(), observer_.lines.end(), "db: STOPPING -> STOPPED: stopped (killed by SIGTERM)");
  ASSERT_NE(stop_app, observer_.lines.end());
  ASSERT_NE(stop_db, observer_.lines.end());
  EXPECT_LT(stop_app, stop_db);

  // Starting the dependent starts its dependency too.
  supervisor_->Start(*supervisor_->Find("app"));
  ASSERT_TRUE(WaitState("app", ProgramState::kRunning));
  EXPECT_EQ(StateOf("db"), ProgramState::kRunning);
}

TEST_F(SupervisorTest, CrashAfterRunningRestartsAtOnceAndCounts) {
  supervisor_->Apply({Spec("crashy", {"sh", "-c", "sleep 0.1; exit 2"})});
  ASSERT_TRUE(RunUntil([&] { return supervisor_->Find("crashy")->restarts() >= 2; }));
  Program* p = supervisor_->Find("crashy");
  EXPECT_EQ(p->last_exit(), "exit 2");
  // A crash after start_seconds is not a start failure: no back-off in between.
  for (const auto& line : observer_.lines) EXPECT_EQ(line.find("BACKOFF"), std::string::npos) << line;
}

TEST_F(SupervisorTest, FailedStartsBackOffThenGoFatal) {
  auto spec = Spec("bad", {"sh", "-c", "exit 1"});
  spec.start_retries = 2;
  spec.backoff_initial = base::Duration(20);
  spec.backoff_max = base::Duration(40);
  supervisor_->Apply({spec});
  ASSERT_TRUE(WaitState("bad", ProgramState::kFatal));
  EXPECT_EQ(supervisor_->Find("bad")->reason(), "exited too quickly (exit 1); gave up after 3 attempts");
  // A user start is the way out of FATAL.
  supervisor_->Start(*supervisor_->Find("bad"));
  ASSERT_TRUE(RunUntil([&] { return StateOf("bad") == ProgramState::kBackoff; }));
}

TEST_F(SupervisorTest, ResolveExpandsAllAndInstances) {
  auto a0 = Spec("web:0");
  a0.table_name = "web";
  auto a1 = Spec("web:1");
  a1.table_name = "web";
  a1.instance = 1;
  supervisor_->Apply({a0, a1, Spec("db")});
  auto web = supervisor_->Resolve({"web"});
  ASSERT_TRUE(web);
  EXPECT_EQ(web->size(), 2u);
  auto all = supervisor_->Resolve({"all"});
  ASSERT_TRUE(all);
  EXPECT_EQ(all->size(), 3u);
  auto bad = supervisor_->Resolve({"db", "nope"});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message(), "unknown program: nope");
}

}  // namespace
}  // namespace vigil::supervise
