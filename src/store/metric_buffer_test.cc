// SPDX-License-Identifier: MIT
// MetricBuffer tests: open minutes accumulate, and what closes them (a later or an earlier
// minute, the first sample of a new minute, CloseAll). Pure memory, no database.
#include "store/metric_buffer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

namespace vigil::store {
namespace {

using ::testing::UnorderedElementsAre;

// 2026-12-01 00:00:00 UTC, a whole minute.
constexpr int64_t kT0 = 1'796'083'200'000;
constexpr int64_t kMinute = 60'000;

std::vector<std::string> NamesOf(const std::vector<MetricBuffer::Closed>& closed) {
  std::vector<std::string> names;
  for (const auto& c : closed) names.push_back(c.name);
  return names;
}

TEST(MetricBufferTest, SamplesOfOneMinuteAccumulate) {
  MetricBuffer buffer;
  EXPECT_TRUE(buffer.Add("system.cpu", kT0 + 5'000, 10).empty());
  EXPECT_TRUE(buffer.Add("system.cpu", kT0 + 35'000, 30).empty());
  EXPECT_TRUE(buffer.Add("system.cpu", kT0 + 59'999, 20).empty());
  const MetricRollup* open = buffer.Find("system.cpu");
  ASSERT_NE(open, nullptr);
  EXPECT_EQ(open->start_ms, kT0);
  EXPECT_EQ(open->count, 3);
  EXPECT_DOUBLE_EQ(open->sum, 60);
  EXPECT_DOUBLE_EQ(open->max, 30);
  EXPECT_EQ(buffer.Find("system.memory"), nullptr);
}

TEST(MetricBufferTest, ASampleInALaterMinuteClosesTheOpenBucketAndOpensAnother) {
  MetricBuffer buffer;
  buffer.Add("system.cpu", kT0 + 5'000, 10);
  buffer.Add("system.cpu", kT0 + 35'000, 30);
  auto closed = buffer.Add("system.cpu", kT0 + kMinute, 50);
  ASSERT_EQ(closed.size(), 1u);
  EXPECT_EQ(closed[0].name, "system.cpu");
  EXPECT_EQ(closed[0].minute.start_ms, kT0);
  EXPECT_EQ(closed[0].minute.count, 2);
  EXPECT_DOUBLE_EQ(closed[0].minute.sum, 40);
  EXPECT_DOUBLE_EQ(closed[0].minute.max, 30);
  const MetricRollup* open = buffer.Find("system.cpu");
  ASSERT_NE(open, nullptr);
  EXPECT_EQ(open->start_ms, kT0 + kMinute);
  EXPECT_EQ(open->count, 1);
  EXPECT_DOUBLE_EQ(open->sum, 50);
}

TEST(MetricBufferTest, NamesHaveBucketsOfTheirOwn) {
  MetricBuffer buffer;
  buffer.Add("system.cpu", kT0, 10);
  buffer.Add("disk.space:/", kT0 + 1'000, 70);
  buffer.Add("system.cpu", kT0 + 2'000, 20);
  ASSERT_NE(buffer.Find("system.cpu"), nullptr);
  ASSERT_NE(buffer.Find("disk.space:/"), nullptr);
  EXPECT_EQ(buffer.Find("system.cpu")->count, 2);
  EXPECT_DOUBLE_EQ(buffer.Find("system.cpu")->sum, 30);
  EXPECT_EQ(buffer.Find("disk.space:/")->count, 1);
  EXPECT_DOUBLE_EQ(buffer.Find("disk.space:/")->max, 70);
  EXPECT_THAT(buffer.OpenNames(), UnorderedElementsAre("system.cpu", "disk.space:/"));
}

TEST(MetricBufferTest, TheFirstSampleOfANewMinuteClosesEveryOlderBucket) {
  // So a metric sampled rarely does not keep an old minute in memory, where a crash loses it.
  MetricBuffer buffer;
  buffer.Add("system.cpu", kT0, 10);
  buffer.Add("disk.space:/", kT0, 70);
  auto closed = buffer.Add("system.cpu", kT0 + 3 * kMinute, 20);
  EXPECT_THAT(NamesOf(closed), UnorderedElementsAre("system.cpu", "disk.space:/"));
  EXPECT_EQ(buffer.Find("disk.space:/"), nullptr);
  EXPECT_THAT(buffer.OpenNames(), UnorderedElementsAre("system.cpu"));
  // The rest of that minute closes nothing more.
  EXPECT_TRUE(buffer.Add("disk.space:/", kT0 + 3 * kMinute + 1'000, 71).empty());
}

TEST(MetricBufferTest, TimeGoingBackwardsClosesToo) {
  MetricBuffer buffer;
  buffer.Add("system.cpu", kT0 + kMinute, 10);
  buffer.Add("system.load", kT0 + kMinute, 1);
  auto closed = buffer.Add("system.cpu", kT0 + 30'000, 20);  // the clock was stepped back
  ASSERT_EQ(closed.size(), 1u);
  EXPECT_EQ(closed[0].name, "system.cpu");
  EXPECT_EQ(closed[0].minute.start_ms, kT0 + kMinute);
  EXPECT_EQ(closed[0].minute.count, 1);
  ASSERT_NE(buffer.Find("system.cpu"), nullptr);
  EXPECT_EQ(buffer.Find("system.cpu")->start_ms, kT0);
  // Other names keep their minute: only a minute newer than any before closes them all.
  ASSERT_NE(buffer.Find("system.load"), nullptr);
  EXPECT_EQ(buffer.Find("system.load")->start_ms, kT0 + kMinute);

  closed = buffer.Add("system.cpu", kT0 + kMinute + 1'000, 30);  // and forward again
  ASSERT_EQ(closed.size(), 1u);
  EXPECT_EQ(closed[0].minute.start_ms, kT0);
  EXPECT_DOUBLE_EQ(closed[0].minute.sum, 20);
}

TEST(MetricBufferTest, TheMaximumOfNegativeSamplesIsTheLargestOfThem) {
  MetricBuffer buffer;
  buffer.Add("temperature", kT0, -5);
  buffer.Add("temperature", kT0 + 1'000, -3);
  ASSERT_NE(buffer.Find("temperature"), nullptr);
  EXPECT_DOUBLE_EQ(buffer.Find("temperature")->max, -3);
}

TEST(MetricBufferTest, CloseAllReturnsEveryOpenBucketAndEmptiesThem) {
  MetricBuffer buffer;
  buffer.Add("system.cpu", kT0, 10);
  buffer.Add("disk.space:/", kT0, 70);
  auto closed = buffer.CloseAll();
  EXPECT_THAT(NamesOf(closed), UnorderedElementsAre("system.cpu", "disk.space:/"));
  EXPECT_EQ(buffer.Find("system.cpu"), nullptr);
  EXPECT_TRUE(buffer.OpenNames().empty());
  EXPECT_TRUE(buffer.CloseAll().empty());

  // The same minute again starts a bucket from nothing (the closed one is written already).
  EXPECT_TRUE(buffer.Add("system.cpu", kT0 + 2'000, 30).empty());
  ASSERT_NE(buffer.Find("system.cpu"), nullptr);
  EXPECT_EQ(buffer.Find("system.cpu")->count, 1);
  EXPECT_DOUBLE_EQ(buffer.Find("system.cpu")->sum, 30);
}

}  // namespace
}  // namespace vigil::store
