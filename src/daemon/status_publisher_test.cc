// SPDX-License-Identifier: MIT
// Tests of StatusPublisher: a burst of changes makes one write, the file is whole JSON,
// a failing write is said once, and nothing happens without a change.
#include "daemon/status_publisher.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "base/file_util.h"
#include "util/temp_dir.h"

namespace vigil::daemon {
namespace {

class StatusPublisherTest : public ::testing::Test {
 protected:
  StatusPublisher Make(const std::filesystem::path& file) {
    return StatusPublisher(StatusPublisher::Ports{loop_,
                                                  [this] {
                                                    ++snapshots_;
                                                    StatusSnapshot s;
                                                    s.pid = 1;
                                                    s.state = "running";
                                                    s.programs.resize(1);
                                                    s.programs[0].name = "web";
                                                    s.programs[0].state = "RUNNING";
                                                    return s;
                                                  },
                                                  [this](const std::string& line) { summaries_.push_back(line); },
                                                  [this](const std::string& line) { logged_.push_back(line); }},
                           file, std::chrono::milliseconds(5));
  }
  void RunUntil(const std::function<bool()>& done) {
    while (!done()) loop_.RunOne();
  }

  event::Loop loop_;
  int snapshots_ = 0;
  std::vector<std::string> summaries_;
  std::vector<std::string> logged_;
};

TEST_F(StatusPublisherTest, BurstOfChangesMakesOneWrite) {
  testing::TempDir dir;
  StatusPublisher publisher = Make(dir / "status.json");
  EXPECT_EQ(loop_.Poll(), 0u);  // nothing changed: no timer
  for (int i = 0; i < 100; ++i) publisher.Changed();
  RunUntil([&] { return publisher.writes() > 0; });
  EXPECT_EQ(publisher.writes(), 1);
  EXPECT_EQ(snapshots_, 1);
  ASSERT_EQ(summaries_.size(), 1u);
  EXPECT_EQ(summaries_[0], "1 running");
  auto doc = nlohmann::json::parse(*base::ReadFile(dir / "status.json"));
  EXPECT_EQ(doc["programs"][0]["name"], "web");
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "status.json.tmp"));
  // A later change is a new write.
  publisher.Changed();
  RunUntil([&] { return publisher.writes() > 1; });
  EXPECT_EQ(publisher.writes(), 2);
}

TEST_F(StatusPublisherTest, FailingWriteIsSaidOnceAndRecovers) {
  testing::TempDir dir;
  StatusPublisher publisher = Make(dir / "missing" / "status.json");
  publisher.PublishNow();
  publisher.PublishNow();
  EXPECT_FALSE(publisher.problem().empty());
  ASSERT_EQ(logged_.size(), 1u);
  EXPECT_NE(logged_[0].find("cannot write the status file"), std::string::npos);
  std::filesystem::create_directory(dir.path() / "missing");
  publisher.PublishNow();
  EXPECT_TRUE(publisher.problem().empty());
  EXPECT_EQ(logged_.size(), 2u);
}

}  // namespace
}  // namespace vigil::daemon
