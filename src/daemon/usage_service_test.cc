// SPDX-License-Identifier: MIT
// UsageService on a fake /proc tree and a fake clock: which processes count for which
// program, and over which window a CPU share is measured.
#include "daemon/usage_service.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "api/fake_controller_test_util.h"
#include "fakes/fake_clock.h"
#include "metrics/fake_proc_test_util.h"

namespace vigil::daemon {
namespace {

using metrics::testing::FakeProcess;

api::ProgramInfo Program(const std::string& name, pid_t pid, int64_t uptime_ms) {
  api::ProgramInfo p;
  p.name = name;
  p.state = pid > 0 ? "RUNNING" : "STOPPED";
  p.pid = pid;
  p.uptime_ms = uptime_ms;
  return p;
}

class UsageServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    proc_.SetCpu(metrics::CpuTimes{.user = 100, .idle = 900}, 2);
    proc_.SetMemInfo(1000, 250, 100, 100);
    proc_.SetLoadAvg("1.00", "0.50", "0.25");
    programs_.programs = {Program("web", 100, 10'000), Program("db", 200, 10'000), Program("off", 0, -1)};
  }
  // A group's leader with `ticks` of CPU time and `pages` resident.
  void Process(int pid, int pgrp, uint64_t ticks, uint64_t pages = 10, int fds = 3) {
    proc_.AddProcess(FakeProcess{.pid = pid, .pgrp = pgrp, .utime_ticks = ticks, .rss_pages = pages,
                                 .open_fds = fds, .pss_kib = std::nullopt});
  }
  // Without a disk sampler the answer comes at once, or at the end of the window of
  // fresh readings (UsageService::kFreshWindow), which this lets pass.
  base::Result<api::TopView> Top(const std::vector<std::string>& names) {
    std::optional<base::Result<api::TopView>> answer;
    usage_.Top(names, [&](base::Result<api::TopView> view) { answer.emplace(std::move(view)); });
    if (!answer) clock_.Advance(UsageService::kFreshWindow);
    EXPECT_TRUE(answer.has_value());
    return answer ? std::move(*answer) : base::Result<api::TopView>(base::Status::Internal("no answer"));
  }
  base::Result<api::TopView> Machine() {
    std::optional<base::Result<api::TopView>> answer;
    usage_.Machine([&](base::Result<api::TopView> view) { answer.emplace(std::move(view)); });
    if (!answer) clock_.Advance(UsageService::kFreshWindow);
    EXPECT_TRUE(answer.has_value());
    return answer ? std::move(*answer) : base::Result<api::TopView>(base::Status::Internal("no answer"));
  }
  const api::ProgramUsage& Find(const api::TopView& view, const std::string& name) {
    for (const auto& u : view.programs) {
      if (u.name == name) return u;
    }
    ADD_FAILURE() << "no " << name;
    return view.programs.front();
  }

  metrics::testing::FakeProc proc_;
  event::FakeClock clock_{std::chrono::sys_days{std::chrono::year{2026} / 12 / 1}};
  api::FakeController programs_;
  UsageService usage_{programs_, clock_, proc_.root(), nullptr};
  const long tps_ = ::sysconf(_SC_CLK_TCK);
  const long page_ = ::sysconf(_SC_PAGESIZE);
};

TEST_F(UsageServiceTest, CountsEveryProcessOfAGroupAndNothingElse) {
  Process(100, 100, 0, 10, 3);
  Process(101, 100, 0, 5, 2);   // a child of web, in its group
  Process(300, 300, 0, 99, 9);  // not supervised
  Process(200, 200, 0, 1, 1);
  auto view = Top({});
  ASSERT_TRUE(view) << view.error().message();
  ASSERT_EQ(view->programs.size(), 3u);
  const auto& web = Find(*view, "web");
  EXPECT_EQ(web.processes, 2);
  EXPECT_EQ(web.memory_bytes, 15u * static_cast<uint64_t>(page_));
  EXPECT_EQ(web.open_fds, 5);
  EXPECT_EQ(Find(*view, "db").processes, 1);
  const auto& off = Find(*view, "off");
  EXPECT_EQ(off.processes, 0);
  EXPECT_EQ(off.memory_bytes, 0u);
  EXPECT_EQ(view->system.cpus, 2);
  EXPECT_DOUBLE_EQ(view->system.memory_used_percent, 75.0);
  EXPECT_DOUBLE_EQ(view->system.cpu_percent, 0.0);  // no tick counted over the window
  EXPECT_DOUBLE_EQ(view->system.load1, 1.0);
}

