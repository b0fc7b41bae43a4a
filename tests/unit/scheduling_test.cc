#include "fleetset/scheduling.h"

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace fleetset {
namespace {

using ::testing::IsEmpty;

constexpr char kEligible[] = "node matches the pod's selector, affinity and tolerations";

v1::NodeSelectorRequirement Req(const std::string& key, const std::string& op,
                                const std::vector<std::string>& values = {}) {
  v1::NodeSelectorRequirement requirement;
  requirement.set_key(key);
  requirement.set_operator_(op);
  for (const auto& value : values) requirement.add_values(value);
  return requirement;
}

v1::NodeSelectorTerm Term(const std::vector<v1::NodeSelectorRequirement>& expressions,
                          const std::vector<v1::NodeSelectorRequirement>& fields = {}) {
  v1::NodeSelectorTerm term;
  for (const auto& e : expressions) *term.add_match_expressions() = e;
  for (const auto& f : fields) *term.add_match_fields() = f;
  return term;
}

v1::NodeSelector Selector(const std::vector<v1::NodeSelectorTerm>& terms) {
  v1::NodeSelector selector;
  for (const auto& t : terms) *selector.add_node_selector_terms() = t;
  return selector;
}

v1::Taint Taint(const std::string& key, const std::string& value, const std::string& effect) {
  v1::Taint taint;
  taint.set_key(key);
  taint.set_value(value);
  taint.set_effect(effect);
  return taint;
}

v1::Toleration Toleration(const std::string& key, const std::string& op, const std::string& value,
                          const std::string& effect) {
  v1::Toleration toleration;
  toleration.set_key(key);
  toleration.set_operator_(op);
  toleration.set_value(value);
  toleration.set_effect(effect);
  return toleration;
}

NodeFacts Node(const std::string& name, Labels labels = {}, std::vector<v1::Taint> taints = {}) {
  labels.emplace(kLabelHostname, name);
  return NodeFacts{name, std::move(labels), std::move(taints)};
}

// --- Node affinity -----------------------------------------------------------

struct RequirementCase {
  std::string name;
  v1::NodeSelectorRequirement requirement;
  Labels labels;
  bool matches;
};

class NodeSelectorRequirementTest : public ::testing::TestWithParam<RequirementCase> {};

TEST_P(NodeSelectorRequirementTest, Matches) {
  EXPECT_EQ(NodeSelectorRequirementMatches(GetParam().requirement, GetParam().labels),
            GetParam().matches);
}

INSTANTIATE_TEST_SUITE_P(
    Operators, NodeSelectorRequirementTest,
    ::testing::Values(
        RequirementCase{
            "InListed", Req("arch", "In", {"arm64", "amd64"}), {{"arch", "amd64"}}, true},
        RequirementCase{"InOther", Req("arch", "In", {"arm64"}), {{"arch", "amd64"}}, false},
        RequirementCase{"InAbsent", Req("arch", "In", {"arm64"}), {}, false},
        RequirementCase{"InNoValues", Req("arch", "In"), {{"arch", ""}}, false},
        RequirementCase{"NotInOther", Req("arch", "NotIn", {"arm64"}), {{"arch", "amd64"}}, true},
        RequirementCase{"NotInAbsent", Req("arch", "NotIn", {"arm64"}), {}, true},
        RequirementCase{"NotInListed", Req("arch", "NotIn", {"arm64"}), {{"arch", "arm64"}}, false},
        RequirementCase{"ExistsPresent", Req("gpu", "Exists"), {{"gpu", ""}}, true},
        RequirementCase{"ExistsAbsent", Req("gpu", "Exists"), {}, false},
        RequirementCase{"ExistsWithValues", Req("gpu", "Exists", {"x"}), {{"gpu", "x"}}, false},
        RequirementCase{"DoesNotExistAbsent", Req("gpu", "DoesNotExist"), {}, true},
        RequirementCase{"DoesNotExistPresent", Req("gpu", "DoesNotExist"), {{"gpu", "1"}}, false},
        RequirementCase{"GtGreater", Req("cores", "Gt", {"8"}), {{"cores", "16"}}, true},
        RequirementCase{"GtEqual", Req("cores", "Gt", {"8"}), {{"cores", "8"}}, false},
        RequirementCase{"GtNegative", Req("cores", "Gt", {"-5"}), {{"cores", "-4"}}, true},
        RequirementCase{"GtLabelNotInteger", Req("cores", "Gt", {"8"}), {{"cores", "many"}}, false},
        RequirementCase{"GtLabelFloat", Req("cores", "Gt", {"8"}), {{"cores", "9.5"}}, false},
        RequirementCase{
            "GtValueNotInteger", Req("cores", "Gt", {"eight"}), {{"cores", "16"}}, false},
        RequirementCase{"GtTwoValues", Req("cores", "Gt", {"1", "2"}), {{"cores", "16"}}, false},
        RequirementCase{"GtNoValues", Req("cores", "Gt"), {{"cores", "16"}}, false},
        RequirementCase{"GtAbsent", Req("cores", "Gt", {"1"}), {}, false},
        RequirementCase{"LtLess", Req("cores", "Lt", {"8"}), {{"cores", "4"}}, true},
        RequirementCase{"LtEqual", Req("cores", "Lt", {"8"}), {{"cores", "8"}}, false},
        RequirementCase{"LtLabelNotInteger", Req("cores", "Lt", {"8"}), {{"cores", "4x"}}, false},
        RequirementCase{
            "UnknownOperator", Req("arch", "Equals", {"amd64"}), {{"arch", "amd64"}}, false}),
    [](const auto& c) { return c.param.name; });

TEST(NodeAffinityTest, EmptyTermMatchesNothing) {
  EXPECT_FALSE(NodeSelectorTermMatches(v1::NodeSelectorTerm(), Node("n1")));
  EXPECT_FALSE(NodeSelectorMatches(Selector({v1::NodeSelectorTerm()}), Node("n1")));
}

TEST(NodeAffinityTest, SelectorWithoutTermsMatchesNothing) {
  EXPECT_FALSE(NodeSelectorMatches(v1::NodeSelector(), Node("n1")));
  EXPECT_EQ(ExplainNodeSelectorMismatch(v1::NodeSelector(), Node("n1")),
            "no term matches (nodeSelectorTerms is empty)");
}

TEST(NodeAffinityTest, RequirementsInATermAreAnded) {
  const auto term = Term({Req("arch", "In", {"amd64"}), Req("gpu", "Exists")});
  EXPECT_TRUE(NodeSelectorTermMatches(term, Node("n1", {{"arch", "amd64"}, {"gpu", "1"}})));
  EXPECT_FALSE(NodeSelectorTermMatches(term, Node("n1", {{"arch", "amd64"}})));
  EXPECT_FALSE(NodeSelectorTermMatches(term, Node("n1", {{"gpu", "1"}})));
}

TEST(NodeAffinityTest, TermsAreOred) {
  const auto selector =
      Selector({Term({Req("arch", "In", {"arm64"})}), Term({Req("gpu", "Exists")})});
  EXPECT_TRUE(NodeSelectorMatches(selector, Node("n1", {{"arch", "arm64"}})));
  EXPECT_TRUE(NodeSelectorMatches(selector, Node("n1", {{"gpu", "1"}})));
  EXPECT_FALSE(NodeSelectorMatches(selector, Node("n1", {{"arch", "amd64"}})));
}

TEST(NodeAffinityTest, MatchFieldsSupportsMetadataNameInAndNotIn) {
  EXPECT_TRUE(NodeSelectorTermMatches(Term({}, {Req("metadata.name", "In", {"n1"})}), Node("n1")));
  EXPECT_FALSE(NodeSelectorTermMatches(Term({}, {Req("metadata.name", "In", {"n2"})}), Node("n1")));
  EXPECT_TRUE(
      NodeSelectorTermMatches(Term({}, {Req("metadata.name", "NotIn", {"n2"})}), Node("n1")));
  EXPECT_FALSE(
      NodeSelectorTermMatches(Term({}, {Req("metadata.name", "NotIn", {"n1"})}), Node("n1")));
}

TEST(NodeAffinityTest, MatchFieldsRejectsWhatKubernetesRejects) {
  const NodeFacts node = Node("n1");
  // Another field, even one whose label would match.
  EXPECT_FALSE(NodeSelectorTermMatches(Term({}, {Req("metadata.uid", "In", {"n1"})}), node));
  EXPECT_FALSE(NodeSelectorTermMatches(Term({}, {Req("metadata.name", "Exists")}), node));
  EXPECT_FALSE(NodeSelectorTermMatches(Term({}, {Req("metadata.name", "In", {"n1", "n2"})}), node));
  // matchFields are about the node object, not its labels.
  EXPECT_FALSE(NodeSelectorTermMatches(Term({}, {Req("arch", "In", {"amd64"})}),
                                       Node("n1", {{"arch", "amd64"}})));
}

TEST(NodeAffinityTest, ExpressionsAndFieldsAreAnded) {
  const auto term = Term({Req("arch", "In", {"amd64"})}, {Req("metadata.name", "In", {"n1"})});
  EXPECT_TRUE(NodeSelectorTermMatches(term, Node("n1", {{"arch", "amd64"}})));
  EXPECT_FALSE(NodeSelectorTermMatches(term, Node("n2", {{"arch", "amd64"}})));
  EXPECT_FALSE(NodeSelectorTermMatches(term, Node("n1", {{"arch", "arm64"}})));
}

TEST(NodeAffinityTest, ExplainsEveryTerm) {
  const auto selector = Selector(
      {Term({Req("kubernetes.io/arch", "In", {"arm64", "riscv64"})}), Term({Req("gpu", "Exists")}),
       Term({}), Term({Req("cores", "Gt", {"8"})}), Term({}, {Req("metadata.name", "In", {"n2"})}),
       Term({Req("x", "Gt", {"y"})}), Term({Req("x", "Foo")})});
  EXPECT_EQ(ExplainNodeSelectorMismatch(
                selector, Node("n1", {{"kubernetes.io/arch", "amd64"}, {"cores", "lots"}})),
            "no term matches (term 0: kubernetes.io/arch In [arm64, riscv64] failed: node has "
            "kubernetes.io/arch=amd64; term 1: gpu Exists failed: node has no label gpu; term 2: "
            "empty term matches nothing; term 3: cores Gt [8] failed: node has cores=lots, which "
            "is not an integer; term 4: metadata.name In [n2] failed: node is named n1; term 5: x "
            "Gt [y] failed: Gt needs exactly one integer value; term 6: x Foo [] failed: unknown "
            "operator \"Foo\")");
  EXPECT_EQ(ExplainNodeSelectorMismatch(selector, Node("n1", {{"gpu", "1"}})), std::nullopt);
}

TEST(NodeAffinityTest, ExplanationKeepsEmptyValues) {
  EXPECT_EQ(ExplainNodeSelectorMismatch(Selector({Term({Req("tier", "In", {"", "db"})})}),
                                        Node("n1", {{"tier", "web"}})),
            "no term matches (term 0: tier In [, db] failed: node has tier=web)");
}

TEST(NodeAffinityTest, ExplainsNodeSelectorMap) {
  google::protobuf::Map<std::string, std::string> wanted;
  wanted["logger"] = "fluentd";
  wanted["disk"] = "ssd";
  EXPECT_EQ(ExplainNodeSelectorMapMismatch(wanted, {{"logger", "fluentd"}, {"disk", "ssd"}}),
            std::nullopt);
  EXPECT_EQ(ExplainNodeSelectorMapMismatch(wanted, {{"logger", "other"}}),
            "label disk=ssd is missing; node has logger=other");
}

// --- Taints and tolerations ---------------------------------------------------

struct TolerationCase {
  std::string name;
  v1::Toleration toleration;
  v1::Taint taint;
  bool tolerates;
};

class ToleratesTaintTest : public ::testing::TestWithParam<TolerationCase> {};

TEST_P(ToleratesTaintTest, Tolerates) {
  EXPECT_EQ(ToleratesTaint(GetParam().toleration, GetParam().taint), GetParam().tolerates);
}

INSTANTIATE_TEST_SUITE_P(
    Table, ToleratesTaintTest,
    ::testing::Values(
        TolerationCase{"EmptyKeyExistsToleratesAll", Toleration("", "Exists", "", ""),
                       Taint("anything", "v", "NoExecute"), true},
        TolerationCase{"EmptyKeyExistsWithEffect", Toleration("", "Exists", "", "NoSchedule"),
                       Taint("anything", "v", "NoExecute"), false},
        TolerationCase{"ExistsIgnoresValue", Toleration("k", "Exists", "", "NoSchedule"),
                       Taint("k", "whatever", "NoSchedule"), true},
        TolerationCase{"ExistsOtherKey", Toleration("k", "Exists", "", ""),
                       Taint("j", "", "NoSchedule"), false},
        TolerationCase{"EqualSameValue", Toleration("k", "Equal", "v", "NoSchedule"),
                       Taint("k", "v", "NoSchedule"), true},
        TolerationCase{"EqualOtherValue", Toleration("k", "Equal", "v", "NoSchedule"),
                       Taint("k", "w", "NoSchedule"), false},
        TolerationCase{"EmptyOperatorMeansEqual", Toleration("k", "", "v", "NoSchedule"),
                       Taint("k", "v", "NoSchedule"), true},
        TolerationCase{"EmptyOperatorOtherValue", Toleration("k", "", "v", "NoSchedule"),
                       Taint("k", "", "NoSchedule"), false},
        TolerationCase{"EmptyEffectMatchesAll", Toleration("k", "Equal", "v", ""),
                       Taint("k", "v", "NoExecute"), true},
        TolerationCase{"OtherEffect", Toleration("k", "Equal", "v", "NoSchedule"),
                       Taint("k", "v", "NoExecute"), false},
        TolerationCase{"PreferNoScheduleIsAnEffectToo",
                       Toleration("k", "Exists", "", "PreferNoSchedule"),
                       Taint("k", "", "NoSchedule"), false},
        TolerationCase{"UnknownOperator", Toleration("k", "In", "v", ""),
                       Taint("k", "v", "NoSchedule"), false}),
    [](const auto& c) { return c.param.name; });

TEST(TolerationsTest, FindTolerationReturnsTheFirstMatch) {
  auto forever = Toleration("k", "Exists", "", "NoExecute");
  auto briefly = Toleration("k", "Exists", "", "");
  briefly.set_toleration_seconds(30);
  const std::vector<v1::Toleration> tolerations = {Toleration("x", "Exists", "", ""), forever,
                                                   briefly};
  const v1::Toleration* found = FindToleration(Taint("k", "", "NoExecute"), tolerations);
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found, &tolerations[1]);
  EXPECT_EQ(FindToleration(Taint("z", "", "NoExecute"), tolerations), nullptr);
  EXPECT_TRUE(TaintToleratedBy(Taint("k", "", "NoSchedule"), tolerations));
  EXPECT_FALSE(TaintToleratedBy(Taint("z", "", "NoSchedule"), tolerations));
  EXPECT_FALSE(TaintToleratedBy(Taint("z", "", "NoSchedule"), {}));
}

TEST(TaintSyntaxTest, FormatsLikeKubectl) {
  EXPECT_EQ(FormatTaint(Taint("node-role.kubernetes.io/master", "", "NoSchedule")),
            "node-role.kubernetes.io/master:NoSchedule");
  EXPECT_EQ(FormatTaint(Taint("dedicated", "db", "NoExecute")), "dedicated=db:NoExecute");
}

TEST(TaintSyntaxTest, ParsesKeyValueEffect) {
  for (const char* text : {"dedicated=db:NoExecute", "node-role.kubernetes.io/master:NoSchedule",
                           "k=:PreferNoSchedule", "gpu=true:PreferNoSchedule"}) {
    std::string error;
    const auto taint = ParseTaint(text, &error);
    ASSERT_TRUE(taint.has_value()) << text << ": " << error;
    // "k=:Effect" means an empty value, which prints as "k:Effect".
    const std::string expected =
        std::string(text) == "k=:PreferNoSchedule" ? "k:PreferNoSchedule" : std::string(text);
    EXPECT_EQ(FormatTaint(*taint), expected);
  }
  const auto taint = ParseTaint("dedicated=db:NoExecute");
  ASSERT_TRUE(taint.has_value());
  EXPECT_EQ(taint->key(), "dedicated");
  EXPECT_EQ(taint->value(), "db");
  EXPECT_EQ(taint->effect(), "NoExecute");
}

struct TaintErrorCase {
  std::string input;
  std::string error;
};

class TaintParseErrorTest : public ::testing::TestWithParam<TaintErrorCase> {};

TEST_P(TaintParseErrorTest, NamesThePart) {
  std::string error;
  EXPECT_FALSE(ParseTaint(GetParam().input, &error).has_value());
  EXPECT_EQ(error, GetParam().error);
}

INSTANTIATE_TEST_SUITE_P(
    Errors, TaintParseErrorTest,
    ::testing::Values(
        TaintErrorCase{"dedicated=db",
                       "invalid taint \"dedicated=db\": missing effect (expected "
                       "key[=value]:effect)"},
        TaintErrorCase{"a:b:NoSchedule",
                       "invalid taint \"a:b:NoSchedule\": more than one ':' (expected "
                       "key[=value]:effect)"},
        TaintErrorCase{"a=b=c:NoSchedule",
                       "invalid taint \"a=b=c:NoSchedule\": more than one '=' (expected "
                       "key[=value]:effect)"},
        TaintErrorCase{"dedicated=db:Sometimes",
                       "invalid taint \"dedicated=db:Sometimes\": effect \"Sometimes\" is not one "
                       "of NoSchedule, PreferNoSchedule, NoExecute"},
        TaintErrorCase{"dedicated=db:",
                       "invalid taint \"dedicated=db:\": effect \"\" is not one of NoSchedule, "
                       "PreferNoSchedule, NoExecute"},
        TaintErrorCase{"=db:NoSchedule",
                       "invalid taint \"=db:NoSchedule\": key \"\": name part must be non-empty; "
                       "name part must consist of alphanumeric characters, '-', '_' or '.', and "
                       "must start and end with an alphanumeric character (e.g. 'MyName',  or "
                       "'my.name',  or '123-abc', regex used for validation is "
                       "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"},
        TaintErrorCase{"k=bad value:NoSchedule",
                       "invalid taint \"k=bad value:NoSchedule\": value \"bad value\": a valid "
                       "label must be an empty string or consist of alphanumeric characters, '-', "
                       "'_' or '.', and must start and end with an alphanumeric character (e.g. "
                       "'MyValue',  or 'my_value',  or '12345', regex used for validation is "
                       "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"}));

std::vector<std::string> Describe(const v1::PodSpec& spec) {
  std::vector<std::string> out;
  for (const auto& t : spec.tolerations()) {
    out.push_back(t.key() + " " + t.operator_() + " " + t.effect() +
                  (t.has_toleration_seconds() ? " " + std::to_string(t.toleration_seconds()) : ""));
  }
  return out;
}

TEST(DefaultTolerationsTest, AddsKubernetesDaemonSetTolerations) {
  v1::PodSpec spec;
  AddDaemonSetDefaultTolerations(&spec);
  EXPECT_THAT(Describe(spec),
              ::testing::ElementsAre("node.kubernetes.io/not-ready Exists NoExecute",
                                     "node.kubernetes.io/unreachable Exists NoExecute",
                                     "node.kubernetes.io/disk-pressure Exists NoSchedule",
                                     "node.kubernetes.io/memory-pressure Exists NoSchedule",
                                     "node.kubernetes.io/pid-pressure Exists NoSchedule",
                                     "node.kubernetes.io/unschedulable Exists NoSchedule"));
}

TEST(DefaultTolerationsTest, HostNetworkAlsoToleratesNetworkUnavailable) {
  v1::PodSpec spec;
  spec.set_host_network(true);
  AddDaemonSetDefaultTolerations(&spec);
  ASSERT_EQ(spec.tolerations_size(), 7);
  EXPECT_EQ(Describe(spec).back(), "node.kubernetes.io/network-unavailable Exists NoSchedule");
}

TEST(DefaultTolerationsTest, NeverDuplicates) {
  v1::PodSpec spec;
  spec.set_host_network(true);
  *spec.add_tolerations() =
      Toleration("node-role.kubernetes.io/master", "Exists", "", "NoSchedule");
  *spec.add_tolerations() =
      Toleration("node.kubernetes.io/disk-pressure", "Exists", "", "NoSchedule");
  *spec.add_tolerations() =
      Toleration("node.kubernetes.io/disk-pressure", "Exists", "", "NoSchedule");
  AddDaemonSetDefaultTolerations(&spec);
  AddDaemonSetDefaultTolerations(&spec);
  const auto described = Describe(spec);
  EXPECT_EQ(described.size(), 8u);
  EXPECT_EQ(described[0], "node-role.kubernetes.io/master Exists NoSchedule");
  EXPECT_EQ(std::count(described.begin(), described.end(),
                       "node.kubernetes.io/disk-pressure Exists NoSchedule"),
            1);
}

TEST(DefaultTolerationsTest, ReplacesAnEquivalentTolerationsSeconds) {
  v1::PodSpec spec;
  auto not_ready = Toleration("node.kubernetes.io/not-ready", "Exists", "", "NoExecute");
  not_ready.set_toleration_seconds(300);
  *spec.add_tolerations() = not_ready;
  // Different operator: a different toleration, kept as written.
  auto unreachable = Toleration("node.kubernetes.io/unreachable", "", "", "NoExecute");
  unreachable.set_toleration_seconds(60);
  *spec.add_tolerations() = unreachable;
  AddDaemonSetDefaultTolerations(&spec);
  const auto described = Describe(spec);
  ASSERT_EQ(described.size(), 7u);
  EXPECT_EQ(described[0], "node.kubernetes.io/not-ready Exists NoExecute");
  EXPECT_EQ(described[1], "node.kubernetes.io/unreachable  NoExecute 60");
  EXPECT_EQ(described[2], "node.kubernetes.io/unreachable Exists NoExecute");
}

// --- Eligibility ----------------------------------------------------------------

EligibilityDecision Evaluate(const v1::PodSpec& spec, const NodeFacts& node,
                             const std::vector<PodOnNode>& others = {}) {
  return EvaluateEligibility(spec, {{"name", "fluentd"}}, "kube-system", node, others);
}

void ExpectDecision(const EligibilityDecision& decision, bool should_run,
                    bool should_continue_running, const std::string& reason) {
  EXPECT_EQ(decision.should_run, should_run) << decision.reason;
  EXPECT_EQ(decision.should_continue_running, should_continue_running) << decision.reason;
  EXPECT_EQ(decision.reason, reason);
}

TEST(EligibilityTest, UnconstrainedPodRunsEverywhere) {
  const auto decision = Evaluate(v1::PodSpec(), Node("n1"));
  ExpectDecision(decision, true, true, kEligible);
  EXPECT_EQ(decision.evict_after_seconds, std::nullopt);
}

// Seed: a master tainted NoSchedule gets no pod until the spec tolerates it.
TEST(EligibilityTest, MasterTaintNeedsAToleration) {
  const NodeFacts master =
      Node("master", {}, {Taint("node-role.kubernetes.io/master", "", "NoSchedule")});
  v1::PodSpec spec;
  ExpectDecision(Evaluate(spec, master), false, true,
                 "node has taint node-role.kubernetes.io/master:NoSchedule that the pod does not "
                 "tolerate");
  *spec.add_tolerations() = Toleration("node-role.kubernetes.io/master", "", "", "NoSchedule");
  ExpectDecision(Evaluate(spec, master), true, true, kEligible);
}

// Seed: nodeSelector logger=fluentd picks only the labelled nodes.
TEST(EligibilityTest, NodeSelectorPicksLabelledNodes) {
  v1::PodSpec spec;
  (*spec.mutable_node_selector())["logger"] = "fluentd";
  ExpectDecision(Evaluate(spec, Node("n1", {{"logger", "fluentd"}})), true, true, kEligible);
  ExpectDecision(Evaluate(spec, Node("n2")), false, false,
                 "node does not match nodeSelector: label logger=fluentd is missing");
  ExpectDecision(Evaluate(spec, Node("n3", {{"logger", "other"}})), false, false,
                 "node does not match nodeSelector: node has logger=other");
}

TEST(EligibilityTest, RequiredNodeAffinity) {
  v1::PodSpec spec;
  *spec.mutable_affinity()
       ->mutable_node_affinity()
       ->mutable_required_during_scheduling_ignored_during_execution() =
      Selector({Term({Req("kubernetes.io/arch", "In", {"arm64"})})});
  ExpectDecision(Evaluate(spec, Node("n1", {{"kubernetes.io/arch", "arm64"}})), true, true,
                 kEligible);
  ExpectDecision(Evaluate(spec, Node("n2", {{"kubernetes.io/arch", "amd64"}})), false, false,
                 "node does not match required node affinity: no term matches (term 0: "
                 "kubernetes.io/arch In [arm64] failed: node has kubernetes.io/arch=amd64)");
}

TEST(EligibilityTest, OnlyPreferredNodeAffinityDoesNotRestrict) {
  v1::PodSpec spec;
  auto* preferred = spec.mutable_affinity()
                        ->mutable_node_affinity()
                        ->add_preferred_during_scheduling_ignored_during_execution();
  preferred->set_weight(1);
  *preferred->mutable_preference() = Term({Req("gpu", "Exists")});
  ExpectDecision(Evaluate(spec, Node("n1")), true, true, kEligible);
}

TEST(EligibilityTest, NodeNameMustBeThisNode) {
  v1::PodSpec spec;
  spec.set_node_name("n2");
  ExpectDecision(Evaluate(spec, Node("n1")), false, false,
                 "pod spec.nodeName is n2, not this node (n1)");
  ExpectDecision(Evaluate(spec, Node("n2")), true, true, kEligible);
}

// Kubernetes checks nodeName, then selector and affinity, then taints.
TEST(EligibilityTest, SelectorIsCheckedBeforeTaints) {
  v1::PodSpec spec;
  (*spec.mutable_node_selector())["logger"] = "fluentd";
  const NodeFacts node = Node("n1", {}, {Taint("dedicated", "db", "NoExecute")});
  ExpectDecision(Evaluate(spec, node), false, false,
                 "node does not match nodeSelector: label logger=fluentd is missing");
  spec.set_node_name("n9");
  ExpectDecision(Evaluate(spec, node), false, false, "pod spec.nodeName is n9, not this node (n1)");
}

TEST(EligibilityTest, UntoleratedNoExecuteEvictsRunningPods) {
  ExpectDecision(Evaluate(v1::PodSpec(), Node("n1", {}, {Taint("dedicated", "db", "NoExecute")})),
                 false, false,
                 "node has taint dedicated=db:NoExecute that the pod does not tolerate");
}

TEST(EligibilityTest, PreferNoScheduleDoesNotBlock) {
  ExpectDecision(Evaluate(v1::PodSpec(), Node("n1", {}, {Taint("spot", "", "PreferNoSchedule")})),
                 true, true, kEligible);
}

TEST(EligibilityTest, NamesEveryUntoleratedTaintNoExecuteFirst) {
  const NodeFacts node = Node("n1", {},
                              {Taint("a", "", "NoSchedule"), Taint("p", "", "PreferNoSchedule"),
                               Taint("b", "x", "NoExecute"), Taint("c", "", "NoSchedule")});
  v1::PodSpec spec;
  *spec.add_tolerations() = Toleration("c", "Exists", "", "");
  ExpectDecision(Evaluate(spec, node), false, false,
                 "node has taints b=x:NoExecute, a:NoSchedule that the pod does not tolerate");
}

TEST(EligibilityTest, TolerationSecondsGiveTheSmallestEviction) {
  const NodeFacts node = Node("n1", {},
                              {Taint("a", "", "NoExecute"), Taint("b", "", "NoExecute"),
                               Taint("c", "", "NoExecute"), Taint("d", "", "NoSchedule")});
  v1::PodSpec spec;
  auto a = Toleration("a", "Exists", "", "NoExecute");
  a.set_toleration_seconds(300);
  auto b = Toleration("b", "Exists", "", "");
  b.set_toleration_seconds(60);
  *spec.add_tolerations() = a;
  *spec.add_tolerations() = b;
  *spec.add_tolerations() = Toleration("c", "Exists", "", "NoExecute");  // forever
  auto d = Toleration("d", "Exists", "", "");
  d.set_toleration_seconds(5);  // NoSchedule taints never evict
  *spec.add_tolerations() = d;
  auto decision = Evaluate(spec, node);
  ExpectDecision(decision, true, true, kEligible);
  EXPECT_EQ(decision.evict_after_seconds, 60);

  // An untolerated NoSchedule taint bars new pods; the running one stays
  // until its tolerated NoExecute taints evict it.
  NodeFacts cordoned = node;
  cordoned.taints.push_back(Taint("e", "", "NoSchedule"));
  decision = Evaluate(spec, cordoned);
  ExpectDecision(decision, false, true,
                 "node has taint e:NoSchedule that the pod does not tolerate");
  EXPECT_EQ(decision.evict_after_seconds, 60);
}

TEST(EligibilityTest, OnlyTheFirstMatchingTolerationCounts) {
  v1::PodSpec spec;
  *spec.add_tolerations() = Toleration("a", "Exists", "", "NoExecute");
  auto later = Toleration("", "Exists", "", "");
  later.set_toleration_seconds(10);
  *spec.add_tolerations() = later;
  EXPECT_EQ(Evaluate(spec, Node("n1", {}, {Taint("a", "", "NoExecute")})).evict_after_seconds,
            std::nullopt);
  auto negative = Toleration("z", "Exists", "", "NoExecute");
  negative.set_toleration_seconds(-5);
  v1::PodSpec now;
  *now.add_tolerations() = negative;
  EXPECT_EQ(Evaluate(now, Node("n1", {}, {Taint("z", "", "NoExecute")})).evict_after_seconds, 0);
}

TEST(EligibilityTest, EmptyKeyExistsToleratesEveryTaint) {
  v1::PodSpec spec;
  *spec.add_tolerations() = Toleration("", "Exists", "", "");
  const NodeFacts node =
      Node("n1", {}, {Taint("a", "", "NoSchedule"), Taint("b", "x", "NoExecute")});
  const auto decision = Evaluate(spec, node);
  ExpectDecision(decision, true, true, kEligible);
  EXPECT_EQ(decision.evict_after_seconds, std::nullopt);
}

TEST(EligibilityTest, DefaultTolerationsApply) {
  for (const char* key : {"node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"}) {
    const auto decision = Evaluate(v1::PodSpec(), Node("n1", {}, {Taint(key, "", "NoExecute")}));
    ExpectDecision(decision, true, true, kEligible);
    EXPECT_EQ(decision.evict_after_seconds, std::nullopt) << key;
  }
  for (const char* key : {"node.kubernetes.io/disk-pressure", "node.kubernetes.io/memory-pressure",
                          "node.kubernetes.io/pid-pressure", "node.kubernetes.io/unschedulable"}) {
    ExpectDecision(Evaluate(v1::PodSpec(), Node("n1", {}, {Taint(key, "", "NoSchedule")})), true,
                   true, kEligible);
  }
  // A spec-level tolerationSeconds for not-ready is replaced: daemons ride
  // out node trouble.
  v1::PodSpec spec;
  auto not_ready = Toleration("node.kubernetes.io/not-ready", "Exists", "", "NoExecute");
  not_ready.set_toleration_seconds(30);
  *spec.add_tolerations() = not_ready;
  EXPECT_EQ(Evaluate(spec, Node("n1", {}, {Taint("node.kubernetes.io/not-ready", "", "NoExecute")}))
                .evict_after_seconds,
            std::nullopt);
}

TEST(EligibilityTest, NetworkUnavailableIsToleratedOnlyWithHostNetwork) {
  const NodeFacts node =
      Node("n1", {}, {Taint("node.kubernetes.io/network-unavailable", "", "NoSchedule")});
  v1::PodSpec spec;
  ExpectDecision(Evaluate(spec, node), false, true,
                 "node has taint node.kubernetes.io/network-unavailable:NoSchedule that the pod "
                 "does not tolerate");
  spec.set_host_network(true);
  ExpectDecision(Evaluate(spec, node), true, true, kEligible);
  // The caller's spec is not modified.
  EXPECT_THAT(spec.tolerations(), IsEmpty());
}

v1::PodAffinityTerm AffinityTerm(const v1::LabelSelector& selector,
                                 const std::string& topology_key = kLabelHostname) {
  v1::PodAffinityTerm term;
  *term.mutable_label_selector() = selector;
  term.set_topology_key(topology_key);
  return term;
}

v1::LabelSelector K8sAppInFluentd() {
  v1::LabelSelector selector;
  auto* expression = selector.add_match_expressions();
  expression->set_key("k8s-app");
  expression->set_operator_("In");
  expression->add_values("fluentd");
  return selector;
}

v1::PodSpec WithAntiAffinity(const v1::PodAffinityTerm& term) {
  v1::PodSpec spec;
  *spec.mutable_affinity()
       ->mutable_pod_anti_affinity()
       ->add_required_during_scheduling_ignored_during_execution() = term;
  return spec;
}

// Seed: anti-affinity on k8s-app In [fluentd] while the DaemonSet's own pods
// are labelled name: fluentd, so they never repel each other.
TEST(EligibilityTest, SeedAntiAffinityExample) {
  const v1::PodSpec spec = WithAntiAffinity(AffinityTerm(K8sAppInFluentd()));
  const NodeFacts node = Node("n1");
  ExpectDecision(Evaluate(spec, node), true, true, kEligible);
  ExpectDecision(Evaluate(spec, node, {{"kube-system", "other-logger", {{"name", "fluentd"}}}}),
                 true, true, kEligible);
  ExpectDecision(Evaluate(spec, node,
                          {{"kube-system", "web", {{"app", "web"}}},
                           {"kube-system", "x", {{"k8s-app", "fluentd"}}}}),
                 false, true,
                 "pod anti-affinity: node runs pod kube-system/x that matches the term's "
                 "labelSelector (topologyKey kubernetes.io/hostname)");
}

TEST(EligibilityTest, AntiAffinityNamespaces) {
  const std::vector<PodOnNode> elsewhere = {{"logging", "x", {{"k8s-app", "fluentd"}}}};
  v1::PodAffinityTerm term = AffinityTerm(K8sAppInFluentd());
  // No namespaces: only the pod's own namespace (kube-system) counts.
  EXPECT_TRUE(Evaluate(WithAntiAffinity(term), Node("n1"), elsewhere).should_run);
  term.add_namespaces("logging");
  EXPECT_FALSE(Evaluate(WithAntiAffinity(term), Node("n1"), elsewhere).should_run);
  // An empty namespaceSelector means every namespace.
  term.clear_namespaces();
  term.mutable_namespace_selector();
  EXPECT_FALSE(Evaluate(WithAntiAffinity(term), Node("n1"), elsewhere).should_run);
  // Namespace labels are unknown on the node: a selector needing one matches none.
  (*term.mutable_namespace_selector()->mutable_match_labels())["team"] = "obs";
  EXPECT_TRUE(Evaluate(WithAntiAffinity(term), Node("n1"), elsewhere).should_run);
}

TEST(EligibilityTest, AntiAffinityWithoutLabelSelectorSelectsNothing) {
  v1::PodAffinityTerm term;
  term.set_topology_key(kLabelHostname);
  EXPECT_TRUE(Evaluate(WithAntiAffinity(term), Node("n1"), {{"kube-system", "x", {{"a", "b"}}}})
                  .should_run);
  // An empty (present) selector selects every pod.
  term.mutable_label_selector();
  EXPECT_FALSE(Evaluate(WithAntiAffinity(term), Node("n1"), {{"kube-system", "x", {{"a", "b"}}}})
                   .should_run);
}

TEST(EligibilityTest, AntiAffinityOtherTopologyKeyUsesTheNodesLabel) {
  const v1::PodSpec spec =
      WithAntiAffinity(AffinityTerm(K8sAppInFluentd(), "topology.kubernetes.io/zone"));
  const std::vector<PodOnNode> pods = {{"kube-system", "x", {{"k8s-app", "fluentd"}}}};
  // Without the label the node is in no zone, so nothing can repel the pod.
  EXPECT_TRUE(Evaluate(spec, Node("n1"), pods).should_run);
  ExpectDecision(Evaluate(spec, Node("n1", {{"topology.kubernetes.io/zone", "z1"}}), pods), false,
                 true,
                 "pod anti-affinity: node runs pod kube-system/x that matches the term's "
                 "labelSelector (topologyKey topology.kubernetes.io/zone)");
}

TEST(EligibilityTest, TaintsAreReportedBeforePodAntiAffinity) {
  const v1::PodSpec spec = WithAntiAffinity(AffinityTerm(K8sAppInFluentd()));
  ExpectDecision(Evaluate(spec, Node("n1", {}, {Taint("a", "", "NoSchedule")}),
                          {{"kube-system", "x", {{"k8s-app", "fluentd"}}}}),
                 false, true, "node has taint a:NoSchedule that the pod does not tolerate");
}

TEST(EligibilityTest, RequiredPodAffinityNeedsAMatchingPodHere) {
  v1::PodSpec spec;
  *spec.mutable_affinity()
       ->mutable_pod_affinity()
       ->add_required_during_scheduling_ignored_during_execution() =
      AffinityTerm(K8sAppInFluentd());
  ExpectDecision(Evaluate(spec, Node("n1"), {{"kube-system", "web", {{"app", "web"}}}}), false,
                 true,
                 "pod affinity: node runs no pod that matches the term's labelSelector "
                 "(topologyKey kubernetes.io/hostname)");
  ExpectDecision(Evaluate(spec, Node("n1"), {{"kube-system", "x", {{"k8s-app", "fluentd"}}}}), true,
                 true, kEligible);

  v1::PodSpec zoned;
  *zoned.mutable_affinity()
       ->mutable_pod_affinity()
       ->add_required_during_scheduling_ignored_during_execution() =
      AffinityTerm(K8sAppInFluentd(), "topology.kubernetes.io/zone");
  ExpectDecision(Evaluate(zoned, Node("n1"), {{"kube-system", "x", {{"k8s-app", "fluentd"}}}}),
                 false, true,
                 "pod affinity: node has no label topology.kubernetes.io/zone for the term's "
                 "topologyKey");
}

}  // namespace
}  // namespace fleetset
