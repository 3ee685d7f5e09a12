// SPDX-License-Identifier: MIT
// ListProcesses on a fake machine (kernel threads, zombies, vanished and odd processes) and
// on the real /proc; JoinCommandLine; CommandRegex; Matches; StallTracker; Summarize.
#include "metrics/process_table.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <initializer_list>
#include <limits>

#include "metrics/fake_proc_test_util.h"

namespace vigil::metrics {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::seconds;
using ::testing::ElementsAre;
using testing::FakeProc;
using testing::FakeProcess;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;

constexpr long kTicksPerSecond = 100;
constexpr long kPageSize = 4096;
constexpr uint64_t kBootSeconds = 1796114309;  // the btime FakeProc::SetCpu writes
constexpr uint64_t kStatStartTicks = 1642046;  // the start time FakeProc::StatLine writes
const base::WallTime kBootTime{seconds(kBootSeconds)};

// A process of the fake machine: its stat fields plus what PID/cmdline and PID/status add.
struct FakeEntry {
  FakeProcess stat;
  std::string cmdline;  // raw, as the kernel shows it: each argument ends in a NUL
  uint32_t uid = 1000;
  uint64_t start_time_ticks = kStatStartTicks;
};

// The raw PID/cmdline of these arguments.
std::string Argv(std::initializer_list<std::string_view> args) {
  std::string raw;
  for (std::string_view arg : args) {
    raw += arg;
    raw += '\0';
  }
  return raw;
}

// FakeProc::StatLine with another start time (it always writes kStatStartTicks).
std::string StatLineStartingAt(const FakeProcess& p, uint64_t start_time_ticks) {
  std::string line = FakeProc::StatLine(p);
  const std::string fixed = " " + std::to_string(kStatStartTicks) + " ";
  const size_t at = line.find(fixed);
  EXPECT_NE(at, std::string::npos) << line;
  if (at != std::string::npos) line.replace(at, fixed.size(), " " + std::to_string(start_time_ticks) + " ");
  return line;
}

// The head of PID/status as Linux 6 prints it, down to the lines read here.
std::string StatusText(const FakeProcess& p, uint32_t uid) {
  const std::string id = std::to_string(uid);
  return "Name:\t" + p.comm + "\nUmask:\t0022\nState:\t" + p.state + " (sleeping)\nTgid:\t" + std::to_string(p.pid) +
         "\nNgid:\t0\nPid:\t" + std::to_string(p.pid) + "\nPPid:\t" + std::to_string(p.ppid) +
         "\nTracerPid:\t0\nUid:\t" + id + "\t" + id + "\t" + id + "\t" + id + "\nGid:\t100\t100\t100\t100\n";
}

// Writes PID/stat, PID/cmdline and PID/status.
void AddEntry(const FakeProc& proc, const FakeEntry& e) {
  const std::string dir = std::to_string(e.stat.pid);
  proc.Write(dir + "/stat", StatLineStartingAt(e.stat, e.start_time_ticks));
  proc.Write(dir + "/cmdline", e.cmdline);
  proc.Write(dir + "/status", StatusText(e.stat, e.uid));
}

CommandRegex Regex(const std::string& pattern) {
  auto regex = CompileCommandRegex(pattern);
  EXPECT_TRUE(regex.has_value()) << pattern << ": " << regex.error().message();
  return std::move(regex).value();
}

std::string RegexError(const std::string& pattern) {
  auto regex = CompileCommandRegex(pattern);
  EXPECT_FALSE(regex.has_value()) << pattern;
  if (regex.has_value()) return "";
  EXPECT_EQ(regex.error().code(), base::StatusCode::kInvalidArgument);
  return regex.error().message();
}

std::vector<int> Pids(const std::vector<ProcessEntry>& entries) {
  std::vector<int> pids;
  for (const ProcessEntry& e : entries) pids.push_back(e.pid);
  return pids;
}

const ProcessEntry* Find(const std::vector<ProcessEntry>& entries, int pid) {
  const auto it = std::find_if(entries.begin(), entries.end(), [pid](const ProcessEntry& e) { return e.pid == pid; });
  return it == entries.end() ? nullptr : &*it;
}

// A small machine: init, two kernel threads, nginx (master as root, worker as www-data),
// two Python programs of two users and a zombie left by the first.
class ProcessTableTest : public ::testing::Test {
 protected:
  ProcessTableTest() {
    proc_.SetCpu(CpuTimes{}, 2);
    AddEntry(proc_, {.stat = {.pid = 1, .pgrp = 1, .comm = "systemd", .ppid = 0},
                     .cmdline = Argv({"/sbin/init", "splash"}),
                     .uid = 0});
    AddEntry(proc_, {.stat = {.pid = 2, .comm = "kthreadd", .ppid = 0}, .cmdline = "", .uid = 0});
    AddEntry(proc_, {.stat = {.pid = 3, .comm = "rcu_gp", .ppid = 2}, .cmdline = "", .uid = 0});
    // nginx rewrites its title over its arguments and pads the rest with NULs.
    AddEntry(proc_, {.stat = {.pid = 120, .pgrp = 120, .comm = "nginx"},
                     .cmdline = Argv({"nginx: master process /usr/sbin/nginx -g daemon on; master_process on;"}),
                     .uid = 0});
    AddEntry(proc_, {.stat = {.pid = 121, .pgrp = 120, .comm = "nginx", .ppid = 120},
                     .cmdline = "nginx: worker process" + std::string(30, '\0'),
                     .uid = 33});
    AddEntry(proc_, {.stat = {.pid = 300,
                              .pgrp = 300,
                              .comm = "python3",
                              .utime_ticks = 500,
                              .stime_ticks = 20,
                              .cutime_ticks = 99,  // its children's, not its own
                              .cstime_ticks = 9,
                              .rss_pages = 2000},
                     .cmdline = Argv({"/usr/bin/python3", "/srv/app/worker.py", "--queue", "mail"}),
                     .uid = 1000,
                     .start_time_ticks = 200000});
    AddEntry(proc_, {.stat = {.pid = 301, .pgrp = 301, .comm = "python3", .utime_ticks = 7},
                     .cmdline = Argv({"/usr/bin/python3", "-m", "http.server"}),
                     .uid = 1001});
    AddEntry(
        proc_,
        {.stat = {.pid = 400, .pgrp = 300, .comm = "python3", .state = 'Z', .ppid = 300}, .cmdline = "", .uid = 1000});
  }

