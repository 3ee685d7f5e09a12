// SPDX-License-Identifier: MIT
// GroupSampler across rounds on a fake tree (kept files, new, ended, reused and moved
// processes, the file budget, questions within one round) and on the real /proc.
#include "metrics/group_sampler.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>

#include "metrics/fake_proc_test_util.h"

namespace vigil::metrics {
namespace {

using std::chrono::milliseconds;
using testing::FakeProc;
using testing::FakeProcess;

constexpr long kPageSize = 4096;

FakeProcess Member(int pid, int pgrp, uint64_t rss_pages) {
  return {.pid = pid, .pgrp = pgrp, .utime_ticks = 10, .stime_ticks = 5, .rss_pages = rss_pages};
}

// Group 100 has two members, group 200 one; 300 is an outsider in group 1. Every test runs
// twice: without loadavg (every round lists /proc) and with it (a round lists only when a
// pid was handed out since the last listing), and must see the same.
class GroupSamplerTest : public ::testing::TestWithParam<bool> {
 protected:
  GroupSamplerTest() {
    if (GetParam()) proc_.SetLoadAvg("0.00", "0.00", "0.00");
    proc_.AddProcess(Member(100, 100, 100));
    proc_.AddProcess(Member(101, 100, 50));
    proc_.AddProcess(Member(200, 200, 7));
    proc_.AddProcess(Member(300, 1, 1000));
  }

  // Each call a new round (well past kSameRound).
  std::unordered_map<int, GroupUsage> Round(const std::vector<int>& pgids, GroupSampler::Options options = {}) {
    now_ += std::chrono::seconds(5);
    return sampler_.Sample(pgids, options, now_);
  }

  // A new process under `pid`: made beside the old directory before that is removed, so
  // the two can never share an inode number.
  void Replace(const FakeProcess& p) {
    proc_.Write("fresh/stat", FakeProc::StatLine(p));
    proc_.EndProcess(p.pid);
    std::filesystem::rename(proc_.path() / "fresh", proc_.path() / std::to_string(p.pid));
    proc_.NoteNewProcess();
  }

