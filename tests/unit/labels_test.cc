#include "fleetset/labels.h"

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace fleetset {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

v1::LabelSelectorRequirement Expression(const std::string& key, const std::string& op,
                                        const std::vector<std::string>& values = {}) {
  v1::LabelSelectorRequirement requirement;
  requirement.set_key(key);
  requirement.set_operator_(op);
  for (const auto& value : values) requirement.add_values(value);
  return requirement;
}

v1::LabelSelector WithExpression(const v1::LabelSelectorRequirement& expression) {
  v1::LabelSelector selector;
  *selector.add_match_expressions() = expression;
  return selector;
}

TEST(LabelsTest, ToLabelsCopiesEveryPair) {
  google::protobuf::Map<std::string, std::string> map;
  map["b"] = "2";
  map["a"] = "1";
  EXPECT_EQ(ToLabels(map), (Labels{{"a", "1"}, {"b", "2"}}));
}

TEST(LabelsTest, EmptySelectorMatchesEverything) {
  EXPECT_TRUE(SelectorMatches(v1::LabelSelector(), {}));
  EXPECT_TRUE(SelectorMatches(v1::LabelSelector(), {{"any", "thing"}}));
}

TEST(LabelsTest, MatchLabelsMustAllBePresentAndEqual) {
  v1::LabelSelector selector;
  (*selector.mutable_match_labels())["name"] = "fluentd";
  (*selector.mutable_match_labels())["tier"] = "logging";
  EXPECT_TRUE(SelectorMatches(selector, {{"name", "fluentd"}, {"tier", "logging"}, {"x", "y"}}));
  EXPECT_FALSE(SelectorMatches(selector, {{"name", "fluentd"}}));
  EXPECT_FALSE(SelectorMatches(selector, {{"name", "fluentd"}, {"tier", "web"}}));
  EXPECT_FALSE(SelectorMatches(selector, {}));
}

struct MatchCase {
  std::string name;
  v1::LabelSelectorRequirement expression;
  Labels labels;
  bool matches;
};

class ExpressionMatchTest : public ::testing::TestWithParam<MatchCase> {};

TEST_P(ExpressionMatchTest, Matches) {
  EXPECT_EQ(SelectorMatches(WithExpression(GetParam().expression), GetParam().labels),
            GetParam().matches);
}

INSTANTIATE_TEST_SUITE_P(
    Operators, ExpressionMatchTest,
    ::testing::Values(
        MatchCase{
            "InListed", Expression("k8s-app", "In", {"fluentd", "x"}), {{"k8s-app", "x"}}, true},
        MatchCase{
            "InOther", Expression("k8s-app", "In", {"fluentd"}), {{"k8s-app", "other"}}, false},
        MatchCase{
            "InAbsent", Expression("k8s-app", "In", {"fluentd"}), {{"name", "fluentd"}}, false},
        MatchCase{"InNoValues", Expression("k", "In"), {{"k", ""}}, false},
        MatchCase{"NotInOther", Expression("k", "NotIn", {"a"}), {{"k", "b"}}, true},
        MatchCase{"NotInAbsent", Expression("k", "NotIn", {"a"}), {}, true},
        MatchCase{"NotInListed", Expression("k", "NotIn", {"a", "b"}), {{"k", "b"}}, false},
        MatchCase{"NotInNoValues", Expression("k", "NotIn"), {}, false},
        MatchCase{"ExistsPresent", Expression("k", "Exists"), {{"k", ""}}, true},
        MatchCase{"ExistsAbsent", Expression("k", "Exists"), {{"j", "v"}}, false},
        MatchCase{"ExistsWithValues", Expression("k", "Exists", {"v"}), {{"k", "v"}}, false},
        MatchCase{"DoesNotExistAbsent", Expression("k", "DoesNotExist"), {}, true},
        MatchCase{"DoesNotExistPresent", Expression("k", "DoesNotExist"), {{"k", "v"}}, false},
        MatchCase{"UnknownOperator", Expression("k", "Gt", {"1"}), {{"k", "2"}}, false},
        MatchCase{"OperatorIsCaseSensitive", Expression("k", "in", {"v"}), {{"k", "v"}}, false}),
    [](const auto& c) { return c.param.name; });

TEST(LabelsTest, MatchLabelsAndExpressionsAreAnded) {
  v1::LabelSelector selector = WithExpression(Expression("tier", "NotIn", {"db"}));
  (*selector.mutable_match_labels())["app"] = "web";
  EXPECT_TRUE(SelectorMatches(selector, {{"app", "web"}}));
  EXPECT_FALSE(SelectorMatches(selector, {{"app", "web"}, {"tier", "db"}}));
  EXPECT_FALSE(SelectorMatches(selector, {{"app", "api"}}));
}

std::vector<std::string> Strings(const FieldErrors& errors) {
  std::vector<std::string> out;
  for (const auto& error : errors) out.push_back(error.ToString());
  return out;
}

TEST(LabelsTest, ValidSelectorHasNoErrors) {
  v1::LabelSelector selector = WithExpression(Expression("k8s-app", "In", {"fluentd"}));
  *selector.add_match_expressions() = Expression("legacy", "DoesNotExist");
  (*selector.mutable_match_labels())["name"] = "fluentd";
  EXPECT_THAT(ValidateLabelSelector(selector, "spec.selector"), IsEmpty());
}

TEST(LabelsTest, InWithoutValuesIsRequired) {
  EXPECT_THAT(
      Strings(ValidateLabelSelector(WithExpression(Expression("app", "In")), "spec.selector")),
      ElementsAre("spec.selector.matchExpressions[0].values: Required value: must be "
                  "specified when operator is In or NotIn"));
  EXPECT_THAT(Strings(ValidateLabelSelector(WithExpression(Expression("app", "NotIn")), "s")),
              ElementsAre("s.matchExpressions[0].values: Required value: must be specified when "
                          "operator is In or NotIn"));
}

TEST(LabelsTest, ExistsWithValuesIsForbidden) {
  v1::LabelSelector selector = WithExpression(Expression("app", "In", {"x"}));
  *selector.add_match_expressions() = Expression("app", "Exists", {"x"});
  EXPECT_THAT(Strings(ValidateLabelSelector(selector, "spec.selector")),
              ElementsAre("spec.selector.matchExpressions[1].values: Forbidden: may not be "
                          "specified when operator is Exists or DoesNotExist"));
}

TEST(LabelsTest, UnknownOperatorIsUnsupported) {
  EXPECT_THAT(Strings(ValidateLabelSelector(WithExpression(Expression("app", "Gt", {"1"})),
                                            "spec.selector")),
              ElementsAre("spec.selector.matchExpressions[0].operator: Unsupported value: \"Gt\": "
                          "supported values: \"DoesNotExist\", \"Exists\", \"In\", \"NotIn\""));
}

TEST(LabelsTest, BadKeyAndValuesAreInvalidWithTheirPaths) {
  const auto errors = Strings(ValidateLabelSelector(
      WithExpression(Expression("-app", "In", {"ok", "bad value"})), "spec.selector"));
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_THAT(errors[0], ::testing::StartsWith(
                             "spec.selector.matchExpressions[0].key: Invalid value: \"-app\": "
                             "name part must consist of alphanumeric characters"));
  EXPECT_THAT(errors[1],
              ::testing::StartsWith("spec.selector.matchExpressions[0].values[1]: Invalid value: "
                                    "\"bad value\": a valid label must be an empty string"));
}

TEST(LabelsTest, ValidateLabelsReportsKeysAtTheMapAndValuesAtTheirKey) {
  google::protobuf::Map<std::string, std::string> labels;
  labels["good"] = "fine";
  labels["bad/key/x"] = "v";
  labels["logger"] = "not ok";
  const auto errors = Strings(ValidateLabels(labels, "spec.template.metadata.labels"));
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_THAT(errors[0],
              ::testing::StartsWith(
                  "spec.template.metadata.labels: Invalid value: \"bad/key/x\": a qualified name"));
  EXPECT_THAT(errors[1], ::testing::StartsWith("spec.template.metadata.labels[logger]: Invalid "
                                               "value: \"not ok\": a valid label"));
}

TEST(LabelsTest, SelectorMatchLabelsAreValidatedUnderMatchLabels) {
  v1::LabelSelector selector;
  (*selector.mutable_match_labels())["name"] = "bad\"value";
  const auto errors = Strings(ValidateLabelSelector(selector, "spec.selector"));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0], ::testing::StartsWith("spec.selector.matchLabels[name]: Invalid value: "
                                               "\"bad\\\"value\": "));
}

TEST(LabelsTest, FormatLabels) {
  EXPECT_EQ(FormatLabels({}), "<none>");
  EXPECT_EQ(FormatLabels({}, ""), "");
  EXPECT_EQ(FormatLabels({{"logger", "fluentd"}, {"a", "b"}}), "a=b,logger=fluentd");
}

}  // namespace
}  // namespace fleetset
