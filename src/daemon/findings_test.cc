// SPDX-License-Identifier: MIT
// FindingJournal with and without a database, and the block findings.log gets.
#include "daemon/findings.h"

#include <gtest/gtest.h>

#include "base/file_util.h"
#include "util/temp_dir.h"

namespace vigil::daemon {
namespace {

TEST(FindingBlockTest, HeaderLineThenTheIndentedText) {
  api::FindingInfo f{13, 1796130000000, "info", "check", "cpu", "Back to OK: CPU at 41.0%,\nafter 25m CRIT.", 12};
  EXPECT_EQ(FindingBlock(f),
            "2026-12-01T13:00:00.000Z  INFO  check cpu  (#13, ends #12)\n"
            "  Back to OK: CPU at 41.0%,\n  after 25m CRIT.\n\n");
}

class FindingJournalTest : public ::testing::Test {
 protected:
  void Drain() {
    for (int i = 0; i < 100 && loop_.Poll() > 0; ++i) {
    }
  }
  vigil::testing::TempDir temp_;
  event::Loop loop_;
};

TEST_F(FindingJournalTest, StoredListedAndWrittenToFindingsLog) {
  History history(loop_, temp_.path() / "vigil.db", std::chrono::hours(24));
  FindingJournal journal(loop_, history, temp_.path() / "findings.log");
  const int64_t raise = journal.Record(Severity::kCrit, "check", "cpu", "CPU at 93.1%.");
  journal.Record(Severity::kInfo, "check", "cpu", "Back to OK.", raise);
  journal.Record(Severity::kWarn, "task", "backup", "Task backup failed.");
  history.store()->Flush();
  auto all = journal.List({});
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].subject, "backup");
  EXPECT_EQ((*all)[1].raise_id, raise);
  api::FindingQuery crit;
  crit.min_rank = 2;
  EXPECT_EQ(journal.List(crit)->size(), 1u);
  Drain();
  auto log = base::ReadFile(temp_.path() / "findings.log");
  ASSERT_TRUE(log);
  EXPECT_NE(log->find("  CRIT  check cpu  (#" + std::to_string(raise) + ")\n  CPU at 93.1%.\n\n"), std::string::npos)
      << *log;
  EXPECT_NE(log->find("WARN  task backup"), std::string::npos) << *log;
}

// Regression test: the listener (the alerts) was called from inside Record(), so a service
// that records a finding while it is mid-change (AlertService giving up on a delivery) was
// called back into before its change was complete. The listener now hears on a later turn.
TEST_F(FindingJournalTest, TheListenerHearsOnALaterLoopTurnNeverFromInsideRecord) {
  History history(loop_, temp_.path() / "vigil.db", std::chrono::hours(24));
  FindingJournal journal(loop_, history, temp_.path() / "findings.log");
  std::vector<std::string> heard;
  bool recording = false;
  journal.SetListener([&](const api::FindingInfo& f) {
    EXPECT_FALSE(recording) << "called from inside Record()";
    heard.push_back(f.text);
  });
  recording = true;
  journal.Record(Severity::kWarn, "alert", "mail", "Could not deliver.");
  journal.Record(Severity::kCrit, "check", "cpu", "CPU at 99%.");
  recording = false;
  EXPECT_TRUE(heard.empty());
  Drain();
  EXPECT_EQ(heard, (std::vector<std::string>{"Could not deliver.", "CPU at 99%."}));
  // A listener cleared (at shutdown) hears nothing of what was still on its way.
  journal.Record(Severity::kWarn, "task", "backup", "Task backup failed.");
  journal.SetListener(nullptr);
  Drain();
  EXPECT_EQ(heard.size(), 2u);
}

TEST_F(FindingJournalTest, WithoutADatabaseTheNewestAreKeptInMemory) {
  // A directory where the database file should be: the store cannot open.
  std::filesystem::create_directories(temp_.path() / "vigil.db");
  History history(loop_, temp_.path() / "vigil.db", std::chrono::hours(24));
  ASSERT_EQ(history.store(), nullptr);
  FindingJournal journal(loop_, history, temp_.path() / "findings.log");
  for (size_t i = 0; i < FindingJournal::kMemoryFindings + 5; ++i) {
    journal.Record(i % 2 ? Severity::kWarn : Severity::kInfo, "check", "c", "n" + std::to_string(i));
  }
  api::FindingQuery all;
  all.limit = 5000;
  EXPECT_EQ(journal.List(all)->size(), FindingJournal::kMemoryFindings);
  api::FindingQuery warn;
  warn.min_rank = 1;
  warn.limit = 3;
  auto found = journal.List(warn);
  ASSERT_TRUE(found);
  ASSERT_EQ(found->size(), 3u);
  EXPECT_EQ((*found)[0].text, "n" + std::to_string(FindingJournal::kMemoryFindings + 3));
}

}  // namespace
}  // namespace vigil::daemon