  std::vector<ProcessEntry> List() const {
    auto listed = ListProcesses(proc_.root(), kTicksPerSecond, kPageSize);
    EXPECT_TRUE(listed.has_value()) << listed.error().message();
    return listed.has_value() ? std::move(listed).value() : std::vector<ProcessEntry>{};
  }

  std::vector<int> Matching(const ProcessMatch& match) const {
    std::vector<int> pids;
    for (const ProcessEntry& e : List()) {
      if (Matches(match, e)) pids.push_back(e.pid);
    }
    return pids;
  }

  FakeProc proc_;
};

TEST_F(ProcessTableTest, ListsAProcessWithItsFields) {
  const auto entries = List();
  const ProcessEntry* e = Find(entries, 300);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->pgrp, 300);
  EXPECT_EQ(e->comm, "python3");
  EXPECT_EQ(e->cmdline, "/usr/bin/python3 /srv/app/worker.py --queue mail");
  EXPECT_EQ(e->uid, 1000u);
  EXPECT_EQ(e->cpu_ticks, 520u);
  EXPECT_EQ(e->start_time_ticks, 200000u);
  EXPECT_EQ(e->started, kBootTime + seconds(2000));
  EXPECT_EQ(e->rss_bytes, 2000u * kPageSize);
  EXPECT_FALSE(e->zombie);
}

TEST_F(ProcessTableTest, LeavesKernelThreadsOut) { EXPECT_THAT(Pids(List()), ElementsAre(1, 120, 121, 300, 301, 400)); }

TEST_F(ProcessTableTest, KeepsAKernelHelperThatExecedAndAUserProcessWithoutArguments) {
  AddEntry(proc_, {.stat = {.pid = 500, .comm = "modprobe", .ppid = 2},
                   .cmdline = Argv({"/sbin/modprobe", "-q", "--", "net-pf-10"}),
                   .uid = 0});
  AddEntry(proc_, {.stat = {.pid = 501, .comm = "wiped", .ppid = 1}, .cmdline = std::string(8, '\0')});
  AddEntry(proc_, {.stat = {.pid = 502, .comm = "kworker/0:1", .ppid = 2}, .cmdline = "", .uid = 0});
  const auto entries = List();
  EXPECT_THAT(Pids(entries), ElementsAre(1, 120, 121, 300, 301, 400, 500, 501));
  EXPECT_EQ(Find(entries, 500)->cmdline, "/sbin/modprobe -q -- net-pf-10");
  EXPECT_EQ(Find(entries, 501)->cmdline, "");
}

