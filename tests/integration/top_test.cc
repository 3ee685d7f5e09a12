// SPDX-License-Identifier: MIT
// `vigil top` and GET /v1/top against the real vigild: a program's figures cover its
// whole process group, read from the real /proc.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "harness.h"

namespace vigil::testing {
namespace {

using nlohmann::json;

class TopTest : public VigilTest {
 protected:
  json Top(const std::vector<std::string>& names) {
    std::vector<std::string> args = {"top", "--json"};
    args.insert(args.end(), names.begin(), names.end());
    CommandResult r = Vigil(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json::parse(r.out, nullptr, false);
  }
};

TEST_F(TopTest, AProgramCountsItsChildrenAndAStoppedOneNothing) {
  WriteConfig(R"([program.pair]
command = ["sh", "-c", "sleep 1000 & exec sleep 1001"]
start_seconds = "0"
[program.off]
command = ["sleep", "1000"]
autostart = false
)");
  StartDaemon();
  ASSERT_TRUE(WaitForState("pair", "RUNNING"));
  // The shell forks its sleep before it execs its own: wait until both are there.
  json view;
  ASSERT_TRUE(WaitFor([&] {
    view = Top({"pair"});
    return view["programs"][0]["processes"] == 2;
  })) << view.dump();
  const json& pair = view["programs"][0];
  EXPECT_EQ(pair["name"], "pair");
  EXPECT_EQ(pair["state"], "RUNNING");
  EXPECT_GT(pair["memory_bytes"].get<int64_t>(), 0);
  EXPECT_GE(pair["open_fds"].get<int>(), 2);  // at least the two output pipes
  EXPECT_GE(pair["cpu_percent"].get<double>(), 0.0);
  EXPECT_GT(view["system"]["cpus"].get<int>(), 0);
  EXPECT_GT(view["system"]["memory_total_bytes"].get<int64_t>(), 0);
  // The filesystems of this machine that hold data, measured with statvfs.
  ASSERT_TRUE(view["disks"].is_array()) << view.dump();
  for (const json& disk : view["disks"]) {
    EXPECT_EQ(disk["mount_point"].get<std::string>().front(), '/') << disk.dump();
    if (disk["error"] == "") {
      EXPECT_GT(disk["total_bytes"].get<int64_t>(), 0) << disk.dump();
      EXPECT_LE(disk["used_percent"].get<double>(), 100.0) << disk.dump();
    }
  }

  json all = Top({});
  ASSERT_EQ(all["programs"].size(), 2u);
  EXPECT_EQ(all["programs"][1]["name"], "off");
  EXPECT_EQ(all["programs"][1]["pid"], 0);
  EXPECT_EQ(all["programs"][1]["processes"], 0);

  CommandResult table = Vigil({"top", "--once"});
  EXPECT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("NAME"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("pair"), std::string::npos) << table.out;

  CommandResult unknown = Vigil({"top", "--once", "nope"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("unknown program"), std::string::npos) << unknown.err;

  auto [code, body] = Http("GET", "/v1/top?names=off");
  EXPECT_EQ(code, 200) << body;
  auto [post, post_body] = Http("POST", "/v1/top");
  EXPECT_EQ(post, 405) << post_body;
}

}  // namespace
}  // namespace vigil::testing
