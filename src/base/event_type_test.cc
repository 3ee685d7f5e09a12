// SPDX-License-Identifier: MIT
// The event type names round-trip, and the printed list is the list of names.
#include "base/event_type.h"

#include <gtest/gtest.h>

#include <string>

namespace vigil::base {
namespace {

TEST(EventTypeTest, EveryNameParsesBackAndIsListed) {
  std::string list;
  for (EventType type : kEventTypes) {
    EXPECT_EQ(ParseEventType(EventTypeName(type)), type);
    list += (list.empty() ? "" : ", ") + std::string(EventTypeName(type));
  }
  EXPECT_EQ(list, EventTypeList());
}

TEST(EventTypeTest, UnknownNamesAreRefused) {
  EXPECT_FALSE(ParseEventType("restart"));
  EXPECT_FALSE(ParseEventType(""));
  EXPECT_FALSE(ParseEventType("State"));
}

}  // namespace
}  // namespace vigil::base
