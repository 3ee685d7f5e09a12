// SPDX-License-Identifier: MIT
// The /proc parsers on real captured text, and on broken text that must give nullopt.
#include "metrics/proc_parse.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "metrics/proc_samples_test_data.h"

namespace vigil::metrics {
namespace {

using testing::kInitStat;
using testing::kKthreaddStat;
using testing::kOddCommStat;
using testing::kPressureCpu;
using testing::kPressureIo;
using testing::kPressureMemory;
using testing::kProcLoadavg;
using testing::kProcMeminfo;
using testing::kProcStat;
using testing::kSelfSmapsRollup;
using testing::kSelfStat;
using testing::kSelfStatus;
using testing::kThreadedStat;

// Every prefix of `text`, cut anywhere, must be parsed without a crash; the caller checks
// what the cut ones give.
template <typename Parse>
void ParseEveryPrefix(std::string_view text, Parse parse) {
  for (size_t n = 0; n <= text.size(); ++n) (void)parse(text.substr(0, n));
}

// Where field `index` (0-based, blank-separated) of `text` starts, counting from `from`.
size_t FieldStart(std::string_view text, size_t from, int index) {
  size_t pos = text.find_first_not_of(' ', from);
  for (int i = 0; i < index; ++i) pos = text.find_first_not_of(' ', text.find(' ', pos));
  return pos;
}

// A stat line built from fields, to break one field at a time.
std::string StatWith(std::string_view comm, std::string_view after_comm) {
  return "42 (" + std::string(comm) + ") " + std::string(after_comm) + "\n";
}
constexpr std::string_view kGoodFields = "S 1 42 42 0 -1 4194304 98 0 0 0 7 3 5 1 20 0 2 0 1642046 3133440 389 0 0";

// --- /proc/stat

TEST(ParseProcStatTest, ReadsTheAggregateLineOfARealFile) {
  const auto cpu = ParseProcStat(kProcStat);
  ASSERT_TRUE(cpu.has_value());
  EXPECT_EQ(cpu->user, 1895151u);
  EXPECT_EQ(cpu->nice, 83970u);
  EXPECT_EQ(cpu->system, 497811u);
  EXPECT_EQ(cpu->idle, 828817u);
  EXPECT_EQ(cpu->iowait, 2969u);
  EXPECT_EQ(cpu->irq, 0u);
  EXPECT_EQ(cpu->softirq, 2586u);
  EXPECT_EQ(cpu->steal, 0u);
  EXPECT_EQ(cpu->Total(), 1895151u + 83970 + 497811 + 828817 + 2969 + 0 + 2586 + 0);
  EXPECT_EQ(cpu->Busy(), cpu->Total() - 828817 - 2969);
}

TEST(ParseProcStatTest, CountsTheCpuLines) {
  EXPECT_EQ(CountCpus(kProcStat), 2);
  EXPECT_EQ(CountCpus("cpu  1 2 3 4 5 6 7 8\ncpu0 1\ncpu1 1\ncpu2 1\ncpu10 1\n"), 4);
  EXPECT_EQ(CountCpus("cpu  1 2 3 4 5 6 7 8\nintr 1\n"), std::nullopt);
  EXPECT_EQ(CountCpus("cpux 1\ncpu\n"), std::nullopt);
  EXPECT_EQ(CountCpus(""), std::nullopt);
}

TEST(ParseProcStatTest, ReadsTheBootTime) {
  EXPECT_EQ(ParseBootTimeSeconds(kProcStat), 1796114309u);
  EXPECT_EQ(ParseBootTimeSeconds("cpu  1 2 3 4 5 6 7 8\n"), std::nullopt);
  EXPECT_EQ(ParseBootTimeSeconds("btime \n"), std::nullopt);
  EXPECT_EQ(ParseBootTimeSeconds("btime -5\n"), std::nullopt);
  EXPECT_EQ(ParseBootTimeSeconds("btime 12 13\n"), std::nullopt);
  EXPECT_EQ(ParseBootTimeSeconds("btime 99999999999999999999\n"), std::nullopt);
}

TEST(ParseProcStatTest, AcceptsExactlyEightCountersWithoutGuestFields) {
  const auto cpu = ParseProcStat("cpu  1 2 3 4 5 6 7 8\n");
  ASSERT_TRUE(cpu.has_value());
  EXPECT_EQ(cpu->steal, 8u);
  EXPECT_EQ(cpu->Total(), 36u);
  EXPECT_EQ(cpu->Busy(), 36u - 4 - 5);
}

TEST(ParseProcStatTest, RefusesBrokenLines) {
  EXPECT_EQ(ParseProcStat(""), std::nullopt);
  EXPECT_EQ(ParseProcStat("\n\n"), std::nullopt);
  EXPECT_EQ(ParseProcStat("cpu0 1 2 3 4 5 6 7 8\n"), std::nullopt);  // no aggregate line
  EXPECT_EQ(ParseProcStat("cpu  1 2 3 4 5 6 7\n"), std::nullopt);    // truncated
  EXPECT_EQ(ParseProcStat("cpu  1 2 3 x 5 6 7 8\n"), std::nullopt);
  EXPECT_EQ(ParseProcStat("cpu  1 2 3 -4 5 6 7 8\n"), std::nullopt);
  EXPECT_EQ(ParseProcStat("cpu  1 2 3 4 5 6 7 8 nine\n"), std::nullopt);
  EXPECT_EQ(ParseProcStat("cpu  1 2 3 4.5 5 6 7 8\n"), std::nullopt);
  EXPECT_EQ(ParseProcStat("cpu  18446744073709551616 2 3 4 5 6 7 8\n"), std::nullopt);
}

TEST(ParseProcStatTest, RefusesCountersWhoseTotalOverflows) {
  EXPECT_TRUE(ParseProcStat("cpu  18446744073709551615 0 0 0 0 0 0 0\n").has_value());
  EXPECT_EQ(ParseProcStat("cpu  18446744073709551615 1 0 0 0 0 0 0\n"), std::nullopt);
}

TEST(ParseProcStatTest, SurvivesEveryTruncation) {
  ParseEveryPrefix(kProcStat, [](std::string_view t) { return ParseProcStat(t); });
  ParseEveryPrefix(kProcStat, [](std::string_view t) { return CountCpus(t); });
  ParseEveryPrefix(kProcStat, [](std::string_view t) { return ParseBootTimeSeconds(t); });
  // Cut before the eighth counter: never a partial success.
  const size_t steal = FieldStart(kProcStat, 3, 7);
  for (size_t n = 0; n <= steal; ++n) EXPECT_EQ(ParseProcStat(kProcStat.substr(0, n)), std::nullopt) << n;
}

// --- /proc/meminfo

TEST(ParseMemInfoTest, ReadsARealFileInBytes) {
  const auto mem = ParseMemInfo(kProcMeminfo);
  ASSERT_TRUE(mem.has_value());
  EXPECT_EQ(mem->total_bytes, 24683620ull * 1024);
  EXPECT_EQ(mem->available_bytes, 22967072ull * 1024);
  EXPECT_EQ(mem->swap_total_bytes, 0u);
  EXPECT_EQ(mem->swap_free_bytes, 0u);
}

TEST(ParseMemInfoTest, ReadsSwap) {
  const auto mem = ParseMemInfo(
      "MemTotal:        1000 kB\nMemFree:  10 kB\nMemAvailable:     600 kB\nSwapCached:  0 kB\n"
      "SwapTotal:        2048 kB\nSwapFree:         512 kB\n");
  ASSERT_TRUE(mem.has_value());
  EXPECT_EQ(mem->total_bytes, 1000u * 1024);
  EXPECT_EQ(mem->available_bytes, 600u * 1024);
  EXPECT_EQ(mem->swap_total_bytes, 2048u * 1024);
  EXPECT_EQ(mem->swap_free_bytes, 512u * 1024);
}

TEST(ParseMemInfoTest, MissingSwapLinesMeanNoSwap) {
  const auto mem = ParseMemInfo("MemTotal: 1000 kB\nMemAvailable: 600 kB\n");
  ASSERT_TRUE(mem.has_value());
  EXPECT_EQ(mem->swap_total_bytes, 0u);
}

TEST(ParseMemInfoTest, RefusesBrokenText) {
  EXPECT_EQ(ParseMemInfo(""), std::nullopt);
  EXPECT_EQ(ParseMemInfo("MemTotal: 1000 kB\nMemFree: 600 kB\n"), std::nullopt);  // before 3.14: no MemAvailable
  EXPECT_EQ(ParseMemInfo("MemAvailable: 600 kB\n"), std::nullopt);
  EXPECT_EQ(ParseMemInfo("MemTotal: 1000 MB\nMemAvailable: 600 kB\n"), std::nullopt);
  EXPECT_EQ(ParseMemInfo("MemTotal: 1000\nMemAvailable: 600 kB\n"), std::nullopt);
  EXPECT_EQ(ParseMemInfo("MemTotal: -1000 kB\nMemAvailable: 600 kB\n"), std::nullopt);
  EXPECT_EQ(ParseMemInfo("MemTotal: lots kB\nMemAvailable: 600 kB\n"), std::nullopt);
  EXPECT_EQ(ParseMemInfo("MemTotal: 1000 kB\nMemAvailable: 600 kB\nSwapTotal: x kB\n"), std::nullopt);
  // Fits 64 bits in kB, not in bytes.
  EXPECT_EQ(ParseMemInfo("MemTotal: 18014398509481984 kB\nMemAvailable: 600 kB\n"), std::nullopt);
  EXPECT_TRUE(ParseMemInfo("MemTotal: 18014398509481983 kB\nMemAvailable: 600 kB\n").has_value());
  ParseEveryPrefix(kProcMeminfo, [](std::string_view t) { return ParseMemInfo(t); });
}

// --- /proc/loadavg

TEST(ParseLoadAvgTest, ReadsARealFile) {
  const auto load = ParseLoadAvg(kProcLoadavg);
  ASSERT_TRUE(load.has_value());
  EXPECT_DOUBLE_EQ(load->one, 1.51);
  EXPECT_DOUBLE_EQ(load->five, 0.87);
  EXPECT_DOUBLE_EQ(load->fifteen, 1.25);
}

TEST(ParseLoadAvgTest, RefusesBrokenText) {
  EXPECT_FALSE(ParseLoadAvg("").has_value());
  EXPECT_FALSE(ParseLoadAvg("0.07 0.87\n").has_value());
  EXPECT_FALSE(ParseLoadAvg("0.07 x 1.37 2/80 25753\n").has_value());
  EXPECT_FALSE(ParseLoadAvg("-0.07 0.87 1.37 2/80 25753\n").has_value());
  EXPECT_FALSE(ParseLoadAvg("nan 0.87 1.37 2/80 25753\n").has_value());
  EXPECT_FALSE(ParseLoadAvg("inf 0.87 1.37 2/80 25753\n").has_value());
  EXPECT_FALSE(ParseLoadAvg("1e999 0.87 1.37 2/80 25753\n").has_value());
  EXPECT_FALSE(ParseLoadAvg("0.07x 0.87 1.37 2/80 25753\n").has_value());
  ParseEveryPrefix(kProcLoadavg, [](std::string_view t) { return ParseLoadAvg(t); });
}

TEST(ParseLastPidTest, ReadsTheFifthField) {
  EXPECT_EQ(ParseLastPid(kProcLoadavg), 27074);
  EXPECT_EQ(ParseLastPid("0.00 0.00 0.00 1/80 1"), 1);
}

TEST(ParseLastPidTest, RefusesBrokenText) {
  EXPECT_EQ(ParseLastPid(""), std::nullopt);
  EXPECT_EQ(ParseLastPid("0.07 0.87 1.37 2/80\n"), std::nullopt);
  EXPECT_EQ(ParseLastPid("0.07 0.87 1.37 2/80 -5\n"), std::nullopt);
  EXPECT_EQ(ParseLastPid("0.07 0.87 1.37 2/80 25753x\n"), std::nullopt);
  EXPECT_EQ(ParseLastPid("0.07 0.87 1.37 2/80 99999999999\n"), std::nullopt);
  EXPECT_EQ(ParseLastPid("0.07 0.87 1.37 2/80 25753 7\n"), std::nullopt);
  ParseEveryPrefix(kProcLoadavg, [](std::string_view t) { return ParseLastPid(t); });
}

// --- /proc/pressure

TEST(ParsePressureTest, ReadsRealFiles) {
  const auto cpu = ParsePressure(kPressureCpu);
  ASSERT_TRUE(cpu.has_value());
  EXPECT_DOUBLE_EQ(cpu->some_avg10, 40.43);
  EXPECT_DOUBLE_EQ(cpu->some_avg60, 12.85);
  EXPECT_DOUBLE_EQ(cpu->some_avg300, 4.78);
  EXPECT_EQ(cpu->some_total_us, 7088776280u);
  EXPECT_EQ(cpu->full_avg10, 0.0);
  EXPECT_EQ(cpu->full_total_us, 0u);

  const auto memory = ParsePressure(kPressureMemory);
  ASSERT_TRUE(memory.has_value());
  EXPECT_EQ(memory->some_total_us, 0u);

  const auto io = ParsePressure(kPressureIo);
  ASSERT_TRUE(io.has_value());
  EXPECT_DOUBLE_EQ(io->some_avg10, 0.13);
  EXPECT_EQ(io->some_total_us, 47754500u);
  EXPECT_EQ(io->full_avg60, 0.01);
  EXPECT_EQ(io->full_total_us, 18277472u);
}

TEST(ParsePressureTest, CpuBefore513HasNoFullLine) {
  const auto cpu = ParsePressure("some avg10=1.81 avg60=1.25 avg300=2.66 total=7076046416\n");
  ASSERT_TRUE(cpu.has_value());
  EXPECT_DOUBLE_EQ(cpu->some_avg300, 2.66);
  EXPECT_EQ(cpu->full_avg10, std::nullopt);
  EXPECT_EQ(cpu->full_avg60, std::nullopt);
  EXPECT_EQ(cpu->full_avg300, std::nullopt);
  EXPECT_EQ(cpu->full_total_us, std::nullopt);
}

TEST(ParsePressureTest, RefusesBrokenText) {
  EXPECT_FALSE(ParsePressure("").has_value());
  EXPECT_FALSE(ParsePressure("full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n").has_value());
  EXPECT_FALSE(ParsePressure("some avg10=1.81 avg60=1.25 avg300=2.66\n").has_value());
  EXPECT_FALSE(ParsePressure("some avg10=1.81 avg60=1.25 avg300=2.66 total=-1\n").has_value());
  EXPECT_FALSE(ParsePressure("some avg10=1.81 avg300=1.25 avg60=2.66 total=1\n").has_value());
  EXPECT_FALSE(ParsePressure("some avg10= avg60=1.25 avg300=2.66 total=1\n").has_value());
  EXPECT_FALSE(ParsePressure("some avg10=1.81 avg60=1.25 avg300=2.66 total=1 extra=2\n").has_value());
  EXPECT_FALSE(ParsePressure("some avg10=1.81 avg60=1.25 avg300=2.66 total=18446744073709551616\n").has_value());
  // A "full" line that is present must read too.
  EXPECT_FALSE(ParsePressure("some avg10=1.81 avg60=1.25 avg300=2.66 total=1\nfull avg10=x\n").has_value());
  ParseEveryPrefix(kPressureIo, [](std::string_view t) { return ParsePressure(t); });
}

// --- /proc/PID/stat

TEST(ParseProcessStatTest, ReadsARealFile) {
  const auto stat = ParseProcessStat(kSelfStat);
  ASSERT_TRUE(stat.has_value());
  EXPECT_EQ(stat->pid, 27034);
  EXPECT_EQ(stat->comm, "python3");
  EXPECT_EQ(stat->state, 'R');
  EXPECT_EQ(stat->ppid, 27030);
  EXPECT_EQ(stat->pgrp, 27030);
  EXPECT_EQ(stat->session, 25213);
  EXPECT_EQ(stat->utime_ticks, 9u);
  EXPECT_EQ(stat->stime_ticks, 7u);
  EXPECT_EQ(stat->cutime_ticks, 15u);
  EXPECT_EQ(stat->cstime_ticks, 32u);
  EXPECT_EQ(stat->num_threads, 1);
  EXPECT_EQ(stat->start_time_ticks, 1662343u);
  EXPECT_EQ(stat->rss_pages, 3350u);
}

TEST(ParseProcessStatTest, ReadsThreadsAndChildTimes) {
  const auto stat = ParseProcessStat(kThreadedStat);
  ASSERT_TRUE(stat.has_value());
  EXPECT_EQ(stat->num_threads, 4);
  EXPECT_EQ(stat->utime_ticks, 6u);
  EXPECT_EQ(stat->stime_ticks, 4u);
  EXPECT_EQ(stat->cutime_ticks, 12u);
  EXPECT_EQ(stat->cstime_ticks, 12u);
  EXPECT_EQ(stat->rss_pages, 3345u);
}

TEST(ParseProcessStatTest, NegativeFieldsItDoesNotUseAreFine) {
  // PID 1 here has tpgid -1 and nice -10.
  const auto stat = ParseProcessStat(kInitStat);
  ASSERT_TRUE(stat.has_value());
  EXPECT_EQ(stat->pid, 1);
  EXPECT_EQ(stat->comm, "process_api");
  EXPECT_EQ(stat->ppid, 0);
  EXPECT_EQ(stat->utime_ticks, 3177u);
  EXPECT_EQ(stat->stime_ticks, 8544u);
  EXPECT_EQ(stat->cutime_ticks, 1883309u);
  EXPECT_EQ(stat->cstime_ticks, 443350u);
  EXPECT_EQ(stat->num_threads, 14);
  EXPECT_EQ(stat->start_time_ticks, 20u);
  EXPECT_EQ(stat->rss_pages, 2391u);
}

TEST(ParseProcessStatTest, ReadsAKernelThread) {
  const auto stat = ParseProcessStat(kKthreaddStat);
  ASSERT_TRUE(stat.has_value());
  EXPECT_EQ(stat->pid, 2);
  EXPECT_EQ(stat->comm, "kthreadd");
  EXPECT_EQ(stat->pgrp, 0);
  EXPECT_EQ(stat->session, 0);
  EXPECT_EQ(stat->rss_pages, 0u);
}

TEST(ParseProcessStatTest, CommWithBlanksAndParenthesesEndsAtTheLastParenthesis) {
  const auto real = ParseProcessStat(kOddCommStat);
  ASSERT_TRUE(real.has_value());
  EXPECT_EQ(real->pid, 25863);
  EXPECT_EQ(real->comm, "a) b (c");
  EXPECT_EQ(real->state, 'S');
  EXPECT_EQ(real->ppid, 25862);
  EXPECT_EQ(real->pgrp, 25858);
  EXPECT_EQ(real->rss_pages, 389u);

  for (std::string_view comm : {"(a) b) c)", ") S 1 2 3 (", "x) R 9 9 9", "", " ", ")", "((", "a\nb"}) {
    const auto stat = ParseProcessStat(StatWith(comm, kGoodFields));
    ASSERT_TRUE(stat.has_value()) << comm;
    EXPECT_EQ(stat->comm, comm);
    EXPECT_EQ(stat->state, 'S');
    EXPECT_EQ(stat->ppid, 1);
    EXPECT_EQ(stat->pgrp, 42);
    EXPECT_EQ(stat->session, 42);
    EXPECT_EQ(stat->utime_ticks, 7u);
    EXPECT_EQ(stat->stime_ticks, 3u);
    EXPECT_EQ(stat->cutime_ticks, 5u);
    EXPECT_EQ(stat->cstime_ticks, 1u);
    EXPECT_EQ(stat->num_threads, 2);
    EXPECT_EQ(stat->start_time_ticks, 1642046u);
    EXPECT_EQ(stat->rss_pages, 389u);
  }
}

TEST(ParseProcessStatTest, RefusesBrokenText) {
  EXPECT_EQ(ParseProcessStat(""), std::nullopt);
  EXPECT_EQ(ParseProcessStat("42"), std::nullopt);
  EXPECT_EQ(ParseProcessStat("42 (prog"), std::nullopt);
  EXPECT_EQ(ParseProcessStat("42 (prog)"), std::nullopt);
  EXPECT_EQ(ParseProcessStat("42 (prog) "), std::nullopt);
  EXPECT_EQ(ParseProcessStat("42 (prog)S 1 42 42 0 -1 4194304 98 0 0 0 7 3 5 1 20 0 2 0 1642046 3133440 389"),
            std::nullopt);
  EXPECT_EQ(ParseProcessStat(")42 (prog"), std::nullopt);
  EXPECT_EQ(ParseProcessStat("(prog) " + std::string(kGoodFields)), std::nullopt);
  EXPECT_EQ(ParseProcessStat("x (prog) " + std::string(kGoodFields)), std::nullopt);
  EXPECT_EQ(ParseProcessStat("-42 (prog) " + std::string(kGoodFields)), std::nullopt);
  EXPECT_EQ(ParseProcessStat("0 (prog) " + std::string(kGoodFields)), std::nullopt);
  EXPECT_EQ(ParseProcessStat("2147483648 (prog) " + std::string(kGoodFields)), std::nullopt);
  // Truncated before rss, the last field used.
  EXPECT_EQ(ParseProcessStat(StatWith("prog", "S 1 42 42 0 -1 4194304 98 0 0 0 7 3 5 1 20 0 2 0 1642046 3133440")),
            std::nullopt);
  EXPECT_EQ(ParseProcessStat(StatWith("prog", "SS 1 42 42 0 -1 4194304 98 0 0 0 7 3 5 1 20 0 2 0 1 2 3")),
            std::nullopt);
  EXPECT_EQ(ParseProcessStat(StatWith("prog", "S -1 42 42 0 -1 4194304 98 0 0 0 7 3 5 1 20 0 2 0 1 2 3")),
            std::nullopt);
  EXPECT_EQ(ParseProcessStat(StatWith("prog", "S 1 -42 42 0 -1 4194304 98 0 0 0 7 3 5 1 20 0 2 0 1 2 3")),
            std::nullopt);
  EXPECT_EQ(ParseProcessStat(StatWith("prog", "S 1 42 42 0 -1 4194304 98 0 0 0 -7 3 5 1 20 0 2 0 1 2 3")),
            std::nullopt);
  EXPECT_EQ(ParseProcessStat(StatWith("prog", "S 1 42 42 0 -1 4194304 98 0 0 0 7 3 5 1 20 0 2 0 1 2 -3")),
            std::nullopt);
  EXPECT_EQ(ParseProcessStat(StatWith("prog", "S 1 42 42 0 -1 4194304 98 0 0 0 7 x 5 1 20 0 2 0 1 2 3")), std::nullopt);
  EXPECT_EQ(
      ParseProcessStat(StatWith("prog", "S 1 42 42 0 -1 4194304 98 0 0 0 18446744073709551616 3 5 1 20 0 2 0 1 2 3")),
      std::nullopt);
  EXPECT_EQ(ParseProcessStat(StatWith("prog", "S 1 4294967338 42 0 -1 4194304 98 0 0 0 7 3 5 1 20 0 2 0 1 2 3")),
            std::nullopt);
  EXPECT_EQ(ParseProcessStat(StatWith("prog", "S 1 42 42 0 -1 4194304 98 0 0 0 7 3 5 1 20 0 99999999999 0 1 2 3")),
            std::nullopt);
}

TEST(ParseProcessStatTest, SurvivesEveryTruncation) {
  for (std::string_view text : {kSelfStat, kOddCommStat, kInitStat}) {
    // Cut before rss, the last field used: never a partial success.
    const size_t rss = FieldStart(text, text.rfind(')') + 1, 21);
    for (size_t n = 0; n <= rss; ++n) EXPECT_EQ(ParseProcessStat(text.substr(0, n)), std::nullopt) << text.substr(0, n);
    ParseEveryPrefix(text, [](std::string_view t) { return ParseProcessStat(t); });
  }
}

// --- /proc/PID/smaps_rollup and status

TEST(ParsePssBytesTest, ReadsARealFile) { EXPECT_EQ(ParsePssBytes(kSelfSmapsRollup), 11736u * 1024); }

TEST(ParsePssBytesTest, RefusesBrokenText) {
  EXPECT_EQ(ParsePssBytes(""), std::nullopt);
  // Only the exact "Pss:" line: not Pss_Anon and the like.
  EXPECT_EQ(ParsePssBytes("Rss: 10 kB\nPss_Anon: 5 kB\nPss_File: 3 kB\n"), std::nullopt);
  EXPECT_EQ(ParsePssBytes("Pss: 5\n"), std::nullopt);
  EXPECT_EQ(ParsePssBytes("Pss: -5 kB\n"), std::nullopt);
  EXPECT_EQ(ParsePssBytes("Pss: 99999999999999999999 kB\n"), std::nullopt);
  ParseEveryPrefix(kSelfSmapsRollup, [](std::string_view t) { return ParsePssBytes(t); });
}

TEST(ParseRealUidTest, ReadsTheFirstUidOfARealFile) {
  EXPECT_EQ(ParseRealUid(kSelfStatus), 0u);
  EXPECT_EQ(ParseRealUid("Name:\tx\nUid:\t1000\t0\t0\t0\nGid:\t5\t5\t5\t5\n"), 1000u);
  EXPECT_EQ(ParseRealUid("Uid:\t4294967294\t0\t0\t0\n"), 4294967294u);
}

TEST(ParseRealUidTest, RefusesBrokenText) {
  EXPECT_EQ(ParseRealUid(""), std::nullopt);
  EXPECT_EQ(ParseRealUid("Gid:\t5\t5\t5\t5\n"), std::nullopt);
  EXPECT_EQ(ParseRealUid("Uid:\n"), std::nullopt);
  EXPECT_EQ(ParseRealUid("Uid:\t-1\t0\t0\t0\n"), std::nullopt);
  EXPECT_EQ(ParseRealUid("Uid:\t4294967296\t0\t0\t0\n"), std::nullopt);
  EXPECT_EQ(ParseRealUid("Uid:\troot\t0\t0\t0\n"), std::nullopt);
  ParseEveryPrefix(kSelfStatus, [](std::string_view t) { return ParseRealUid(t); });
}

// Bytes of every value, fed to every parser: none may crash (ASan and UBSan builds check
// the reads).
TEST(ProcParseTest, SurvivesArbitraryBytes) {
  std::string text;
  unsigned state = 1;
  for (int round = 0; round < 2000; ++round) {
    state = state * 1103515245u + 12345u;
    text.resize((state >> 16) % 64);
    for (char& c : text) {
      state = state * 1103515245u + 12345u;
      constexpr std::string_view kAlphabet = "0123456789 ()\n\t-.:=kBcpu";
      c = (state >> 24) % 4 == 0 ? static_cast<char>(state >> 16) : kAlphabet[(state >> 16) % kAlphabet.size()];
    }
    (void)ParseProcStat(text);
    (void)CountCpus(text);
    (void)ParseBootTimeSeconds(text);
    (void)ParseMemInfo(text);
    (void)ParseLoadAvg(text);
    (void)ParsePressure(text);
    (void)ParseProcessStat(text);
    (void)ParsePssBytes(text);
    (void)ParseRealUid(text);
  }
}

}  // namespace
}  // namespace vigil::metrics
