// SPDX-License-Identifier: MIT
// ProcIdleMeter on a fake /proc: no CPU share on the first reading, the share between two
// readings after it, the load per CPU at once, and a missing file as an error reading.
#include "daemon/idle_meter.h"

#include <gtest/gtest.h>

#include "metrics/fake_proc_test_util.h"

namespace vigil::daemon {
namespace {

using metrics::CpuTimes;
using metrics::testing::FakeProc;

void SetUpMachine(const FakeProc& proc, uint64_t busy, uint64_t idle, const char* load) {
  proc.SetCpu(CpuTimes{.user = busy, .idle = idle}, 4);
  proc.SetMemInfo(8'000'000, 6'000'000);
  proc.SetLoadAvg(load, "0.50", "0.40");
}

TEST(ProcIdleMeterTest, CpuShareBetweenReadingsAndLoadPerCpu) {
  FakeProc proc;
  SetUpMachine(proc, 1000, 9000, "2.00");
  ProcIdleMeter meter(proc.root());
  tasks::IdleReading first = meter.Read();
  EXPECT_EQ(first.error, "");
  EXPECT_FALSE(first.cpu_busy_percent);
  EXPECT_DOUBLE_EQ(first.load_per_cpu, 0.5);  // 2.00 over 4 CPUs

  SetUpMachine(proc, 1000 + 90, 9000 + 10, "0.40");  // 90% busy since
  tasks::IdleReading busy = meter.Read();
  ASSERT_TRUE(busy.cpu_busy_percent);
  EXPECT_DOUBLE_EQ(*busy.cpu_busy_percent, 90);
  EXPECT_DOUBLE_EQ(busy.load_per_cpu, 0.1);

  SetUpMachine(proc, 1090 + 5, 9010 + 95, "0.40");  // 5% busy since
  EXPECT_DOUBLE_EQ(*meter.Read().cpu_busy_percent, 5);
}

TEST(ProcIdleMeterTest, AMissingFileIsAnErrorReading) {
  FakeProc proc;
  ProcIdleMeter meter(proc.root());
  tasks::IdleReading reading = meter.Read();
  EXPECT_NE(reading.error.find("stat"), std::string::npos) << reading.error;
  EXPECT_FALSE(reading.cpu_busy_percent);
}

}  // namespace
}  // namespace vigil::daemon