TEST_F(ProcessTableTest, ListsAZombieThatNeverMatches) {
  AddEntry(proc_, {.stat = {.pid = 401, .comm = "python3", .state = 'X', .ppid = 300}, .cmdline = ""});
  const auto entries = List();
  ASSERT_NE(Find(entries, 400), nullptr);
  EXPECT_TRUE(Find(entries, 400)->zombie);
  EXPECT_TRUE(Find(entries, 401)->zombie);
  EXPECT_FALSE(Find(entries, 300)->zombie);
  EXPECT_THAT(Matching({.name = "python3", .uid = 1000}), ElementsAre(300));
  EXPECT_FALSE(Matches({}, *Find(entries, 400)));
}

TEST_F(ProcessTableTest, SkipsProcessesThatVanishedDuringTheWalk) {
  // Listed, then gone before one of its files was read: the directory stays, files do not.
  proc_.Remove("300/stat");
  proc_.Remove("301/cmdline");
  proc_.Remove("121/status");
  proc_.Write("777/.keep", "");  // a directory left with none of its files
  EXPECT_THAT(Pids(List()), ElementsAre(1, 120, 400));
}

TEST_F(ProcessTableTest, SkipsProcessesWhoseFilesDoNotParse) {
  proc_.Write("300/stat", FakeProc::StatLine({.pid = 300}).substr(0, 40));
  proc_.Write("301/status", "Name:\tpython3\nUid:\tnobody\n");
  proc_.Write("121/status", "Name:\tnginx\n");
  EXPECT_THAT(Pids(List()), ElementsAre(1, 120, 400));
}

TEST_F(ProcessTableTest, ListsAProcessWhoseArgumentsAreTooLargeToReadWithoutThem) {
  AddEntry(proc_, {.stat = {.pid = 600, .comm = "bigargs"}, .cmdline = std::string(kMaxProcFileBytes + 1, 'a')});
  const auto entries = List();
  ASSERT_NE(Find(entries, 600), nullptr);
  EXPECT_EQ(Find(entries, 600)->cmdline, "");
  EXPECT_THAT(Matching({.name = "bigargs"}), ElementsAre(600));
}

TEST_F(ProcessTableTest, CutsALongCommandLine) {
  AddEntry(proc_, {.stat = {.pid = 600, .comm = "java"},
                   .cmdline = Argv({"java", "-cp", std::string(kMaxCommandLineBytes, 'x'), "Main"})});
  const auto entries = List();
  ASSERT_NE(Find(entries, 600), nullptr);
  EXPECT_EQ(Find(entries, 600)->cmdline.size(), kMaxCommandLineBytes);
  EXPECT_THAT(Find(entries, 600)->cmdline, StartsWith("java -cp xxx"));
}

TEST_F(ProcessTableTest, StartTimeIsBootTimePlusTicksAtTheTickRate) {
  AddEntry(proc_, {.stat = {.pid = 700}, .cmdline = Argv({"a"}), .start_time_ticks = 12345});
  auto at = [&](long ticks_per_second) {
    auto listed = ListProcesses(proc_.root(), ticks_per_second, kPageSize);
    EXPECT_TRUE(listed.has_value());
    const ProcessEntry* e = listed.has_value() ? Find(*listed, 700) : nullptr;
    return e != nullptr ? e->started : base::WallTime{};
  };
  EXPECT_EQ(at(100), kBootTime + milliseconds(123450));
  EXPECT_EQ(at(250), kBootTime + milliseconds(49380));
  EXPECT_EQ(at(1), kBootTime + seconds(12345));
  EXPECT_EQ(at(0), kBootTime);  // no usable tick rate: the boot time is the best known
}

TEST_F(ProcessTableTest, AStartTimeBeyondWallTimeIsClamped) {
  // UBSan would catch an overflow of the time_point here.
  AddEntry(proc_,
           {.stat = {.pid = 700}, .cmdline = Argv({"a"}), .start_time_ticks = std::numeric_limits<uint64_t>::max()});
  const auto entries = List();
  ASSERT_NE(Find(entries, 700), nullptr);
  EXPECT_EQ(Find(entries, 700)->started, base::WallTime(seconds(uint64_t{1} << 32)));
}

