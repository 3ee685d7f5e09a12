// SPDX-License-Identifier: MIT
// Waiters against a Supervisor on a FakeLauncher and a FakeClock: a request that names
// several programs fails as soon as one cannot get there, and every wait ends at its timeout.
#include "daemon/waiters.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>

#include "supervise/program_test_fixture.h"

namespace vigil::daemon {
namespace {

using supervise::Goal;
using supervise::ProgramState;

class WaitersTest : public supervise::SuperviseFixture {
 protected:
  WaitersTest() : supervisor_(supervise::ProgramEnv{loop_, clock_, launcher_, nullptr, dir_, nullptr, nullptr, ""}, nullptr) {}

  std::vector<Waiters::Target> Targets(std::initializer_list<const char*> names) {
    std::vector<Waiters::Target> out;
    for (const char* n : names) out.push_back({n, supervisor_.WantEpoch(*supervisor_.Find(n))});
    return out;
  }

  supervise::Supervisor supervisor_;
  Waiters waiters_{supervisor_, clock_};
};

// Found in review: Evaluate() stopped at the first target still on its way, so a second
// target in BACKOFF did not fail the request until the first was RUNNING.
TEST_F(WaitersTest, OneTargetThatCannotComeUpFailsTheRequestAtOnce) {
  auto slow = Spec("slow");
  slow.start_seconds = std::chrono::minutes(1);
  supervisor_.Apply({slow, Spec("crashy")});
  Settle();
  std::optional<base::Status> answer;
  waiters_.Add(Targets({"slow", "crashy"}), Goal::kUp, std::chrono::minutes(10),
               [&](base::Status s) { answer = s; });
  EXPECT_FALSE(answer);
  launcher_.ExitWith(supervisor_.Find("crashy")->pid(), 1);
  Settle();
  ASSERT_EQ(supervisor_.Find("crashy")->state(), ProgramState::kBackoff);
  waiters_.Check();
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->code(), base::StatusCode::kConflict);
  EXPECT_THAT(answer->message(), ::testing::StartsWith("crashy: BACKOFF: exited too quickly (exit 1)"));
  EXPECT_EQ(waiters_.size(), 0u);
}

TEST_F(WaitersTest, EveryWaitEndsAtItsTimeout) {
  auto slow = Spec("slow");
  slow.start_seconds = std::chrono::hours(1);
  supervisor_.Apply({slow});
  Settle();
  std::optional<base::Status> answer;
  waiters_.Add(Targets({"slow"}), Goal::kUp, std::chrono::seconds(5), [&](base::Status s) { answer = s; });
  Advance(std::chrono::milliseconds(4999));
  EXPECT_FALSE(answer);
  Advance(std::chrono::milliseconds(1));
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->code(), base::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(answer->message(), "timed out after 5s waiting for it to come up: slow (STARTING)");
}

TEST_F(WaitersTest, AGoalAlreadyMetIsAnsweredAtOnceAndReachedOnesWaitForTheRest) {
  supervisor_.Apply({Spec("a"), Spec("b")});
  Settle();
  Advance(std::chrono::seconds(1));
  std::optional<base::Status> answer;
  waiters_.Add(Targets({"a"}), Goal::kUp, std::chrono::minutes(1), [&](base::Status s) { answer = s; });
  ASSERT_TRUE(answer);
  EXPECT_TRUE(answer->ok());
  answer.reset();
  supervisor_.Stop(*supervisor_.Find("a"));
  supervisor_.Stop(*supervisor_.Find("b"));
  waiters_.Add(Targets({"a", "b"}), Goal::kDown, std::chrono::minutes(1), [&](base::Status s) { answer = s; });
  EXPECT_FALSE(answer);
  Settle();
  waiters_.Check();
  ASSERT_TRUE(answer);
  EXPECT_TRUE(answer->ok());
}

}  // namespace
}  // namespace vigil::daemon
