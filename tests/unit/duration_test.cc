#include "fleetset/duration.h"

#include <gtest/gtest.h>

namespace fleetset::testing {
namespace {

using std::chrono::milliseconds;

TEST(DurationTest, ParsesKubeletStyleDurations) {
  EXPECT_EQ(ParseDuration("500ms"), milliseconds(500));
  EXPECT_EQ(ParseDuration("5s"), milliseconds(5000));
  EXPECT_EQ(ParseDuration("1m30s"), milliseconds(90000));
  EXPECT_EQ(ParseDuration("1h"), milliseconds(3600000));
  EXPECT_EQ(ParseDuration("24h"), milliseconds(86400000));
  // kubectl's --timeout=0s: zero is a value (callers decide what it means).
  EXPECT_EQ(ParseDuration("0s"), milliseconds(0));
  for (const char* bad : {"", "5", "s", "1.5s", "-1s", "25h", "5 s", "5sec", "9999999999s"}) {
    EXPECT_EQ(ParseDuration(bad), std::nullopt) << bad;
  }
}

TEST(DurationTest, LifetimesMayBeLongerThanADay) {
  EXPECT_EQ(ParseDuration("720h", kLongestTtl), std::chrono::hours(720));
  EXPECT_EQ(ParseDuration("87600h", kLongestTtl), std::chrono::hours(87600));
  EXPECT_EQ(ParseDuration("87601h", kLongestTtl), std::nullopt);
  EXPECT_EQ(ParseDuration("720h"), std::nullopt);
}

TEST(DurationTest, FormatsWhatItParses) {
  EXPECT_EQ(FormatDuration(milliseconds(90000)), "1m30s");
  EXPECT_EQ(FormatDuration(milliseconds(1500)), "1s500ms");
  EXPECT_EQ(FormatDuration(milliseconds(3600000)), "1h");
  EXPECT_EQ(FormatDuration(milliseconds(0)), "0s");
  EXPECT_EQ(ParseDuration(FormatDuration(milliseconds(3723004))), milliseconds(3723004));
}

}  // namespace
}  // namespace fleetset::testing