TEST_F(ProcessTableTest, AsksSysconfForTheUnitsByDefault) {
  auto listed = ListProcesses(proc_.root());
  ASSERT_TRUE(listed.has_value());
  const ProcessEntry* e = Find(*listed, 300);
  ASSERT_NE(e, nullptr);
  const long ticks_per_second = sysconf(_SC_CLK_TCK);
  EXPECT_EQ(e->started, kBootTime + milliseconds(200000 * 1000 / ticks_per_second));
  EXPECT_EQ(e->rss_bytes, 2000u * static_cast<uint64_t>(sysconf(_SC_PAGESIZE)));
}

TEST_F(ProcessTableTest, FailsWithoutTheBootTime) {
  proc_.Write("stat", "cpu  1 2 3 4 5 6 7 8 0 0\ncpu0 1 2 3 4 5 6 7 8 0 0\n");
  auto listed = ListProcesses(proc_.root(), kTicksPerSecond, kPageSize);
  ASSERT_FALSE(listed.has_value());
  EXPECT_EQ(listed.error().code(), base::StatusCode::kInvalidArgument);
  EXPECT_EQ(listed.error().message(), (proc_.path() / "stat").string() + ": no btime line");

  proc_.Remove("stat");
  listed = ListProcesses(proc_.root(), kTicksPerSecond, kPageSize);
  ASSERT_FALSE(listed.has_value());
  EXPECT_EQ(listed.error().code(), base::StatusCode::kNotFound);
}

TEST(ListProcessesTest, AMachineWithoutProcessesListsNone) {
  FakeProc proc;
  proc.SetCpu(CpuTimes{}, 1);
  auto listed = ListProcesses(proc.root(), kTicksPerSecond, kPageSize);
  ASSERT_TRUE(listed.has_value());
  EXPECT_THAT(*listed, IsEmpty());
}

// Matches.

TEST_F(ProcessTableTest, MatchesByExactName) {
  EXPECT_THAT(Matching({.name = "nginx"}), ElementsAre(120, 121));
  EXPECT_THAT(Matching({.name = "python3"}), ElementsAre(300, 301));
  EXPECT_THAT(Matching({.name = "ngin"}), IsEmpty());
  EXPECT_THAT(Matching({.name = "NGINX"}), IsEmpty());
  EXPECT_THAT(Matching({.name = "nginx: worker process"}), IsEmpty());  // a title is not a name
}

TEST_F(ProcessTableTest, MatchesByRegexOnTheCommandLine) {
  EXPECT_THAT(Matching({.command = Regex(R"(worker\.py)")}), ElementsAre(300));
  EXPECT_THAT(Matching({.command = Regex("^/usr/bin/python3 ")}), ElementsAre(300, 301));
  EXPECT_THAT(Matching({.command = Regex("^nginx: worker process$")}), ElementsAre(121));  // padding gone
  EXPECT_THAT(Matching({.command = Regex("--queue mail$")}), ElementsAre(300));
  EXPECT_THAT(Matching({.command = Regex("nginx")}), ElementsAre(120, 121));
  EXPECT_THAT(Matching({.command = Regex("^python3")}), IsEmpty());  // the line is argv, not comm
}

TEST_F(ProcessTableTest, MatchesByUser) {
  EXPECT_THAT(Matching({.uid = 0}), ElementsAre(1, 120));
  EXPECT_THAT(Matching({.uid = 33}), ElementsAre(121));
  EXPECT_THAT(Matching({.uid = 1000}), ElementsAre(300));  // and its zombie 400 does not count
  EXPECT_THAT(Matching({.uid = 4242}), IsEmpty());
}

TEST_F(ProcessTableTest, EveryConditionGivenMustHold) {
  EXPECT_THAT(Matching({.name = "nginx", .uid = 0}), ElementsAre(120));
  EXPECT_THAT(Matching({.name = "nginx", .command = Regex("worker")}), ElementsAre(121));
  EXPECT_THAT(Matching({.name = "python3", .command = Regex("http\\.server"), .uid = 1001}), ElementsAre(301));
  EXPECT_THAT(Matching({.name = "python3", .command = Regex("http\\.server"), .uid = 1000}), IsEmpty());
  EXPECT_THAT(Matching({.name = "nginx", .command = Regex("worker\\.py")}), IsEmpty());
}

TEST_F(ProcessTableTest, AnEmptyMatchTakesEveryLivingProcess) {
  EXPECT_THAT(Matching({}), ElementsAre(1, 120, 121, 300, 301));
}