TEST_F(UsageServiceTest, AFirstQuestionIsMeasuredOverTheWindowThenOverTheTimeBetweenQuestions) {
  Process(100, 100, static_cast<uint64_t>(5 * tps_));  // 5 s of CPU in 10 s of life
  Process(200, 200, 0);
  std::optional<base::Result<api::TopView>> first;
  usage_.Top({"web"}, [&](base::Result<api::TopView> view) { first.emplace(std::move(view)); });
  ASSERT_FALSE(first.has_value());  // no reading of web yet: one now, the answer after the window
  Process(100, 100, static_cast<uint64_t>(5 * tps_ + tps_ / 4));  // a quarter second in half a second
  clock_.Advance(UsageService::kFreshWindow);
  ASSERT_TRUE(first.has_value());
  ASSERT_TRUE(*first);
  ASSERT_EQ((*first)->programs.size(), 1u);
  EXPECT_NEAR((*first)->programs[0].cpu_percent, 50.0, 1.0);
  EXPECT_NEAR((*first)->programs[0].cpu_seconds, 5.25, 0.02);

  clock_.Advance(std::chrono::seconds(2));
  Process(100, 100, static_cast<uint64_t>(8 * tps_ + tps_ / 4));  // 3 s more in 2 s: 150 % of one CPU
  auto second = Top({"web"});
  ASSERT_TRUE(second);
  EXPECT_NEAR(second->programs[0].cpu_percent, 150.0, 0.01);

  // Asked again 10 ms later: measured from the older reading, not over 10 ms.
  clock_.Advance(std::chrono::milliseconds(10));
  auto quick = Top({"web"});
  ASSERT_TRUE(quick);
  EXPECT_NEAR(quick->programs[0].cpu_percent, 3.0 / 2.01 * 100, 0.01);
}

TEST_F(UsageServiceTest, ANewProcessStartsItsOwnMeasurement) {
  Process(100, 100, static_cast<uint64_t>(9 * tps_));
  ASSERT_TRUE(Top({"web"}));
  clock_.Advance(std::chrono::seconds(2));
  // web was restarted: pid 150, measured afresh over the window.
  proc_.Remove("100");
  Process(150, 150, static_cast<uint64_t>(tps_));
  programs_.programs[0] = Program("web", 150, 2'000);
  std::optional<base::Result<api::TopView>> view;
  usage_.Top({"web"}, [&](base::Result<api::TopView> v) { view.emplace(std::move(v)); });
  ASSERT_FALSE(view.has_value());
  Process(150, 150, static_cast<uint64_t>(tps_ + tps_ / 10));  // a tenth of a second in half a second
  clock_.Advance(UsageService::kFreshWindow);
  ASSERT_TRUE(view.has_value() && *view);
  EXPECT_NEAR((*view)->programs[0].cpu_percent, 20.0, 1.0);
}

TEST_F(UsageServiceTest, AQuestionAfterALongSilenceIsMeasuredOverTheNextWindow) {
  ASSERT_TRUE(Machine());
  // An hour at 10 %, then the last half second at 90 %: the answer is about now.
  clock_.Advance(std::chrono::hours(1));
  proc_.SetCpu(metrics::CpuTimes{.user = 1100, .idle = 9900}, 2);
  std::optional<base::Result<api::TopView>> answer, joined;
  usage_.Machine([&](base::Result<api::TopView> view) { answer.emplace(std::move(view)); });
  usage_.Machine([&](base::Result<api::TopView> view) { joined.emplace(std::move(view)); });
  ASSERT_FALSE(answer.has_value());
  proc_.SetCpu(metrics::CpuTimes{.user = 1190, .idle = 9910}, 2);
  clock_.Advance(UsageService::kFreshWindow);
  ASSERT_TRUE(answer.has_value() && *answer);
  EXPECT_DOUBLE_EQ((*answer)->system.cpu_percent, 90.0);
  // The second question, asked during the window, is answered with the first.
  ASSERT_TRUE(joined.has_value() && *joined);
  // A question soon after is answered at once, since the last answer.
  clock_.Advance(std::chrono::seconds(1));
  proc_.SetCpu(metrics::CpuTimes{.user = 1200, .idle = 10000}, 2);
  std::optional<base::Result<api::TopView>> soon;
  usage_.Machine([&](base::Result<api::TopView> view) { soon.emplace(std::move(view)); });
  ASSERT_TRUE(soon.has_value() && *soon);
  EXPECT_DOUBLE_EQ((*soon)->system.cpu_percent, 10.0);
}

TEST_F(UsageServiceTest, UnknownNamesAreNotFound) {
  auto view = Top({"nope"});
  ASSERT_FALSE(view);
  EXPECT_EQ(view.error().code(), base::StatusCode::kNotFound);
}

TEST_F(UsageServiceTest, TheFirstSystemShareIsSinceTheServiceStartedNotSinceBoot) {
  // Since boot: 100 busy of 1000 (10 %). Created now, then 30 busy of 100 more.
  UsageService fresh{programs_, clock_, proc_.root(), nullptr};
  clock_.Advance(std::chrono::seconds(1));
  proc_.SetCpu(metrics::CpuTimes{.user = 130, .idle = 970}, 2);
  std::optional<base::Result<api::TopView>> answer;
  fresh.Machine([&](base::Result<api::TopView> view) { answer.emplace(std::move(view)); });
  ASSERT_TRUE(answer.has_value());  // the reading at the start is recent: at once
  ASSERT_TRUE(*answer);
  EXPECT_DOUBLE_EQ((*answer)->system.cpu_percent, 30.0);
}

TEST_F(UsageServiceTest, ASystemShareIsOverTheTimeBetweenQuestions) {
  ASSERT_TRUE(Top({}));
  clock_.Advance(std::chrono::seconds(1));
  proc_.SetCpu(metrics::CpuTimes{.user = 180, .idle = 920}, 2);  // 80 busy of 100
  auto view = Top({});
  ASSERT_TRUE(view);
  EXPECT_DOUBLE_EQ(view->system.cpu_percent, 80.0);
}

}  // namespace
}  // namespace vigil::daemon
