// SPDX-License-Identifier: MIT
// The metric history end to end: real vigild with [health] history = true samples the
// machine, its filesystems and a program every second into its SQLite store, and the real
// `vigil metrics` reads the names and the points back through GET /v1/metrics/history.
// Waits on conditions with deadlines, never fixed sleeps.
#include <nlohmann/json.hpp>

#include "harness.h"

namespace vigil::testing {
namespace {

using nlohmann::json;

class MetricHistoryTest : public VigilTest {
 protected:
  json Names() {
    CommandResult r = Vigil({"metrics", "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    json reply = json::parse(r.out, nullptr, false);
    return reply.is_object() && reply.contains("metrics") ? reply["metrics"] : json::array();
  }
  bool HasName(const std::string& name) {
    for (const json& n : Names()) {
      if (n == name) return true;
    }
    return false;
  }
  json Points(const std::string& name) {
    CommandResult r = Vigil({"metrics", name, "--since", "10m", "--step", "1m", "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    json reply = json::parse(r.out, nullptr, false);
    return reply.is_object() && reply.contains("points") ? reply["points"] : json::array();
  }
};

TEST_F(MetricHistoryTest, VigildRecordsTheMachineAndProgramsAndVigilReadsThemBack) {
  WriteConfig("[health]\nevery = \"1s\"\nhistory = true\n\n[program.idler]\ncommand = [\"" + Child() +
              "\", \"idle\"]\nstart_seconds = \"0s\"\n");
  StartDaemon();
  ASSERT_TRUE(WaitFor([&] { return HasName("system.memory") && HasName("program.memory:idler"); },
                      std::chrono::seconds(20)))
      << Names().dump();
  for (const char* name : {"system.cpu", "system.swap", "system.load", "program.cpu:idler", "program.fds:idler",
                           "program.processes:idler"}) {
    EXPECT_TRUE(HasName(name)) << name << " not in " << Names().dump();
  }
  bool has_disk = false;
  for (const json& n : Names()) has_disk |= n.get<std::string>().rfind("disk.space:", 0) == 0;
  EXPECT_TRUE(has_disk) << Names().dump();

  // Samples keep coming, one a second, into the minute's point.
  ASSERT_TRUE(WaitFor([&] {
    int64_t count = 0;
    for (const json& p : Points("system.memory")) count += p["count"].get<int64_t>();
    return count >= 3;
  }, std::chrono::seconds(20)));
  const json memory = Points("system.memory");
  ASSERT_FALSE(memory.empty());
  for (const json& p : memory) {
    EXPECT_GT(p["avg"].get<double>(), 0.0) << p.dump();
    EXPECT_LE(p["avg"].get<double>(), p["max"].get<double>()) << p.dump();
    EXPECT_LT(p["max"].get<double>(), 100.0) << p.dump();
    EXPECT_EQ(p["time_ms"].get<int64_t>() % 60000, 0) << p.dump();
  }
  const json processes = Points("program.processes:idler");
  ASSERT_FALSE(processes.empty());
  EXPECT_EQ(processes.back()["max"], 1.0) << processes.dump();

  // The text form: a table of the points.
  CommandResult text = Vigil({"metrics", "system.memory", "--since", "10m"});
  EXPECT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("TIME"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("SAMPLES"), std::string::npos) << text.out;
  CommandResult listed = Vigil({"metrics"});
  EXPECT_NE(listed.out.find("program.memory:idler\n"), std::string::npos) << listed.out;

  // A bad parameter is the API's 400, reported with its message.
  CommandResult bad = Vigil({"metrics", "system.cpu", "--step", "1500ms"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.err.find("step"), std::string::npos) << bad.err;
  auto [status, body] = Http("GET", "/v1/metrics/history?since=1h");
  EXPECT_EQ(status, 400) << body;
  EXPECT_NE(body.find("name\\\" is required"), std::string::npos) << body;  // JSON-escaped quotes
  // A typo is a 400 too, not an empty chart.
  CommandResult typo = Vigil({"metrics", "system.cpux"});
  EXPECT_NE(typo.exit_code, 0);
  EXPECT_NE(typo.err.find("unknown metric \"system.cpux\""), std::string::npos) << typo.err;

  // Top shows PSS for a program vigild may read, and pressure keys (null without PSI).
  CommandResult top = Vigil({"top", "--once", "--json"});
  ASSERT_EQ(top.exit_code, 0) << top.err;
  const json view = json::parse(top.out, nullptr, false);
  ASSERT_TRUE(view.is_object()) << top.out;
  EXPECT_TRUE(view["system"].contains("cpu_pressure")) << top.out;
  ASSERT_EQ(view["programs"].size(), 1u) << top.out;
  EXPECT_TRUE(view["programs"][0]["pss_bytes"].is_number()) << top.out;
}

TEST_F(MetricHistoryTest, WithoutHistoryNothingIsRecorded) {
  WriteConfig("[program.idler]\ncommand = [\"" + Child() + "\", \"idle\"]\nstart_seconds = \"0s\"\n");
  StartDaemon();
  ASSERT_TRUE(WaitForState("idler", "RUNNING"));
  EXPECT_EQ(Names(), json::array());
  CommandResult empty = Vigil({"metrics", "system.cpu"});
  EXPECT_EQ(empty.exit_code, 0) << empty.err;
  EXPECT_NE(empty.out.find("no samples of system.cpu"), std::string::npos) << empty.out;
}

}  // namespace
}  // namespace vigil::testing