TEST(ProcessMatchTest, EqualWhenTheirConditionsAre) {
  const ProcessMatch a{.name = "nginx", .command = Regex("worker"), .uid = 33};
  EXPECT_EQ(a, (ProcessMatch{.name = "nginx", .command = Regex("worker"), .uid = 33}));
  EXPECT_NE(a, (ProcessMatch{.name = "nginx", .command = Regex("master"), .uid = 33}));
  EXPECT_NE(a, (ProcessMatch{.name = "nginx", .uid = 33}));
  EXPECT_NE(a, (ProcessMatch{.name = "nginx", .command = Regex("worker")}));
}

// JoinCommandLine.

TEST(JoinCommandLineTest, JoinsArgumentsBySpaces) {
  EXPECT_EQ(JoinCommandLine(Argv({"/bin/sleep", "60"})), "/bin/sleep 60");
  EXPECT_EQ(JoinCommandLine(Argv({"sh", "-c", "echo a  b"})), "sh -c echo a  b");
  EXPECT_EQ(JoinCommandLine(Argv({"a", "", "b"})), "a  b");  // an empty argument stays visible
  EXPECT_EQ(JoinCommandLine("no-terminator"), "no-terminator");
}

TEST(JoinCommandLineTest, DropsTrailingPadding) {
  EXPECT_EQ(JoinCommandLine("postgres: checkpointer" + std::string(40, '\0')), "postgres: checkpointer");
  EXPECT_EQ(JoinCommandLine(std::string("title   \0 \0", 11)), "title");
  EXPECT_EQ(JoinCommandLine(std::string(5, '\0')), "");
  EXPECT_EQ(JoinCommandLine(""), "");
}

TEST(JoinCommandLineTest, CutsAtTheLimitThenTrims) {
  EXPECT_EQ(JoinCommandLine("abcdef", 3), "abc");
  EXPECT_EQ(JoinCommandLine(Argv({"ab", "cd"}), 3), "ab");
  EXPECT_EQ(JoinCommandLine(std::string(kMaxCommandLineBytes + 10, 'a')).size(), kMaxCommandLineBytes);
}

// CommandRegex.

TEST(CommandRegexTest, SearchesAnywhereInTheLine) {
  EXPECT_TRUE(Regex("b+c").SearchIn("abbbcd"));
  EXPECT_FALSE(Regex("^b").SearchIn("abc"));
  EXPECT_TRUE(Regex("^a").SearchIn("abc"));
  EXPECT_TRUE(Regex("c$").SearchIn("abc"));
  EXPECT_FALSE(Regex("b$").SearchIn("abc"));
  EXPECT_TRUE(Regex("^abc$").SearchIn("abc"));
  EXPECT_TRUE(Regex(R"(\bworker\b)").SearchIn("celery worker -A app"));
  EXPECT_FALSE(Regex(R"(\bworker\b)").SearchIn("celery workers"));
  EXPECT_TRUE(Regex("(?=.*--debug)^gunicorn").SearchIn("gunicorn app:main --debug"));
  EXPECT_FALSE(Regex("^(?!.*--debug)gunicorn").SearchIn("gunicorn app:main --debug"));
  EXPECT_TRUE(Regex("a|zzz").SearchIn("zzz"));
  EXPECT_FALSE(Regex("Worker").SearchIn("worker"));  // case counts
  EXPECT_TRUE(Regex("x").SearchIn(std::string("a\nb\xff x", 6)));
  EXPECT_FALSE(Regex("x").SearchIn(""));
}

TEST(CommandRegexTest, KeepsItsPatternAndComparesByIt) {
  EXPECT_EQ(Regex("a+b").pattern(), "a+b");
  EXPECT_EQ(Regex("a+b"), Regex("a+b"));
  EXPECT_NE(Regex("a+b"), Regex("a+c"));
}

TEST(CommandRegexTest, RefusesBadPatternsWithAReadableMessage) {
  EXPECT_EQ(RegexError("("), "bad regex: Mismatched '(' and ')' in regular expression");
  EXPECT_THAT(RegexError("[a"), StartsWith("bad regex: "));
  EXPECT_THAT(RegexError("a{2,1}"), StartsWith("bad regex: "));
  EXPECT_THAT(RegexError("[[:nope:]]"), StartsWith("bad regex: "));
  EXPECT_THAT(RegexError(R"(a\)"), StartsWith("bad regex: "));
  EXPECT_THAT(RegexError("(a)\\1"), HasSubstr("back-references"));
  EXPECT_THAT(RegexError(""), HasSubstr("empty pattern"));
  EXPECT_THAT(RegexError("(?:a?){30000}"), HasSubstr("too complex"));
  // Valid once wrapped in "(?:...)" but not as written.
  EXPECT_THAT(RegexError("a)(?:b"), StartsWith("bad regex: Mismatched"));
}

