#include "fleetset/strings.h"

#include <gtest/gtest.h>

namespace fleetset {
namespace {

TEST(JoinTest, SeparatesEveryPartEvenEmptyOnes) {
  EXPECT_EQ(Join({}, ", "), "");
  EXPECT_EQ(Join({"a"}, ", "), "a");
  EXPECT_EQ(Join({"a", "b", "c"}, ", "), "a, b, c");
  EXPECT_EQ(Join({"", "b"}, ","), ",b");
  EXPECT_EQ(Join({"a", "", ""}, ","), "a,,");
}

TEST(SplitListTest, DropsBlanksAroundItemsAndEmptyItems) {
  EXPECT_EQ(SplitList(" http://a:1, ,https://b:2 "),
            (std::vector<std::string>{"http://a:1", "https://b:2"}));
  EXPECT_EQ(SplitList(""), std::vector<std::string>{});
  EXPECT_EQ(SplitList("a;b", ';'), (std::vector<std::string>{"a", "b"}));
}

TEST(AppendCommonEscapeTest, EscapesWhatGoAndJsonShareAndNothingElse) {
  std::string out;
  for (char c : std::string("\"\\\n\r\t")) EXPECT_TRUE(AppendCommonEscape(out, c)) << int(c);
  EXPECT_EQ(out, R"(\"\\\n\r\t)");
  for (char c : std::string("a <\x01\x7f")) {
    EXPECT_FALSE(AppendCommonEscape(out, c)) << int(c);
  }
  EXPECT_EQ(out, R"(\"\\\n\r\t)");
}

}  // namespace
}  // namespace fleetset
