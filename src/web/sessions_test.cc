// SPDX-License-Identifier: MIT
// Sessions expire when idle, are bounded, end per role; login codes are one-time and short.
#include "web/sessions.h"

#include <gtest/gtest.h>

#include "web/attempt_limiter.h"

namespace vigil::web {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

const base::SteadyTime kT0{hours(1000)};

TEST(SessionsTest, FoundWhileUsedGoneAfterIdle) {
  Sessions sessions(hours(1));
  auto s = sessions.Create(Role::kAdmin, kT0);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->id.size(), 64u);
  EXPECT_NE(s->id, s->csrf);
  auto found = sessions.Find(s->id, kT0 + minutes(59));
  ASSERT_TRUE(found);
  EXPECT_EQ(found->role, Role::kAdmin);
  EXPECT_TRUE(sessions.Find(s->id, kT0 + minutes(118)));  // used at 59 min: idle 59 min
  EXPECT_FALSE(sessions.Find(s->id, kT0 + minutes(179)));  // idle for over an hour
  EXPECT_EQ(sessions.size(), 0u);
  EXPECT_FALSE(sessions.Find("", kT0));
}

TEST(SessionsTest, BoundedLeastRecentlyUsedGoesFirst) {
  Sessions sessions(hours(1));
  auto first = sessions.Create(Role::kViewer, kT0);
  auto second = sessions.Create(Role::kViewer, kT0 + seconds(1));
  ASSERT_TRUE(first && second);
  ASSERT_TRUE(sessions.Find(first->id, kT0 + seconds(2)));  // first is now the more recent
  for (size_t i = 2; i < Sessions::kMaxSessions; ++i) ASSERT_TRUE(sessions.Create(Role::kViewer, kT0 + seconds(3)));
  EXPECT_EQ(sessions.size(), Sessions::kMaxSessions);
  ASSERT_TRUE(sessions.Create(Role::kViewer, kT0 + seconds(4)));
  EXPECT_EQ(sessions.size(), Sessions::kMaxSessions);
  EXPECT_FALSE(sessions.Find(second->id, kT0 + seconds(5)));
  EXPECT_TRUE(sessions.Find(first->id, kT0 + seconds(5)));
}

TEST(SessionsTest, EndingARoleEndsItsSessionsAndCodes) {
  Sessions sessions(hours(1));
  auto admin = sessions.Create(Role::kAdmin, kT0);
  auto viewer = sessions.Create(Role::kViewer, kT0);
  auto code = sessions.IssueCode(Role::kAdmin, kT0);
  ASSERT_TRUE(admin && viewer && code);
  sessions.EndRole(Role::kAdmin);
  EXPECT_FALSE(sessions.Find(admin->id, kT0));
  EXPECT_TRUE(sessions.Find(viewer->id, kT0));
  EXPECT_FALSE(sessions.RedeemCode(*code, kT0));
  sessions.End(viewer->id);
  EXPECT_FALSE(sessions.Find(viewer->id, kT0));
}

TEST(SessionsTest, ALoginCodeWorksOnceAndNotLate) {
  Sessions sessions(hours(1));
  auto code = sessions.IssueCode(Role::kViewer, kT0);
  ASSERT_TRUE(code);
  EXPECT_EQ(sessions.RedeemCode(*code, kT0 + seconds(10)), Role::kViewer);
  EXPECT_EQ(sessions.RedeemCode(*code, kT0 + seconds(11)), std::nullopt);
  auto late = sessions.IssueCode(Role::kAdmin, kT0);
  ASSERT_TRUE(late);
  EXPECT_EQ(sessions.RedeemCode(*late, kT0 + Sessions::kCodeLifetime), std::nullopt);
}

TEST(AttemptLimiterTest, RefusesPastTheLimitUntilTheOldestAgesOut) {
  AttemptLimiter limiter(3, minutes(1));
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(limiter.Allowed(kT0 + seconds(i)));
    limiter.Failed(kT0 + seconds(i));
  }
  EXPECT_FALSE(limiter.Allowed(kT0 + seconds(30)));
  EXPECT_EQ(limiter.RetryAfter(kT0 + seconds(30)), seconds(30));
  EXPECT_TRUE(limiter.Allowed(kT0 + seconds(60)));  // the first failure aged out
  EXPECT_EQ(limiter.RetryAfter(kT0 + seconds(60)), base::Duration{0});
}

}  // namespace
}  // namespace vigil::web