TEST(CommandRegexTest, RefusesAPatternLongerThanTheLimit) {
  EXPECT_TRUE(CompileCommandRegex(std::string(kMaxCommandRegexBytes, 'a')).has_value());
  EXPECT_EQ(RegexError(std::string(kMaxCommandRegexBytes + 1, 'a')),
            "bad regex: pattern of 1025 characters, longer than the 1024 allowed");
}

TEST(CommandRegexTest, ALongLineDoesNotExhaustTheStack) {
  // std::regex_search's default executor recurses once per character: from about 50 kB,
  // a line like this crashes it on an 8 MB stack. Any user of the machine chooses the
  // command lines matched (ProcessEntry keeps less, but CommandRegex must not rely on it).
  const std::string line = std::string(64 * 1024, 'a') + " bar";
  EXPECT_TRUE(Regex("a.*bar").SearchIn(line));
  EXPECT_FALSE(Regex("(a|b)*x").SearchIn(line));
  EXPECT_FALSE(Regex(".*x.*y.*z").SearchIn(line));
}

TEST(CommandRegexTest, NestedRepetitionDoesNotBacktrackExponentially) {
  // 2^60 steps for a backtracking matcher.
  EXPECT_FALSE(Regex("^(a+)+x").SearchIn(std::string(60, 'a')));
  EXPECT_TRUE(Regex("^(a+)+$").SearchIn(std::string(60, 'a')));
}

// StallTracker.

const base::SteadyTime kT0 = base::SteadyTime{} + hours(1);

ProcessEntry Process(int pid, uint64_t cpu_ticks, uint64_t start_time_ticks = 1000) {
  return ProcessEntry{.pid = pid, .cpu_ticks = cpu_ticks, .start_time_ticks = start_time_ticks};
}

TEST(StallTrackerTest, ANewProcessIsNotStalled) {
  StallTracker tracker;
  tracker.Observe(std::vector{Process(10, 5)}, kT0);
  EXPECT_EQ(tracker.StalledFor(10, kT0), milliseconds(0));
  EXPECT_EQ(tracker.StalledFor(10, kT0 + seconds(30)), milliseconds(0));
}

TEST(StallTrackerTest, AStallGrowsWhileCpuTicksStay) {
  StallTracker tracker;
  tracker.Observe(std::vector{Process(10, 5)}, kT0);
  tracker.Observe(std::vector{Process(10, 5)}, kT0 + seconds(10));
  EXPECT_EQ(tracker.StalledFor(10, kT0 + seconds(10)), seconds(10));
  tracker.Observe(std::vector{Process(10, 5)}, kT0 + seconds(20));
  EXPECT_EQ(tracker.StalledFor(10, kT0 + seconds(20)), seconds(20));
  EXPECT_EQ(tracker.StalledFor(10, kT0 + milliseconds(25500)), milliseconds(25500));
}

TEST(StallTrackerTest, UsingCpuEndsTheStall) {
  StallTracker tracker;
  tracker.Observe(std::vector{Process(10, 5)}, kT0);
  tracker.Observe(std::vector{Process(10, 5)}, kT0 + seconds(10));
  tracker.Observe(std::vector{Process(10, 6)}, kT0 + seconds(20));
  EXPECT_EQ(tracker.StalledFor(10, kT0 + seconds(20)), milliseconds(0));
  EXPECT_EQ(tracker.StalledFor(10, kT0 + seconds(25)), milliseconds(0));
  tracker.Observe(std::vector{Process(10, 6)}, kT0 + seconds(30));
  EXPECT_EQ(tracker.StalledFor(10, kT0 + seconds(30)), seconds(10));  // since the tick was seen
}

TEST(StallTrackerTest, APidReusedByANewProcessStartsAfresh) {
  StallTracker tracker;
  tracker.Observe(std::vector{Process(10, 5, /*start_time_ticks=*/1000)}, kT0);
  tracker.Observe(std::vector{Process(10, 5, 1000)}, kT0 + seconds(60));
  ASSERT_EQ(tracker.StalledFor(10, kT0 + seconds(60)), seconds(60));
  // Same pid and even the same CPU time, but started later: another process.
  tracker.Observe(std::vector{Process(10, 5, 9000)}, kT0 + seconds(70));
  EXPECT_EQ(tracker.StalledFor(10, kT0 + seconds(70)), milliseconds(0));
  tracker.Observe(std::vector{Process(10, 5, 9000)}, kT0 + seconds(80));
  EXPECT_EQ(tracker.StalledFor(10, kT0 + seconds(80)), seconds(10));
}

