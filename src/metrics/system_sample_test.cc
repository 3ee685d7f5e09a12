// SPDX-License-Identifier: MIT
// ReadSystem on a fake tree and the real /proc; Figures from pairs of samples.
#include "metrics/system_sample.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "metrics/fake_proc_test_util.h"

namespace vigil::metrics {
namespace {

using testing::FakeProc;
using ::testing::HasSubstr;

// A fake machine of 2 CPUs whose files all read.
class SystemSampleTest : public ::testing::Test {
 protected:
  SystemSampleTest() {
    proc_.SetCpu(CpuTimes{.user = 1000, .nice = 10, .system = 300, .idle = 5000, .iowait = 40}, 2);
    proc_.SetMemInfo(1000, 250, 2048, 512);
    proc_.SetLoadAvg("1.50", "0.87", "1.37");
  }

  SystemSample Sample() {
    auto sample = ReadSystem(proc_.root());
    EXPECT_TRUE(sample.has_value()) << sample.error().message();
    return sample.has_value() ? *sample : SystemSample{};
  }

  FakeProc proc_;
};

TEST_F(SystemSampleTest, ReadsEveryFile) {
  proc_.SetPressure("cpu", "12.50", 7076046416);
  const SystemSample sample = Sample();
  EXPECT_EQ(sample.cpu.user, 1000u);
  EXPECT_EQ(sample.cpu.iowait, 40u);
  EXPECT_EQ(sample.cpus, 2);
  EXPECT_EQ(sample.mem.total_bytes, 1000u * 1024);
  EXPECT_EQ(sample.mem.available_bytes, 250u * 1024);
  EXPECT_EQ(sample.mem.swap_total_bytes, 2048u * 1024);
  EXPECT_DOUBLE_EQ(sample.load.one, 1.5);
  ASSERT_TRUE(sample.cpu_pressure.has_value());
  EXPECT_DOUBLE_EQ(sample.cpu_pressure->some_avg10, 12.5);
  EXPECT_EQ(sample.cpu_pressure->some_total_us, 7076046416u);
}

TEST_F(SystemSampleTest, PressureFilesAreOptional) {
  proc_.SetPressure("io", "0.13", 47754500);
  const SystemSample sample = Sample();
  EXPECT_FALSE(sample.cpu_pressure.has_value());
  EXPECT_FALSE(sample.memory_pressure.has_value());
  ASSERT_TRUE(sample.io_pressure.has_value());
  EXPECT_EQ(sample.io_pressure->some_total_us, 47754500u);
}

TEST_F(SystemSampleTest, MalformedPressureIsAnErrorNamingTheFile) {
  proc_.Write("pressure/memory", "some avg10=x\n");
  auto sample = ReadSystem(proc_.root());
  ASSERT_FALSE(sample.has_value());
  EXPECT_EQ(sample.error().code(), base::StatusCode::kInvalidArgument);
  EXPECT_THAT(sample.error().message(), HasSubstr("pressure/memory: unexpected format"));
}

TEST_F(SystemSampleTest, MissingRequiredFileIsAnErrorNamingIt) {
  for (const char* file : {"stat", "meminfo", "loadavg"}) {
    FakeProc proc;
    proc.SetCpu(CpuTimes{.user = 1}, 1);
    proc.SetMemInfo(1000, 250);
    proc.SetLoadAvg("1.50", "0.87", "1.37");
    proc.Remove(file);
    auto sample = ReadSystem(proc.root());
    ASSERT_FALSE(sample.has_value()) << file;
    EXPECT_EQ(sample.error().code(), base::StatusCode::kNotFound);
    EXPECT_THAT(sample.error().message(), HasSubstr((proc.path() / file).string()));
  }
}

TEST_F(SystemSampleTest, MalformedRequiredFileIsAnErrorNamingIt) {
  for (const char* file : {"stat", "meminfo", "loadavg"}) {
    FakeProc proc;
    proc.SetCpu(CpuTimes{.user = 1}, 1);
    proc.SetMemInfo(1000, 250);
    proc.SetLoadAvg("1.50", "0.87", "1.37");
    proc.Write(file, "garbage\n");
    auto sample = ReadSystem(proc.root());
    ASSERT_FALSE(sample.has_value()) << file;
    EXPECT_EQ(sample.error().code(), base::StatusCode::kInvalidArgument);
    EXPECT_THAT(sample.error().message(), HasSubstr((proc.path() / file).string() + ": unexpected format"));
  }
}

TEST_F(SystemSampleTest, StatWithoutCpuLinesIsMalformed) {
  proc_.Write("stat", "cpu  1 2 3 4 5 6 7 8 0 0\nbtime 1\n");
  auto sample = ReadSystem(proc_.root());
  ASSERT_FALSE(sample.has_value());
  EXPECT_THAT(sample.error().message(), HasSubstr("stat: unexpected format"));
}

TEST_F(SystemSampleTest, FiguresFromTwoSamplesOneSecondApart) {
  const SystemSample previous = Sample();
  // 200 ticks later: 150 of them busy (user, nice, system, irq, softirq, steal) and 50
  // idle or waiting.
  proc_.SetCpu(
      CpuTimes{
          .user = 1100, .nice = 20, .system = 320, .idle = 5040, .iowait = 50, .irq = 5, .softirq = 10, .steal = 5},
      2);
  const SystemFigures figures = Figures(previous, Sample());
  EXPECT_DOUBLE_EQ(figures.cpu_busy_percent, 75.0);
  EXPECT_DOUBLE_EQ(figures.memory_used_percent, 75.0);  // 250 of 1000 kB available
  EXPECT_DOUBLE_EQ(figures.swap_used_percent, 75.0);    // 512 of 2048 kB free
  EXPECT_DOUBLE_EQ(figures.load_per_cpu, 0.75);         // 1.50 over 2 CPUs
}

TEST_F(SystemSampleTest, CpuIsZeroWithoutTicksOrWhenCountersGoBack) {
  const SystemSample sample = Sample();
  EXPECT_EQ(Figures(sample, sample).cpu_busy_percent, 0.0);

  SystemSample later = sample;
  later.cpu.user += 100;
  EXPECT_EQ(Figures(later, sample).cpu_busy_percent, 0.0);  // another boot, or swapped

  // Total grew, yet busy time fell (user went down): nothing sensible to report.
  SystemSample odd = sample;
  odd.cpu.user -= 10;
  odd.cpu.idle += 100;
  EXPECT_EQ(Figures(sample, odd).cpu_busy_percent, 0.0);
}

TEST_F(SystemSampleTest, CpuNeverExceedsOneHundred) {
  // iowait is known to go backwards on tickless kernels: busy grows more than total.
  const SystemSample previous = Sample();
  SystemSample now = previous;
  now.cpu.user += 100;
  now.cpu.iowait -= 30;
  EXPECT_EQ(Figures(previous, now).cpu_busy_percent, 100.0);
  now.cpu.iowait += 30;
  EXPECT_EQ(Figures(previous, now).cpu_busy_percent, 100.0);
}

TEST_F(SystemSampleTest, MemoryFiguresOfOddMachines) {
  SystemSample sample = Sample();
  sample.mem = MemInfo{.total_bytes = 1000, .available_bytes = 1000};
  EXPECT_EQ(Figures(sample, sample).memory_used_percent, 0.0);
  EXPECT_EQ(Figures(sample, sample).swap_used_percent, 0.0);  // no swap
  sample.mem = MemInfo{.total_bytes = 1000, .available_bytes = 2000, .swap_total_bytes = 10, .swap_free_bytes = 20};
  EXPECT_EQ(Figures(sample, sample).memory_used_percent, 0.0);
  EXPECT_EQ(Figures(sample, sample).swap_used_percent, 0.0);
  sample.mem = MemInfo{};
  EXPECT_EQ(Figures(sample, sample).memory_used_percent, 0.0);
  sample.mem = MemInfo{.total_bytes = 1000, .available_bytes = 0, .swap_total_bytes = 10, .swap_free_bytes = 0};
  EXPECT_EQ(Figures(sample, sample).memory_used_percent, 100.0);
  EXPECT_EQ(Figures(sample, sample).swap_used_percent, 100.0);
  sample.cpus = 0;
  EXPECT_EQ(Figures(sample, sample).load_per_cpu, 0.0);
}

TEST(SystemSampleRealTest, ReadsTheRealProc) {
  auto sample = ReadSystem(ProcRoot());
  ASSERT_TRUE(sample.has_value()) << sample.error().message();
  EXPECT_GE(sample->cpus, 1);
  EXPECT_GT(sample->cpu.Total(), 0u);
  EXPECT_GT(sample->mem.total_bytes, 0u);
  EXPECT_LE(sample->mem.available_bytes, sample->mem.total_bytes);
  const SystemFigures figures = Figures(*sample, *sample);
  EXPECT_EQ(figures.cpu_busy_percent, 0.0);
  EXPECT_GT(figures.memory_used_percent, 0.0);
  EXPECT_LT(figures.memory_used_percent, 100.0);
}

}  // namespace
}  // namespace vigil::metrics
