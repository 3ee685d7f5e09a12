// SPDX-License-Identifier: MIT
// Metric checks against the real vigild, /proc and statvfs: levels chosen so the outcome
// does not depend on the machine (memory used is always >= 0% and < 100%).
#include <nlohmann/json.hpp>

#include "harness.h"

namespace vigil::testing {
namespace {

using nlohmann::json;

class HealthTest : public VigilTest {
 protected:
  json Checks() {
    CommandResult r = Vigil({"health", "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json::parse(r.out, nullptr, false)["checks"];
  }
  std::string StateOf(const std::string& name) {
    for (const json& c : Checks()) {
      if (c["name"] == name) return c["state"];
    }
    return "";
  }
};

TEST_F(HealthTest, ChecksReachTheirLevelsAndEveryChangeIsAnEvent) {
  WriteConfig(R"([health]
every = "1s"

[check.memory-low]
metric = "memory"
warn = "0%"

[check.memory-fine]
metric = "memory"
crit = "100%"

[check.root-full]
metric = "disk"
path = "/"
crit = "0%"
)");
  StartDaemon();
  ASSERT_TRUE(WaitFor([&] { return StateOf("memory-low") == "WARN"; })) << Checks().dump();
  ASSERT_TRUE(WaitFor([&] { return StateOf("memory-fine") == "OK"; })) << Checks().dump();
  ASSERT_TRUE(WaitFor([&] { return StateOf("root-full") == "CRIT"; })) << Checks().dump();

  json checks = Checks();
  ASSERT_EQ(checks.size(), 3u);
  EXPECT_EQ(checks[0]["metric"], "memory");
  EXPECT_GE(checks[0]["value"].get<double>(), 0.0);
  EXPECT_EQ(checks[0]["warn"], 0.0);
  EXPECT_TRUE(checks[0]["crit"].is_null());
  EXPECT_NE(checks[0]["message"].get<std::string>().find("memory used at"), std::string::npos) << checks.dump();
  EXPECT_EQ(checks[2]["path"], "/");
  EXPECT_NE(checks[2]["message"].get<std::string>().find("disk / at"), std::string::npos) << checks.dump();

  CommandResult table = Vigil({"health"});
  EXPECT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("root-full"), std::string::npos) << table.out;

  CommandResult events = Vigil({"events", "--type", "check", "--json"});
  EXPECT_EQ(events.exit_code, 0) << events.err;
  EXPECT_NE(events.out.find("PENDING -> CRIT"), std::string::npos) << events.out;
  EXPECT_NE(events.out.find("PENDING -> WARN"), std::string::npos) << events.out;

  // A reload that removes a check and changes another; the unchanged one keeps its state.
  WriteConfig(R"([health]
every = "1s"

[check.memory-low]
metric = "memory"
warn = "0%"

[check.root-full]
metric = "disk"
path = "/"
warn = "100%"
)");
  CommandResult reload = Vigil({"reload"});
  EXPECT_EQ(reload.exit_code, 0) << reload.err;
  json after = Checks();
  ASSERT_EQ(after.size(), 2u) << after.dump();
  EXPECT_EQ(after[0]["state"], "WARN");
  EXPECT_EQ(after[0]["since_ms"], checks[0]["since_ms"]);
  ASSERT_TRUE(WaitFor([&] { return StateOf("root-full") == "OK"; })) << Checks().dump();

  // One answer: the machine's figures (no programs) and the checks; vigil health --json
  // prints it as it is.
  auto [code, body] = Http("GET", "/v1/health");
  ASSERT_EQ(code, 200) << body;
  const json health = json::parse(body, nullptr, false);
  ASSERT_TRUE(health.is_object()) << body;
  EXPECT_GE(health["system"]["cpus"].get<int>(), 1) << body;
  EXPECT_GT(health["system"]["memory_total_bytes"].get<uint64_t>(), 0u) << body;
  EXPECT_TRUE(health["system"]["load1"].is_number()) << body;
  ASSERT_TRUE(health["disks"].is_array()) << body;
  for (const json& d : health["disks"]) {
    EXPECT_TRUE(d["mount_point"].is_string() && d["used_percent"].is_number() && d["error"].is_string()) << body;
  }
  EXPECT_FALSE(health.contains("programs")) << body;
  EXPECT_EQ(health["checks"].size(), 2u) << body;
  CommandResult printed = Vigil({"health", "--json"});
  const json cli = json::parse(printed.out, nullptr, false);
  for (const char* key : {"system", "disks", "checks"}) EXPECT_TRUE(cli.contains(key)) << printed.out;
  EXPECT_FALSE(cli.contains("programs")) << printed.out;
}

TEST_F(HealthTest, WithoutChecksItShowsTheMachineAlone) {
  WriteConfig("");
  StartDaemon();
  CommandResult r = Vigil({"health"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("cpu ", 0), 0u) << r.out;  // the machine's line first
  EXPECT_NE(r.out.find("\n\nno health checks configured\n"), std::string::npos) << r.out;
  CommandResult json = Vigil({"health", "--json"});
  EXPECT_NE(json.out.find("\"system\":{"), std::string::npos) << json.out;
  EXPECT_NE(json.out.find("\"disks\":["), std::string::npos) << json.out;
  EXPECT_NE(json.out.find("\"checks\":[]"), std::string::npos) << json.out;
  auto [code, body] = Http("GET", "/v1/health");
  EXPECT_EQ(code, 200) << body;
  EXPECT_NE(body.find("\"system\":{"), std::string::npos) << body;
}

}  // namespace
}  // namespace vigil::testing
