#include "fleetset/quantity.h"

#include <cstdint>
#include <limits>
#include <string>

#include <gtest/gtest.h>

namespace fleetset {
namespace {

constexpr char kFormatError[] =
    "quantities must match the regular expression "
    "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
constexpr char kSuffixError[] = "unable to parse quantity's suffix";
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();

Quantity Q(const std::string& text) {
  std::string error;
  auto quantity = Quantity::Parse(text, &error);
  EXPECT_TRUE(quantity.has_value()) << text << ": " << error;
  return quantity.value_or(*Quantity::Parse("0"));
}

struct ParseCase {
  std::string input;
  std::string canonical;
  int64_t value;
  int64_t milli_value;
  Quantity::Format format;
};

class QuantityParseTest : public ::testing::TestWithParam<ParseCase> {};

TEST_P(QuantityParseTest, ParsesPrintsAndRounds) {
  const ParseCase& c = GetParam();
  const Quantity q = Q(c.input);
  EXPECT_EQ(q.ToString(), c.canonical) << c.input;
  EXPECT_EQ(q.Value(), c.value) << c.input;
  EXPECT_EQ(q.MilliValue(), c.milli_value) << c.input;
  EXPECT_EQ(q.format(), c.format) << c.input;
  // The canonical form is a fixed point with the same value.
  const Quantity again = Q(c.canonical);
  EXPECT_EQ(again, q) << c.input;
  EXPECT_EQ(again.ToString(), c.canonical) << c.input;
}

using F = Quantity::Format;
constexpr F kDec = F::kDecimalSI;
constexpr F kBin = F::kBinarySI;
constexpr F kExp = F::kDecimalExponent;

INSTANTIATE_TEST_SUITE_P(
    Cases, QuantityParseTest,
    ::testing::Values(
        ParseCase{"0", "0", 0, 0, kDec}, ParseCase{"-0", "0", 0, 0, kDec},
        ParseCase{"0.0", "0", 0, 0, kDec}, ParseCase{"0Mi", "0", 0, 0, kBin},
        // A leading zero is decimal, never an octal prefix.
        ParseCase{"08Mi", "8Mi", 8388608, 8388608000, kBin},
        ParseCase{"100m", "100m", 1, 100, kDec}, ParseCase{"1m", "1m", 1, 1, kDec},
        ParseCase{"1000m", "1", 1, 1000, kDec}, ParseCase{"1500m", "1500m", 2, 1500, kDec},
        ParseCase{"0.5", "500m", 1, 500, kDec}, ParseCase{"1.5", "1500m", 2, 1500, kDec},
        ParseCase{".5", "500m", 1, 500, kDec}, ParseCase{"5.", "5", 5, 5000, kDec},
        ParseCase{"1.G", "1G", 1000000000, 1000000000000, kDec},
        ParseCase{"+1", "1", 1, 1000, kDec}, ParseCase{"-1", "-1", -1, -1000, kDec},
        ParseCase{"-100m", "-100m", -1, -100, kDec},  // rounds away from zero
        ParseCase{"1k", "1k", 1000, 1000000, kDec},
        ParseCase{"1000k", "1M", 1000000, 1000000000, kDec},
        ParseCase{"0.1M", "100k", 100000, 100000000, kDec},
        ParseCase{"1E", "1E", 1000000000000000000, kMax, kDec},
        ParseCase{"12E", "12E", kMax, kMax, kDec},  // exact, though beyond int64
        ParseCase{"1000E", "1000E", kMax, kMax, kDec},
        ParseCase{"200Mi", "200Mi", 209715200, 209715200000, kBin},
        ParseCase{"1Gi", "1Gi", 1073741824, 1073741824000, kBin},
        ParseCase{"1024Mi", "1Gi", 1073741824, 1073741824000, kBin},
        ParseCase{"1536Mi", "1536Mi", 1610612736, 1610612736000, kBin},
        ParseCase{"1.5Gi", "1536Mi", 1610612736, 1610612736000, kBin},
        ParseCase{"0.5Ki", "512", 512, 512000, kBin},     // below 1Ki prints decimal
        ParseCase{"1.5Ki", "1536", 1536, 1536000, kBin},  // not a whole Ki
        ParseCase{"0.5Mi", "512Ki", 524288, 524288000, kBin},
        ParseCase{"1.1Ki", "1126400m", 1127, 1126400, kBin},  // fractional: decimal, exact
        ParseCase{"1Ei", "1Ei", 1152921504606846976, kMax, kBin},
        ParseCase{"9Ei", "9223372036854775807", kMax, kMax, kBin},  // capped as Kubernetes
        ParseCase{"129e6", "129e6", 129000000, 129000000000, kExp},
        ParseCase{"129M", "129M", 129000000, 129000000000, kDec},
        ParseCase{"1e3", "1e3", 1000, 1000000, kExp},
        ParseCase{"1E6", "1e6", 1000000, 1000000000, kExp},
        ParseCase{"1e+3", "1e3", 1000, 1000000, kExp}, ParseCase{"12e-3", "12e-3", 1, 12, kExp},
        ParseCase{"1.2e3", "1200", 1200, 1200000, kExp}, ParseCase{"0.5e-1", "50e-3", 1, 50, kExp},
        ParseCase{"1e0", "1", 1, 1000, kExp},
        ParseCase{"3.001n", "4n", 1, 1, kDec},           // rounds up to whole nano-units
        ParseCase{"0.0000000001", "1n", 1, 1, kDec},     // never rounds to zero
        ParseCase{"0.00000012345", "124n", 1, 1, kDec},  // 123.45n -> 124n
        ParseCase{"1e-999", "1e-9", 1, 1, kExp}, ParseCase{"1u", "1u", 1, 1, kDec},
        ParseCase{"100.035k", "100035", 100035, 100035000, kDec},
        ParseCase{"1e30", "1e30", kMax, kMax, kExp},
        ParseCase{"-1e30", "-1e30", kMin, kMin, kExp}));

TEST(QuantityTest, RejectsMalformedText) {
  for (const char* text : {"", "1.1.1", "1Z", "Mi", "1 Mi", " 1", "1 ", "--1", "e3", ".", "-",
                           "1.1.M", "1+1.0M", "aoeu", "0.1am", "1e3.5", "1Mi1.0"}) {
    std::string error;
    EXPECT_FALSE(Quantity::Parse(text, &error).has_value()) << text;
    EXPECT_EQ(error, kFormatError) << text;
  }
}

TEST(QuantityTest, RejectsUnknownSuffix) {
  for (const char* text :
       {"1e", "1K", "1mi", "1i", ".5i", "-3.01e-", "1Mi3", "1kk", "1e99999999999"}) {
    std::string error;
    EXPECT_FALSE(Quantity::Parse(text, &error).has_value()) << text;
    EXPECT_EQ(error, kSuffixError) << text;
  }
}

TEST(QuantityTest, ErrorPointerIsOptional) {
  EXPECT_FALSE(Quantity::Parse("1Z").has_value());
  EXPECT_TRUE(Quantity::Parse("1Ki").has_value());
}

TEST(QuantityTest, ComparesExactValuesAcrossFormats) {
  EXPECT_GT(Q("1Gi"), Q("1G"));
  EXPECT_LT(Q("1G"), Q("1Gi"));
  EXPECT_EQ(Q("1000m"), Q("1"));
  EXPECT_EQ(Q("1e3"), Q("1k"));
  EXPECT_EQ(Q("1Ki"), Q("1024"));
  EXPECT_EQ(Q("0.5"), Q("500m"));
  EXPECT_EQ(Q("0"), Q("-0"));
  EXPECT_EQ(Q("0Mi"), Q("0m"));
  EXPECT_LT(Q("-1"), Q("0"));
  EXPECT_LT(Q("-2"), Q("-1"));
  EXPECT_GT(Q("-1m"), Q("-1"));
  EXPECT_LT(Q("999m"), Q("1"));
  EXPECT_GT(Q("1001m"), Q("1"));
  EXPECT_LT(Q("1E"), Q("12E"));
  EXPECT_GT(Q("1e30"), Q("9Ei"));
  EXPECT_LT(Q("100m"), Q("0.11"));
  EXPECT_NE(Q("1"), Q("1n"));
}

TEST(QuantityTest, SignAndZero) {
  EXPECT_TRUE(Q("0").IsZero());
  EXPECT_TRUE(Q("0.000").IsZero());
  EXPECT_FALSE(Q("0.0000000001").IsZero());  // rounded up to 1n, not down to 0
  EXPECT_FALSE(Q("-0").IsNegative());
  EXPECT_TRUE(Q("-1m").IsNegative());
  EXPECT_FALSE(Q("+1m").IsNegative());
}

}  // namespace
}  // namespace fleetset