TEST(StallTrackerTest, ForgetsProcessesThatAreGone) {
  StallTracker tracker;
  std::vector<ProcessEntry> many;
  for (int pid = 1; pid <= 1000; ++pid) many.push_back(Process(pid, 1));
  tracker.Observe(many, kT0);
  tracker.Observe(many, kT0 + seconds(10));
  EXPECT_EQ(tracker.size(), 1000u);
  tracker.Observe(std::vector{Process(7, 1), Process(8, 1)}, kT0 + seconds(20));
  EXPECT_EQ(tracker.size(), 2u);
  EXPECT_EQ(tracker.StalledFor(7, kT0 + seconds(20)), seconds(20));
  EXPECT_EQ(tracker.StalledFor(9, kT0 + seconds(20)), milliseconds(0));
  tracker.Observe(std::vector<ProcessEntry>{}, kT0 + seconds(30));
  EXPECT_EQ(tracker.size(), 0u);
  // Back in the match after a gap (a config change, a uid switch): seen anew.
  tracker.Observe(std::vector{Process(7, 1)}, kT0 + seconds(40));
  EXPECT_EQ(tracker.StalledFor(7, kT0 + seconds(40)), milliseconds(0));
}

TEST(StallTrackerTest, TakesPointersToMatchedEntriesAlike) {
  const std::vector<ProcessEntry> listed = {Process(10, 5), Process(11, 5)};
  StallTracker tracker;
  tracker.Observe(std::vector<const ProcessEntry*>{&listed[0]}, kT0);
  tracker.Observe(std::vector<const ProcessEntry*>{&listed[0]}, kT0 + seconds(5));
  EXPECT_EQ(tracker.size(), 1u);
  EXPECT_EQ(tracker.StalledFor(10, kT0 + seconds(5)), seconds(5));
  EXPECT_EQ(tracker.StalledFor(11, kT0 + seconds(5)), milliseconds(0));
}

// Summarize.

const base::WallTime kNow = kBootTime + hours(100);

ProcessEntry Started(int pid, base::WallTime started, uint64_t cpu_ticks = 0) {
  ProcessEntry e = Process(pid, cpu_ticks);
  e.started = started;
  return e;
}

TEST(SummarizeTest, NothingMatchedHasNoFigures) {
  const ProcessFigures figures = Summarize({}, kNow, StallTracker(), kT0);
  EXPECT_EQ(figures.count, 0);
  EXPECT_EQ(figures.oldest_runtime, std::nullopt);
  EXPECT_EQ(figures.oldest_pid, 0);
  EXPECT_EQ(figures.longest_stall, std::nullopt);
  EXPECT_EQ(figures.stalled_pid, 0);
}

TEST(SummarizeTest, FindsTheOldestAndTheLongestStalled) {
  const std::vector<ProcessEntry> listed = {Started(20, kNow - hours(2), 5), Started(30, kNow - hours(5), 5),
                                            Started(40, kNow - seconds(1), 5)};
  StallTracker tracker;
  tracker.Observe(std::vector{listed[0], listed[1], listed[2]}, kT0);
  tracker.Observe(std::vector{listed[0], listed[2]}, kT0 + seconds(60));
  const std::vector<const ProcessEntry*> matched = {&listed[0], &listed[1], &listed[2]};
  ProcessFigures figures = Summarize(matched, kNow, tracker, kT0 + seconds(60));
  EXPECT_EQ(figures.count, 3);
  EXPECT_EQ(figures.oldest_runtime, hours(5));
  EXPECT_EQ(figures.oldest_pid, 30);
  EXPECT_EQ(figures.longest_stall, seconds(60));  // 20 and 40 alike: the lower pid
  EXPECT_EQ(figures.stalled_pid, 20);
}

TEST(SummarizeTest, NoStallWhenEveryProcessUsedCpu) {
  const std::vector<ProcessEntry> first = {Started(20, kNow - hours(1), 5)};
  const std::vector<ProcessEntry> second = {Started(20, kNow - hours(1), 6)};
  StallTracker tracker;
  tracker.Observe(first, kT0);
  tracker.Observe(second, kT0 + seconds(60));
  const ProcessFigures figures = Summarize({&second[0]}, kNow, tracker, kT0 + seconds(60));
  EXPECT_EQ(figures.count, 1);
  EXPECT_EQ(figures.oldest_runtime, hours(1));
  EXPECT_EQ(figures.longest_stall, std::nullopt);
  EXPECT_EQ(figures.stalled_pid, 0);
}

