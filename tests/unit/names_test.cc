#include "fleetset/names.h"

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace fleetset {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

const char kLabelRegexError[] =
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "
    "must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used "
    "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const char kSubdomainRegexError[] =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used "
    "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const char kNamePartRegexError[] =
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end "
    "with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
    "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const char kLabelValueRegexError[] =
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value', "
    " or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

struct ValidityCase {
  std::string value;
  bool valid;
};

class Dns1123LabelTest : public ::testing::TestWithParam<ValidityCase> {};

TEST_P(Dns1123LabelTest, Checks) {
  EXPECT_EQ(CheckDns1123Label(GetParam().value).empty(), GetParam().valid) << GetParam().value;
}

INSTANTIATE_TEST_SUITE_P(Cases, Dns1123LabelTest,
                         ::testing::Values(ValidityCase{"a", true}, ValidityCase{"fluentd", true},
                                           ValidityCase{"my-name", true},
                                           ValidityCase{"123-abc", true},
                                           ValidityCase{std::string(63, 'a'), true},
                                           ValidityCase{std::string(64, 'a'), false},
                                           ValidityCase{"", false}, ValidityCase{"-a", false},
                                           ValidityCase{"a-", false}, ValidityCase{"A", false},
                                           ValidityCase{"a.b", false}, ValidityCase{"a_b", false}));

TEST(NamesTest, Dns1123LabelMessages) {
  EXPECT_THAT(CheckDns1123Label("Fluentd"), ElementsAre(kLabelRegexError));
  EXPECT_THAT(CheckDns1123Label(std::string(64, 'a')),
              ElementsAre("must be no more than 63 characters"));
}

TEST(NamesTest, Dns1123Subdomain) {
  EXPECT_THAT(CheckDns1123Subdomain("example.com"), IsEmpty());
  EXPECT_THAT(CheckDns1123Subdomain("a.b-c.d"), IsEmpty());
  EXPECT_THAT(CheckDns1123Subdomain("a..b"), ElementsAre(kSubdomainRegexError));
  EXPECT_THAT(CheckDns1123Subdomain(".a"), ElementsAre(kSubdomainRegexError));
  EXPECT_THAT(CheckDns1123Subdomain("a."), ElementsAre(kSubdomainRegexError));
  EXPECT_THAT(CheckDns1123Subdomain("Example.com"), ElementsAre(kSubdomainRegexError));
  EXPECT_THAT(CheckDns1123Subdomain(""), ElementsAre(kSubdomainRegexError));
  std::string long_name;
  for (int i = 0; i < 4; ++i) long_name += std::string(63, 'a') + ".";
  long_name += "a";  // 257 characters of valid labels
  EXPECT_THAT(CheckDns1123Subdomain(long_name), ElementsAre("must be no more than 253 characters"));
}

TEST(NamesTest, QualifiedName) {
  for (const char* valid : {"app", "k8s-app", "kubernetes.io/hostname", "MyName", "my.name", "a_b",
                            "example.com/MyName", "node-role.kubernetes.io/master"}) {
    EXPECT_THAT(CheckQualifiedName(valid), IsEmpty()) << valid;
  }
  EXPECT_THAT(CheckQualifiedName(""),
              ElementsAre("name part must be non-empty", kNamePartRegexError));
  EXPECT_THAT(CheckQualifiedName("-app"), ElementsAre(kNamePartRegexError));
  EXPECT_THAT(CheckQualifiedName("app_"), ElementsAre(kNamePartRegexError));
  EXPECT_THAT(CheckQualifiedName("/app"), ElementsAre("prefix part must be non-empty"));
  EXPECT_THAT(CheckQualifiedName("example.com/"),
              ElementsAre("name part must be non-empty", kNamePartRegexError));
  EXPECT_THAT(CheckQualifiedName("Example.com/app"),
              ElementsAre(std::string("prefix part ") + kSubdomainRegexError));
  EXPECT_THAT(CheckQualifiedName(std::string(64, 'a')),
              ElementsAre("name part must be no more than 63 characters"));
  const auto several_slashes = CheckQualifiedName("a/b/c");
  ASSERT_EQ(several_slashes.size(), 1u);
  EXPECT_THAT(several_slashes[0],
              ::testing::StartsWith("a qualified name must consist of alphanumeric characters"));
  EXPECT_THAT(several_slashes[0],
              ::testing::EndsWith("with an optional DNS subdomain prefix and '/' (e.g. "
                                  "'example.com/MyName')"));
}

TEST(NamesTest, LabelValue) {
  for (const char* valid : {"", "fluentd", "MyValue", "my_value", "12345", "a.b-c_d"}) {
    EXPECT_THAT(CheckLabelValue(valid), IsEmpty()) << valid;
  }
  EXPECT_THAT(CheckLabelValue("bad value"), ElementsAre(kLabelValueRegexError));
  EXPECT_THAT(CheckLabelValue("-x"), ElementsAre(kLabelValueRegexError));
  EXPECT_THAT(CheckLabelValue("a/b"), ElementsAre(kLabelValueRegexError));
  EXPECT_THAT(CheckLabelValue(std::string(64, 'v')),
              ElementsAre("must be no more than 63 characters"));
}

TEST(NamesTest, EnvVarName) {
  for (const char* valid : {"HOME", "my.env-name", "MY_ENV.NAME", "MyEnvName1", "_x", "-x"}) {
    EXPECT_THAT(CheckEnvVarName(valid), IsEmpty()) << valid;
  }
  const std::string regex_error =
      "a valid environment variable name must consist of alphabetic characters, digits, '_', "
      "'-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or "
      "'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')";
  EXPECT_THAT(CheckEnvVarName("1ABC"), ElementsAre(regex_error));
  EXPECT_THAT(CheckEnvVarName(""), ElementsAre(regex_error));
  EXPECT_THAT(CheckEnvVarName("A B"), ElementsAre(regex_error));
  EXPECT_THAT(CheckEnvVarName("."), ElementsAre("must not be '.'"));
  EXPECT_THAT(CheckEnvVarName(".."), ElementsAre("must not be '..'"));
  EXPECT_THAT(CheckEnvVarName("..a"), ElementsAre("must not start with '..'"));
}

}  // namespace
}  // namespace fleetset
