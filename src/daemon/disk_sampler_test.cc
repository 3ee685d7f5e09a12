// SPDX-License-Identifier: MIT
// DiskSampler with a fake statvfs: answers in mount order, errors per mount, one thread per
// mount point across questions, and a hung mount reported after the timeout and not asked
// again until its call returns.
#include "daemon/disk_sampler.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "fakes/fake_clock.h"

namespace vigil::daemon {
namespace {

metrics::Mount MountAt(const std::string& path) {
  metrics::Mount m;
  m.mount_point = path;
  m.fs_type = "ext4";
  return m;
}

// A statvfs whose "/hung" blocks until released.
class FakeStat {
 public:
  base::Result<metrics::FsStat> operator()(const std::string& path) {
    if (path == "/hung") {
      std::unique_lock lock(mu_);
      ++hung_calls_;
      released_cv_.wait(lock, [&] { return released_; });
    }
    if (path == "/broken") return base::Status::IoError("/broken: Input/output error");
    {
      std::lock_guard lock(mu_);
      threads_[path].insert(std::this_thread::get_id());
    }
    metrics::FsStat s;
    s.fragment_size = 4096;
    s.blocks = 1000;
    s.blocks_free = 500;
    s.blocks_available = 500;
    s.inodes = 100;
    s.inodes_free = 75;
    return s;
  }
  void Release() {
    std::lock_guard lock(mu_);
    released_ = true;
    released_cv_.notify_all();
  }
  int hung_calls() {
    std::lock_guard lock(mu_);
    return hung_calls_;
  }
  // The threads `path` was measured on.
  size_t threads_of(const std::string& path) {
    std::lock_guard lock(mu_);
    return threads_[path].size();
  }

 private:
  std::mutex mu_;
  std::condition_variable released_cv_;
  bool released_ = false;
  int hung_calls_ = 0;
  std::map<std::string, std::set<std::thread::id>> threads_;
};

class DiskSamplerTest : public ::testing::Test {
 protected:
  ~DiskSamplerTest() override { stat_->Release(); }

  // Runs the loop until `done` was called or the fake time passes `advance`.
  std::optional<std::vector<api::DiskUsage>> Sample(const std::vector<std::string>& paths,
                                                    base::Duration advance = base::Duration(0)) {
    std::vector<metrics::Mount> mounts;
    for (const auto& p : paths) mounts.push_back(MountAt(p));
    std::optional<std::vector<api::DiskUsage>> result;
    sampler_.Sample(mounts, [&](std::vector<api::DiskUsage> disks) { result = std::move(disks); });
    // Answers arrive through the loop; the timeout through the fake clock.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!result && std::chrono::steady_clock::now() < deadline) {
      Turn();
      if (advance.count() > 0 && ReadyToTimeOut(paths)) {
        clock_.Advance(advance);
        advance = base::Duration(0);
      }
    }
    return result;
  }
  // One turn of the loop: a posted answer, or a 5 ms tick when nothing comes.
  void Turn() {
    auto tick = loop_.AddTimer(std::chrono::milliseconds(5), [] {});
    loop_.RunOne();
  }
  // Every mount but the hung one has answered, so only the timeout is left.
  bool ReadyToTimeOut(const std::vector<std::string>& paths) {
    return std::find(paths.begin(), paths.end(), "/hung") == paths.end() || stat_->hung_calls() > 0;
  }

  event::Loop loop_;
  event::FakeClock clock_{std::chrono::sys_days{std::chrono::year{2026} / 12 / 1}};
  std::shared_ptr<FakeStat> stat_ = std::make_shared<FakeStat>();
  DiskSampler sampler_{loop_, clock_, [s = stat_](const std::string& p) { return (*s)(p); },
                       std::chrono::seconds(2)};
};

TEST_F(DiskSamplerTest, AnswersEveryMountInOrder) {
  auto disks = Sample({"/", "/broken", "/data"});
  ASSERT_TRUE(disks);
  ASSERT_EQ(disks->size(), 3u);
  EXPECT_EQ((*disks)[0].mount_point, "/");
  EXPECT_EQ((*disks)[0].total_bytes, 4096u * 1000);
  EXPECT_DOUBLE_EQ((*disks)[0].used_percent, 50.0);
  EXPECT_DOUBLE_EQ((*disks)[0].inodes_used_percent, 25.0);
  EXPECT_EQ((*disks)[0].error, "");
  EXPECT_EQ((*disks)[1].error, "/broken: Input/output error");
  EXPECT_EQ((*disks)[2].mount_point, "/data");
}

TEST_F(DiskSamplerTest, EachMountPointKeepsOneThreadAcrossQuestions) {
  for (int round = 0; round < 3; ++round) {
    auto disks = Sample({"/", "/data"});
    ASSERT_TRUE(disks);
    EXPECT_EQ((*disks)[0].error, "");
  }
  EXPECT_EQ(stat_->threads_of("/"), 1u);
  EXPECT_EQ(stat_->threads_of("/data"), 1u);
  EXPECT_EQ(sampler_.threads_started(), 2u);
}

TEST_F(DiskSamplerTest, NoMountsIsAnEmptyAnswerOnALaterTurn) {
  bool called = false;
  sampler_.Sample({}, [&](std::vector<api::DiskUsage> disks) {
    called = true;
    EXPECT_TRUE(disks.empty());
  });
  EXPECT_FALSE(called);  // never from inside Sample()
  for (int i = 0; i < 100 && !called; ++i) Turn();
  EXPECT_TRUE(called);
}

TEST_F(DiskSamplerTest, AHungMountIsReportedAfterTheTimeoutAndNotAskedAgainUntilItReturns) {
  // The hung mount alone: whether another mount's answer reaches the loop before the fake
  // clock jumps would be a race between threads (a failure of an ASan build under load).
  auto first = Sample({"/hung"}, std::chrono::seconds(2));
  ASSERT_TRUE(first);
  EXPECT_EQ((*first)[0].error, "not answering after 2000 ms");
  EXPECT_EQ(stat_->hung_calls(), 1);

  // Asked again while the first call is still stuck: answered at once, no second thread,
  // and the other mounts are measured as usual.
  auto second = Sample({"/", "/hung"});
  ASSERT_TRUE(second);
  EXPECT_EQ((*second)[0].error, "");
  EXPECT_EQ((*second)[1].error, "not answering (an earlier measurement has not returned)");
  EXPECT_EQ(stat_->hung_calls(), 1);

  // Once the stuck call returns, the mount is measured again.
  stat_->Release();
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  std::optional<std::vector<api::DiskUsage>> third;
  while (std::chrono::steady_clock::now() < deadline) {
    third = Sample({"/hung"});
    if (third && (*third)[0].error.empty()) break;
  }
  ASSERT_TRUE(third);
  EXPECT_EQ((*third)[0].error, "");
  EXPECT_DOUBLE_EQ((*third)[0].used_percent, 50.0);
}

}  // namespace
}  // namespace vigil::daemon
