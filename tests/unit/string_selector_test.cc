#include <string>

#include <gtest/gtest.h>

#include "fleetset/labels.h"

namespace fleetset {
namespace {

StringSelector MustParse(const std::string& text) {
  std::string error;
  auto selector = StringSelector::Parse(text, &error);
  EXPECT_TRUE(selector.has_value()) << text << ": " << error;
  return selector.value_or(*StringSelector::Parse(""));
}

struct CanonicalCase {
  std::string input;
  std::string canonical;
};

class StringSelectorCanonicalTest : public ::testing::TestWithParam<CanonicalCase> {};

TEST_P(StringSelectorCanonicalTest, PrintsCanonically) {
  const StringSelector selector = MustParse(GetParam().input);
  EXPECT_EQ(selector.ToString(), GetParam().canonical);
  // Printing is stable: the canonical text parses back to itself.
  EXPECT_EQ(MustParse(GetParam().canonical).ToString(), GetParam().canonical);
}

INSTANTIATE_TEST_SUITE_P(
    Grammar, StringSelectorCanonicalTest,
    ::testing::Values(
        CanonicalCase{"", ""}, CanonicalCase{"   ", ""}, CanonicalCase{"a=b", "a=b"},
        CanonicalCase{"a==b", "a=b"}, CanonicalCase{"a!=b", "a!=b"}, CanonicalCase{"a", "a"},
        CanonicalCase{"!a", "!a"}, CanonicalCase{"a=", "a="},
        CanonicalCase{" a = b , c != d ", "a=b,c!=d"},
        CanonicalCase{"tier!=db,app=x", "app=x,tier!=db"},
        CanonicalCase{"env in (b, a,a)", "env in (a,b)"},
        CanonicalCase{"env notin (x)", "env notin (x)"}, CanonicalCase{"env in ()", "env in ()"},
        CanonicalCase{"env in (a,)", "env in (,a)"}, CanonicalCase{"in=notin", "in=notin"},
        CanonicalCase{"kubernetes.io/hostname=node-1", "kubernetes.io/hostname=node-1"},
        CanonicalCase{"gen>3,gen<10", "gen>3,gen<10"},
        CanonicalCase{"app=x,tier!=db,env in (a,b),!legacy",
                      "app=x,env in (a,b),!legacy,tier!=db"}));

struct MatchCase {
  std::string selector;
  Labels labels;
  bool matches;
};

class StringSelectorMatchTest : public ::testing::TestWithParam<MatchCase> {};

TEST_P(StringSelectorMatchTest, Matches) {
  EXPECT_EQ(MustParse(GetParam().selector).Matches(GetParam().labels), GetParam().matches)
      << GetParam().selector;
}

INSTANTIATE_TEST_SUITE_P(
    Operators, StringSelectorMatchTest,
    ::testing::Values(
        MatchCase{"", {}, true}, MatchCase{"", {{"a", "b"}}, true},
        MatchCase{"a=b", {{"a", "b"}}, true}, MatchCase{"a=b", {{"a", "c"}}, false},
        MatchCase{"a=b", {}, false}, MatchCase{"a==b", {{"a", "b"}}, true},
        MatchCase{"a!=b", {{"a", "c"}}, true}, MatchCase{"a!=b", {}, true},
        MatchCase{"a!=b", {{"a", "b"}}, false}, MatchCase{"a in (x,y)", {{"a", "y"}}, true},
        MatchCase{"a in (x,y)", {{"a", "z"}}, false}, MatchCase{"a in (x,y)", {}, false},
        MatchCase{"a notin (x)", {{"a", "y"}}, true}, MatchCase{"a notin (x)", {}, true},
        MatchCase{"a notin (x)", {{"a", "x"}}, false}, MatchCase{"a", {{"a", ""}}, true},
        MatchCase{"a", {}, false}, MatchCase{"!a", {}, true}, MatchCase{"!a", {{"a", "x"}}, false},
        MatchCase{"a=", {{"a", ""}}, true}, MatchCase{"a=", {{"a", "x"}}, false},
        MatchCase{"n>3", {{"n", "4"}}, true}, MatchCase{"n>3", {{"n", "3"}}, false},
        MatchCase{"n>3", {{"n", "four"}}, false}, MatchCase{"n>3", {}, false},
        MatchCase{"n<3", {{"n", "-1"}}, true}, MatchCase{"app=x,!legacy", {{"app", "x"}}, true},
        MatchCase{"app=x,!legacy", {{"app", "x"}, {"legacy", "1"}}, false}));

struct ErrorCase {
  std::string input;
  std::string error;
};

class StringSelectorErrorTest : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(StringSelectorErrorTest, ReportsTokenAndColumn) {
  std::string error;
  EXPECT_FALSE(StringSelector::Parse(GetParam().input, &error).has_value()) << GetParam().input;
  EXPECT_EQ(error, GetParam().error);
}

INSTANTIATE_TEST_SUITE_P(
    Errors, StringSelectorErrorTest,
    ::testing::Values(
        ErrorCase{",a", "found ',' at column 1, expected: !, identifier, or end of string"},
        ErrorCase{"a,", "found end of string at column 3, expected: identifier after ','"},
        ErrorCase{"a=b c", "found 'c' at column 5, expected: ',' or end of string"},
        ErrorCase{"a in x", "found 'x' at column 6, expected: '('"},
        ErrorCase{"a in (x", "found end of string at column 8, expected: ',' or ')'"},
        ErrorCase{"a in (x y)", "found 'y' at column 9, expected: ',' or ')'"},
        ErrorCase{"a in (=)", "found '=' at column 7, expected: ',', ')' or identifier"},
        ErrorCase{"a b", "found 'b' at column 3, expected: in, notin, =, ==, !=, >, <"},
        ErrorCase{"a=(", "found '(' at column 3, expected: identifier"},
        ErrorCase{"!=a", "found '!=' at column 1, expected: !, identifier, or end of string"},
        ErrorCase{"!", "found end of string at column 2, expected: identifier"},
        ErrorCase{"!a=b", "found '=' at column 3, expected: ',' or end of string"},
        ErrorCase{"n>x", "invalid value 'x' at column 3: for '>' and '<' it must be an integer"},
        ErrorCase{"a/b/c=d",
                  "invalid label key 'a/b/c' at column 1: a qualified name must consist of "
                  "alphanumeric characters, '-', '_' or '.', and must start and end with an "
                  "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex "
                  "used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an "
                  "optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"},
        ErrorCase{"a=-b",
                  "invalid label value '-b' at column 3: a valid label must be an empty string "
                  "or consist of alphanumeric characters, '-', '_' or '.', and must start and end "
                  "with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', "
                  "regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"}));

TEST(StringSelectorTest, EmptyReportsNoRequirements) {
  EXPECT_TRUE(MustParse("").Empty());
  EXPECT_FALSE(MustParse("a").Empty());
}

TEST(StringSelectorTest, ErrorPointerIsOptional) {
  EXPECT_FALSE(StringSelector::Parse("a in").has_value());
}

}  // namespace
}  // namespace fleetset
