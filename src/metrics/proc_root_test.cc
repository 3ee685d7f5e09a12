// SPDX-License-Identifier: MIT
// ProcRoot on a fake tree (bounds, odd entries, missing files) and on the real /proc.
#include "metrics/proc_root.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "base/unique_fd.h"
#include "metrics/fake_proc_test_util.h"
#include "metrics/proc_parse.h"

namespace vigil::metrics {
namespace {

using ::testing::ElementsAre;
using testing::FakeProc;
using testing::FakeProcess;
using ::testing::HasSubstr;

TEST(ProcRootTest, ReadsFilesBelowTheRoot) {
  FakeProc proc;
  proc.Write("loadavg", "0.07 0.87 1.37 2/80 25753\n");
  proc.Write("1234/stat", "1234 (x) S");
  EXPECT_EQ(*proc.root().Read("loadavg"), "0.07 0.87 1.37 2/80 25753\n");
  EXPECT_EQ(*proc.root().Read("1234/stat"), "1234 (x) S");
  EXPECT_EQ(proc.root().root(), proc.path());
}

TEST(ProcRootTest, DefaultsToTheRealProc) { EXPECT_EQ(ProcRoot().root(), "/proc"); }

TEST(ProcRootTest, MissingFileIsNotFoundNamingIt) {
  FakeProc proc;
  auto text = proc.root().Read("999/stat");
  ASSERT_FALSE(text.has_value());
  EXPECT_EQ(text.error().code(), base::StatusCode::kNotFound);
  EXPECT_THAT(text.error().message(), HasSubstr((proc.path() / "999/stat").string()));
}

TEST(ProcRootTest, OtherFailuresAreIoErrors) {
  FakeProc proc;
  proc.Write("1/stat", "");
  auto text = proc.root().Read("1");  // a directory: EISDIR on read(2)
  ASSERT_FALSE(text.has_value());
  EXPECT_EQ(text.error().code(), base::StatusCode::kIoError);
}

TEST(ProcRootTest, ReadsFilesLargerThanOneRead) {
  FakeProc proc;
  std::string big;
  for (int i = 0; big.size() < 200000; ++i) big += "intr " + std::to_string(i) + "\n";
  proc.Write("stat", big);
  EXPECT_EQ(*proc.root().Read("stat"), big);
}

TEST(ProcRootTest, RefusesFilesBeyondTheLimit) {
  FakeProc proc;
  proc.Write("at_limit", std::string(kMaxProcFileBytes, 'x'));
  proc.Write("over_limit", std::string(kMaxProcFileBytes + 1, 'x'));
  EXPECT_EQ(proc.root().Read("at_limit")->size(), kMaxProcFileBytes);
  auto over = proc.root().Read("over_limit");
  ASSERT_FALSE(over.has_value());
  EXPECT_EQ(over.error().code(), base::StatusCode::kIoError);
  EXPECT_THAT(over.error().message(), HasSubstr("over_limit: larger than the 1 MB"));
}

TEST(ProcRootTest, ListsOnlyNumericEntriesInOrder) {
  FakeProc proc;
  for (const char* name : {"42", "1", "100", "self/stat", "sys/x", "007/stat", "12a/stat", "-3/stat", "1x"}) {
    proc.Write(std::filesystem::path(name) / "stat", "");
  }
  proc.Write("7", "a plain file is listed too: reading 7/stat then fails");
  EXPECT_THAT(proc.root().ListPids(), ElementsAre(1, 7, 42, 100));
}

TEST(ProcRootTest, ListsNothingWithoutARoot) { EXPECT_TRUE(ProcRoot("/nonexistent/vigil/proc").ListPids().empty()); }

TEST(ProcRootTest, CountsFdEntries) {
  FakeProc proc;
  proc.AddProcess(FakeProcess{.pid = 10, .pgrp = 10, .open_fds = 3});
  proc.AddProcess(FakeProcess{.pid = 11, .pgrp = 10, .open_fds = 0});
  EXPECT_EQ(*proc.root().CountOpenFds(10), 3);
  EXPECT_EQ(*proc.root().CountOpenFds(11), 0);
  auto gone = proc.root().CountOpenFds(12);
  ASSERT_FALSE(gone.has_value());
  EXPECT_EQ(gone.error().code(), base::StatusCode::kNotFound);
  EXPECT_THAT(gone.error().message(), HasSubstr("12/fd"));
}

TEST(ProcRootTest, ReadsTheRealProc) {
  const ProcRoot proc;
  auto stat = proc.Read(std::to_string(getpid()) + "/stat");
  ASSERT_TRUE(stat.has_value()) << stat.error().message();
  const auto parsed = ParseProcessStat(*stat);
  ASSERT_TRUE(parsed.has_value()) << *stat;
  EXPECT_EQ(parsed->pid, getpid());
  EXPECT_EQ(parsed->pgrp, getpgrp());
  EXPECT_TRUE(ParseProcStat(*proc.Read("stat")).has_value());
  EXPECT_THAT(proc.ListPids(), ::testing::Contains(getpid()));
}

TEST(ProcRootTest, CountsTheRealOpenFds) {
  const ProcRoot proc;
  auto before = proc.CountOpenFds(getpid());
  ASSERT_TRUE(before.has_value()) << before.error().message();
  base::UniqueFd extra(open("/dev/null", O_RDONLY | O_CLOEXEC));
  ASSERT_TRUE(extra.valid());
  EXPECT_EQ(*proc.CountOpenFds(getpid()), *before + 1);
}

}  // namespace
}  // namespace vigil::metrics
