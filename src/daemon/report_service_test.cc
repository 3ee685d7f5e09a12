// SPDX-License-Identifier: MIT
// The saved reports' retention: PruneReports on files named as reports, and the `report`
// task action pruning after it saves, on a fake clock.
#include "daemon/report_service.h"

#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "fakes/fake_clock.h"
#include "util/temp_dir.h"

namespace vigil::daemon {
namespace {

using std::chrono::hours;

constexpr auto kDay = hours(24);

base::WallTime Dec1() { return std::chrono::sys_days{std::chrono::year{2026} / 12 / 1}; }

class ReportRetentionTest : public ::testing::Test {
 protected:
  void Touch(const std::string& name) { std::ofstream(temp_ / name) << "x"; }
  std::set<std::string> Files() {
    std::set<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(temp_.path())) {
      names.insert(entry.path().filename().string());
    }
    return names;
  }

  vigil::testing::TempDir temp_;
};

TEST_F(ReportRetentionTest, OlderThanTheCutoffGoesWithItsJson) {
  Touch("20261020T090000Z.txt");  // 42 days before Dec 1
  Touch("20261020T090000Z.json");
  Touch("20261102T090000Z.txt");  // within 30 days
  Touch("20261102T090000Z.json");
  PruneOutcome out = PruneReports(temp_.path(), Dec1() - 30 * kDay, ReportService::kMaxSavedReports);
  EXPECT_EQ(out.removed, 1);
  EXPECT_EQ(out.problem, "");
  EXPECT_EQ(Files(), (std::set<std::string>{"20261102T090000Z.txt", "20261102T090000Z.json"}));
}

TEST_F(ReportRetentionTest, AtMostTheNewestNWhateverTheirAge) {
  for (const char* stamp : {"20261101T000000Z", "20261102T000000Z", "20261103T000000Z", "20261104T000000Z"}) {
    Touch(std::string(stamp) + ".txt");
    Touch(std::string(stamp) + ".json");
  }
  Touch("20261031T000000Z.json");  // a report whose .txt is gone still counts, and goes
  PruneOutcome out = PruneReports(temp_.path(), base::WallTime{}, 2);
  EXPECT_EQ(out.removed, 3);
  EXPECT_EQ(Files(), (std::set<std::string>{"20261103T000000Z.txt", "20261103T000000Z.json", "20261104T000000Z.txt",
                                            "20261104T000000Z.json"}));
}

TEST_F(ReportRetentionTest, OnlyFilesNamedAsReportsAreTouched) {
  const std::set<std::string> others = {"notes.txt",      "20261020T090000Z.txt.tmp", "20261020T090000Z.pdf",
                                        "2026-10-20.txt", "20261020X090000Z.txt",     "x20261020T090000Z.txt"};
  for (const std::string& name : others) Touch(name);
  std::filesystem::create_directory(temp_ / "20261020T090000Z.json");  // not a regular file
  PruneOutcome out = PruneReports(temp_.path(), Dec1(), 0);
  EXPECT_EQ(out.removed, 0);
  std::set<std::string> expected = others;
  expected.insert("20261020T090000Z.json");
  EXPECT_EQ(Files(), expected);
}

TEST_F(ReportRetentionTest, AMissingDirectoryIsAProblemNotACrash) {
  PruneOutcome out = PruneReports(temp_ / "nope", Dec1(), 10);
  EXPECT_EQ(out.removed, 0);
  EXPECT_NE(out.problem.find("cannot list"), std::string::npos) << out.problem;
}

// The `report` task action prunes what is older than [vigil] history_retention once it has
// saved the new report, and says so in the run's output.
TEST_F(ReportRetentionTest, TheReportTaskKeepsReportsAsLongAsTheHistory) {
  event::Loop loop;
  event::FakeClock clock(Dec1() + hours(9));
  History history(loop, temp_ / "vigil.db", 30 * kDay);
  ASSERT_NE(history.store(), nullptr) << history.problem();
  const std::filesystem::path dir = temp_ / "reports";
  std::filesystem::create_directory(dir);
  for (const char* name :
       {"20261020T090000Z.txt", "20261020T090000Z.json", "20261110T090000Z.txt", "20261110T090000Z.json", "README"}) {
    std::ofstream(dir / name) << "x";
  }
  ReportService reports(ReportService::Ports{clock, history, dir, "host", nullptr, nullptr, 30 * kDay});
  base::Result<std::string> out = reports.RunTask(7 * kDay);
  ASSERT_TRUE(out) << out.error().message();
  EXPECT_NE(out->find("deleted 1 old report (kept: the last 30d, at most 1000)\n"), std::string::npos) << *out;
  std::set<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) names.insert(entry.path().filename().string());
  EXPECT_EQ(names, (std::set<std::string>{"20261110T090000Z.txt", "20261110T090000Z.json", "20261201T090000Z.txt",
                                          "20261201T090000Z.json", "README"}));

  // The next run a day later has nothing to delete and says nothing about it.
  clock.Advance(kDay);
  out = reports.RunTask(7 * kDay);
  ASSERT_TRUE(out) << out.error().message();
  EXPECT_EQ(out->find("deleted"), std::string::npos) << *out;
}

}  // namespace
}  // namespace vigil::daemon