  FakeProc proc_;
  GroupSampler sampler_{proc_.root(), kPageSize, /*max_kept_files=*/100};
  base::SteadyTime now_{};
};

TEST_P(GroupSamplerTest, KeepsTheStatFilesOfMembersOpenAndNoOthers) {
  auto usage = Round({100, 200});
  EXPECT_EQ(usage.at(100).processes, 2);
  EXPECT_EQ(usage.at(100).rss_bytes, 150u * kPageSize);
  EXPECT_EQ(usage.at(100).cpu_ticks, 30u);
  EXPECT_EQ(usage.at(200).rss_bytes, 7u * kPageSize);
  EXPECT_EQ(sampler_.kept_files(), 3u);
  EXPECT_EQ(sampler_.known_processes(), 4u);
}

TEST_P(GroupSamplerTest, ReadsMembersAfreshEachRound) {
  Round({100});
  FakeProcess grown = Member(101, 100, 500);
  grown.utime_ticks = 90;
  proc_.AddProcess(grown);  // rewritten in place, as the kernel renders it anew
  auto usage = Round({100});
  EXPECT_EQ(usage.at(100).rss_bytes, 600u * kPageSize);
  EXPECT_EQ(usage.at(100).cpu_ticks, 15u + 95u);
}

TEST_P(GroupSamplerTest, CountsANewMemberAndForgetsAnEndedOne) {
  Round({100});
  proc_.AddProcess(Member(102, 100, 1));
  proc_.EndProcess(101);
  auto usage = Round({100});
  EXPECT_EQ(usage.at(100).processes, 2);
  EXPECT_EQ(usage.at(100).rss_bytes, 101u * kPageSize);
  EXPECT_EQ(sampler_.kept_files(), 2u);
  EXPECT_EQ(sampler_.known_processes(), 4u);  // 100, 102, 200, 300
}

TEST_P(GroupSamplerTest, AMemberThatLeftItsGroupIsNoLongerCountedNorKeptOpen) {
  Round({100});
  proc_.AddProcess(Member(101, 101, 50));  // setsid: a group of its own
  auto usage = Round({100});
  EXPECT_EQ(usage.at(100).processes, 1);
  EXPECT_EQ(sampler_.kept_files(), 1u);
}

TEST_P(GroupSamplerTest, AnOutsiderIsNotReadAgainWhileItLives) {
  Round({100});
  // Rewritten as if it had joined group 100 (which a process of another session cannot):
  // the same process as before, so it is not read again.
  proc_.AddProcess(Member(300, 100, 1000));
  EXPECT_EQ(Round({100}).at(100).processes, 2);
}

TEST_P(GroupSamplerTest, APidReusedByANewProcessIsReadAfresh) {
  Round({100});
  Replace(Member(300, 100, 1000));  // pid 300 ended and a new member of group 100 got it
  auto usage = Round({100});
  EXPECT_EQ(usage.at(100).processes, 3);
  EXPECT_EQ(usage.at(100).rss_bytes, 1150u * kPageSize);
}

TEST_P(GroupSamplerTest, AGroupLeaderIsReadWhateverItWasSeenAs) {
  // Listed between fork and setsid: still in its parent's group.
  proc_.AddProcess(Member(400, 1, 3));
  Round({100});
  proc_.AddProcess(Member(400, 400, 3));
  auto usage = Round({400});
  EXPECT_EQ(usage.at(400).processes, 1);
  EXPECT_EQ(usage.at(400).rss_bytes, 3u * kPageSize);
}

TEST_P(GroupSamplerTest, AGroupAskedForLaterIsFoundAmongProcessesAlreadySeen) {
  Round({100});  // 200 seen, outside the groups asked for
  auto usage = Round({100, 200});
  EXPECT_EQ(usage.at(200).processes, 1);
}

TEST_P(GroupSamplerTest, OverTheBudgetMembersAreStillReadByOpeningThem) {
  GroupSampler small(proc_.root(), kPageSize, /*max_kept_files=*/1);
  for (int round = 1; round <= 2; ++round) {
    auto usage = small.Sample({100, 200}, {}, base::SteadyTime{} + std::chrono::seconds(round * 5));
    EXPECT_EQ(usage.at(100).rss_bytes, 150u * kPageSize);
    EXPECT_EQ(usage.at(200).rss_bytes, 7u * kPageSize);
    EXPECT_LE(small.kept_files(), 1u);
  }
}

TEST_P(GroupSamplerTest, QuestionsWithinOneRoundShareAWalk) {
  Round({100, 200});
  proc_.AddProcess(Member(200, 200, 70));
  // Asked again at once (the metric history after the checks), about fewer groups.
  auto same = sampler_.Sample({200}, {}, now_ + milliseconds(1));
  EXPECT_EQ(same.size(), 2u);  // the walk's answer, which holds more than was asked
  EXPECT_EQ(same.at(200).rss_bytes, 7u * kPageSize);
  // Figures the walk did not read, a group it did not sample, or later: a new walk.
  EXPECT_EQ(sampler_.Sample({200}, {.with_fds = true}, now_ + milliseconds(2)).at(200).rss_bytes,
            70u * kPageSize);
  proc_.AddProcess(Member(200, 200, 71));
  EXPECT_EQ(sampler_.Sample({200}, {}, now_ + GroupSampler::kSameRound + milliseconds(2)).at(200).rss_bytes,
            71u * kPageSize);
}

TEST_P(GroupSamplerTest, AMemberWhoseStatCannotBeParsedIsTriedAgainNextRound) {
  proc_.Write("101/stat", "garbage");
  EXPECT_EQ(Round({100}).at(100).processes, 1);
  proc_.AddProcess(Member(101, 100, 50));
  EXPECT_EQ(Round({100}).at(100).processes, 2);
}

TEST_P(GroupSamplerTest, AnEndedMemberIsForgotten) {
  Round({100, 200});
  proc_.EndProcess(200);
  EXPECT_EQ(Round({100, 200}).at(200).processes, 0);
  EXPECT_EQ(sampler_.kept_files(), 2u);
  EXPECT_EQ(sampler_.known_processes(), 3u);
}

INSTANTIATE_TEST_SUITE_P(ListingEachRoundOrOnNewPids, GroupSamplerTest, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "WithLoadavg" : "WithoutLoadavg"; });

class GroupSamplerLoadavgTest : public GroupSamplerTest {};

TEST_P(GroupSamplerLoadavgTest, ListsOnlyWhenAPidWasHandedOut) {
  Round({100});
  proc_.AddProcess(Member(101, 100, 500));  // the same process, grown
  EXPECT_EQ(Round({100}).at(100).rss_bytes, 600u * kPageSize);
  EXPECT_EQ(sampler_.walks(), 2u);
  EXPECT_EQ(sampler_.listings(), 1u);
  proc_.AddProcess(Member(102, 100, 1));
  EXPECT_EQ(Round({100}).at(100).processes, 3);
  EXPECT_EQ(sampler_.listings(), 2u);
}

TEST_P(GroupSamplerLoadavgTest, ListsEveryRoundWhenLoadavgCannotBeRead) {
  proc_.Write("loadavg", "not a load line\n");
  Round({100});
  Round({100});
  EXPECT_EQ(sampler_.listings(), 2u);
}

INSTANTIATE_TEST_SUITE_P(WithLoadavg, GroupSamplerLoadavgTest, ::testing::Values(true));

TEST(GroupSamplerRealTest, FindsARealMemberForkedAfterTheFirstRound) {
  const pid_t leader = testing::ForkGroupLeader();
  ASSERT_GE(leader, 0);
  GroupSampler sampler(ProcRoot(), sysconf(_SC_PAGESIZE), 100);
  base::SteadyTime now = base::SteadyTime{} + std::chrono::seconds(5);
  EXPECT_EQ(sampler.Sample({leader}, {}, now).at(leader).processes, 1);
  const pid_t member = ::fork();
  if (member == 0) {
    ::setpgid(0, leader);
    ::pause();
    ::_exit(0);
  }
  ASSERT_GE(member, 0);
  ::setpgid(member, leader);  // from both sides, so it is a member on return
  now += std::chrono::seconds(5);
  EXPECT_EQ(sampler.Sample({leader}, {}, now).at(leader).processes, 2);
  for (pid_t pid : {member, leader}) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
  }
  now += std::chrono::seconds(5);
  EXPECT_EQ(sampler.Sample({leader}, {}, now).at(leader).processes, 0);
  EXPECT_EQ(sampler.kept_files(), 0u);
}

TEST(GroupSamplerRealTest, ReadsARealGroupThroughKeptFilesUntilItEnds) {
  const pid_t child = testing::ForkGroupLeader();
  ASSERT_GE(child, 0);
  GroupSampler sampler(ProcRoot(), sysconf(_SC_PAGESIZE), 100);
  base::SteadyTime now{};
  for (int round = 0; round < 2; ++round) {
    now += std::chrono::seconds(5);
    auto usage = sampler.Sample({child}, {}, now);
    EXPECT_EQ(usage.at(child).processes, 1);
    EXPECT_GT(usage.at(child).rss_bytes, 0u);
  }
  EXPECT_EQ(sampler.kept_files(), 1u);
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  now += std::chrono::seconds(5);
  EXPECT_EQ(sampler.Sample({child}, {}, now).at(child).processes, 0);
  EXPECT_EQ(sampler.kept_files(), 0u);
}

}  // namespace
}  // namespace vigil::metrics
