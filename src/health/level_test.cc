// SPDX-License-Identifier: MIT
#include "health/level.h"

#include <gtest/gtest.h>

namespace vigil::health {
namespace {

TEST(LevelTest, NamesRoundTrip) {
  for (Level l : {Level::kPending, Level::kOk, Level::kUnknown, Level::kWarn, Level::kCrit}) {
    EXPECT_EQ(LevelFromName(LevelName(l)), l) << LevelName(l);
  }
  EXPECT_EQ(LevelFromName("ok"), std::nullopt);  // names are what the API sends, exactly
}

TEST(LevelTest, SeverityOrdersUnknownBetweenOkAndWarn) {
  EXPECT_LT(Severity(Level::kPending), Severity(Level::kOk));
  EXPECT_LT(Severity(Level::kOk), Severity(Level::kUnknown));
  EXPECT_LT(Severity(Level::kUnknown), Severity(Level::kWarn));
  EXPECT_LT(Severity(Level::kWarn), Severity(Level::kCrit));
}

}  // namespace
}  // namespace vigil::health
