// SPDX-License-Identifier: MIT
// Tests of base::Boxed: reads of an empty box, allocation on write, deep copies, equality.
#include "base/boxed.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace vigil::base {
namespace {

struct Parts {
  std::string url;
  std::vector<std::string> argv;
  bool operator==(const Parts&) const = default;
};

TEST(BoxedTest, AnEmptyBoxReadsAsTheDefaultWithoutAllocating) {
  Boxed<Parts> box;
  EXPECT_EQ(box->url, "");
  EXPECT_TRUE(box->argv.empty());
  EXPECT_FALSE(box.allocated());
}

TEST(BoxedTest, WritingAllocatesOnce) {
  Boxed<Parts> box;
  box.Mut().url = "http://x/";
  const Parts* first = &*box;
  box.Mut().argv = {"a"};
  EXPECT_TRUE(box.allocated());
  EXPECT_EQ(&*box, first);
  EXPECT_EQ(box->url, "http://x/");
}

TEST(BoxedTest, ResetGoesBackToTheDefault) {
  Boxed<Parts> box;
  box.Mut().url = "http://x/";
  box.Reset();
  EXPECT_FALSE(box.allocated());
  EXPECT_EQ(box->url, "");
  box.Mut().url = "http://y/";
  EXPECT_EQ(box->url, "http://y/");
}

TEST(BoxedTest, CopiesAreDeep) {
  Boxed<Parts> a;
  a.Mut().url = "one";
  Boxed<Parts> b = a;
  b.Mut().url = "two";
  EXPECT_EQ(a->url, "one");
  EXPECT_EQ(b->url, "two");
  Boxed<Parts> empty;
  b = empty;
  EXPECT_FALSE(b.allocated());
  const Boxed<Parts>& alias = a;
  a = alias;  // self-assignment keeps the value
  EXPECT_EQ(a->url, "one");
}

TEST(BoxedTest, EqualityIsByValueAndAnEmptyBoxEqualsADefaultOne) {
  Boxed<Parts> empty, defaulted, set;
  defaulted.Mut();
  set.Mut().url = "x";
  EXPECT_EQ(empty, defaulted);
  EXPECT_NE(empty, set);
  Boxed<Parts> same;
  same.Mut().url = "x";
  EXPECT_EQ(set, same);
}

TEST(BoxedTest, MovingTakesTheValue) {
  Boxed<Parts> a;
  a.Mut().url = "moved";
  Boxed<Parts> b = std::move(a);
  EXPECT_EQ(b->url, "moved");
}

}  // namespace
}  // namespace vigil::base