TEST(SummarizeTest, AStartInTheFutureCountsAsNoRuntime) {
  // The wall clock was set back since the process started.
  const ProcessEntry e = Started(20, kNow + hours(1));
  const ProcessFigures figures = Summarize({&e}, kNow, StallTracker(), kT0);
  EXPECT_EQ(figures.oldest_runtime, milliseconds(0));
  EXPECT_EQ(figures.oldest_pid, 20);
}

// A check's rounds over a changing fake machine: list, match, observe, summarize.
TEST_F(ProcessTableTest, ACheckSeesAStallGrowAndEndWithTheProcess) {
  const ProcessMatch match{.name = "python3"};
  const base::WallTime now = kBootTime + seconds(20000);
  StallTracker tracker;
  auto round = [&](base::SteadyTime steady_now) {
    const auto entries = List();
    std::vector<const ProcessEntry*> matched;
    for (const ProcessEntry& e : entries) {
      if (Matches(match, e)) matched.push_back(&e);
    }
    tracker.Observe(matched, steady_now);
    return Summarize(matched, now, tracker, steady_now);
  };

  ProcessFigures figures = round(kT0);
  EXPECT_EQ(figures.count, 2);
  EXPECT_EQ(figures.longest_stall, std::nullopt);
  EXPECT_EQ(figures.oldest_pid, 300);  // started 2000 s after boot, 301 about 16420 s
  EXPECT_EQ(figures.oldest_runtime, seconds(18000));

  // 301 keeps serving; 300 waits on its queue.
  AddEntry(proc_, {.stat = {.pid = 301, .pgrp = 301, .comm = "python3", .utime_ticks = 9},
                   .cmdline = Argv({"/usr/bin/python3", "-m", "http.server"}),
                   .uid = 1001});
  figures = round(kT0 + seconds(60));
  EXPECT_EQ(figures.longest_stall, seconds(60));
  EXPECT_EQ(figures.stalled_pid, 300);
  figures = round(kT0 + seconds(120));
  EXPECT_EQ(figures.longest_stall, seconds(120));

  // 300 exits and a new worker gets its pid, with the same CPU time so far.
  AddEntry(proc_, {.stat = {.pid = 300, .pgrp = 300, .comm = "python3", .utime_ticks = 500, .stime_ticks = 20},
                   .cmdline = Argv({"/usr/bin/python3", "/srv/app/worker.py"}),
                   .start_time_ticks = 1900000});  // 19000 s after boot
  figures = round(kT0 + seconds(180));
  EXPECT_EQ(figures.count, 2);
  EXPECT_EQ(tracker.StalledFor(300, kT0 + seconds(180)), milliseconds(0));
  EXPECT_EQ(figures.stalled_pid, 301);  // it has not run since the round at 60 s
  EXPECT_EQ(figures.longest_stall, seconds(120));
  EXPECT_EQ(figures.oldest_pid, 301);  // the new 300 has run 1000 s only

  proc_.Remove("301");
  round(kT0 + seconds(240));
  EXPECT_EQ(tracker.size(), 1u);
}

// The real /proc.

TEST(ListProcessesRealTest, FindsThisTestProcess) {
  auto listed = ListProcesses(ProcRoot());
  ASSERT_TRUE(listed.has_value()) << listed.error().message();
  const ProcessEntry* me = Find(*listed, getpid());
  ASSERT_NE(me, nullptr);
  const std::string program = program_invocation_short_name;  // the basename of argv[0]
  EXPECT_EQ(me->comm, program.substr(0, kMaxCommBytes));
  EXPECT_THAT(me->cmdline, HasSubstr(program));
  EXPECT_EQ(me->pgrp, getpgrp());
  EXPECT_EQ(me->uid, getuid());
  EXPECT_FALSE(me->zombie);
  EXPECT_GT(me->rss_bytes, 0u);
  // btime is whole seconds, so a start time may read up to 1 s early, never late.
  const base::WallTime now = std::chrono::system_clock::now();
  EXPECT_LE(me->started, now);
  EXPECT_GT(me->started, now - hours(24));
  EXPECT_TRUE(Matches({.name = me->comm, .command = Regex(program), .uid = getuid()}, *me));
  for (const ProcessEntry& e : *listed) EXPECT_NE(e.comm, "kthreadd") << e.pid;
}

}  // namespace
}  // namespace vigil::metrics
