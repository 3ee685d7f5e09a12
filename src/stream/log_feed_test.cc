// SPDX-License-Identifier: MIT
#include "stream/log_feed.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace vigil::stream {
namespace {

struct Seen {
  int64_t seq;
  std::string text;
};

TEST(LogFeedTest, SplitsChunksIntoNumberedLinesAndCutsLongOnes) {
  auto feed = std::make_shared<LogFeed>(LevelDetector(), 5, [] { return int64_t{42}; });
  std::vector<Seen> seen;
  auto handle = feed->Listen([&](const LogLine& l) { seen.push_back({l.seq, std::string(l.text)}); }, nullptr);
  feed->OnData("a\r\nb");
  feed->OnData("c\n" + std::string(LogFeed::kMaxLineBytes + 10, 'x') + "\nd\n");
  ASSERT_EQ(seen.size(), 4u);
  EXPECT_EQ(seen[0].seq, 5);
  EXPECT_EQ(seen[0].text, "a");
  EXPECT_EQ(seen[1].text, "bc");
  EXPECT_EQ(seen[2].text.size(), LogFeed::kMaxLineBytes);
  EXPECT_EQ(seen[3].seq, 8);
}

TEST(LogFeedTest, AListenerMayDropAnotherDuringTheFanOut) {
  auto feed = std::make_shared<LogFeed>(LevelDetector(), 1, [] { return int64_t{0}; });
  event::HandlePtr second;
  int first_calls = 0, second_calls = 0;
  auto first = feed->Listen(
      [&](const LogLine&) {
        ++first_calls;
        second.reset();
      },
      nullptr);
  second = feed->Listen([&](const LogLine&) { ++second_calls; }, nullptr);
  feed->OnData("x\ny\n");
  EXPECT_EQ(first_calls, 2);
  EXPECT_EQ(second_calls, 0);
}

TEST(LogFeedTest, EndReachesEveryListenerOnceAndDropsAPartialLine) {
  auto feed = std::make_shared<LogFeed>(LevelDetector(), 1, [] { return int64_t{0}; });
  int lines = 0;
  std::vector<std::string> ends;
  auto handle = feed->Listen([&](const LogLine&) { ++lines; }, [&](std::string_view r) { ends.emplace_back(r); });
  feed->OnData("half");
  feed->OnEnd("gone");
  feed->OnEnd("again");
  EXPECT_EQ(lines, 0);
  EXPECT_EQ(ends, std::vector<std::string>{"gone"});
  EXPECT_TRUE(feed->ended());
}

}  // namespace
}  // namespace vigil::stream
