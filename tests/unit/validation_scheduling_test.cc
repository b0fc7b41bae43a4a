// ValidateDaemonSet: where the pod may run (nodeSelector, node affinity,
// pod (anti-)affinity, tolerations).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fleetset/labels.h"
#include "fleetset/manifest.h"
#include "fleetset/names.h"
#include "validation_test_util.h"

namespace fleetset {
namespace {

using validation_test::Case;
using validation_test::InvalidEach;
using validation_test::Pod;
using validation_test::ValidDaemonSet;

const std::string kPod = "spec.template.spec";
const std::string kT0 = kPod + ".tolerations[0]";
const std::string kTerm0 = kPod +
                           ".affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution."
                           "nodeSelectorTerms[0]";
const std::string kAnti0 =
    kPod + ".affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0]";

v1::Toleration* Toleration(v1::DaemonSet* ds) { return Pod(ds)->mutable_tolerations(0); }

v1::NodeSelectorTerm* RequiredTerm(v1::DaemonSet* ds) {
  auto* required = Pod(ds)
                       ->mutable_affinity()
                       ->mutable_node_affinity()
                       ->mutable_required_during_scheduling_ignored_during_execution();
  return required->node_selector_terms().empty() ? required->add_node_selector_terms()
                                                 : required->mutable_node_selector_terms(0);
}

v1::NodeSelectorRequirement* Expression(v1::DaemonSet* ds, const std::string& key,
                                        const std::string& op,
                                        std::initializer_list<std::string> values) {
  v1::NodeSelectorRequirement* requirement = RequiredTerm(ds)->add_match_expressions();
  requirement->set_key(key);
  requirement->set_operator_(op);
  for (const std::string& value : values) requirement->add_values(value);
  return requirement;
}

v1::NodeSelectorRequirement* Field(v1::DaemonSet* ds, const std::string& key, const std::string& op,
                                   std::initializer_list<std::string> values) {
  v1::NodeSelectorRequirement* requirement = RequiredTerm(ds)->add_match_fields();
  requirement->set_key(key);
  requirement->set_operator_(op);
  for (const std::string& value : values) requirement->add_values(value);
  return requirement;
}

// The "one pod per host" anti-affinity term of the design brief.
v1::PodAffinityTerm* AntiAffinity(v1::DaemonSet* ds) {
  v1::PodAffinityTerm* term = Pod(ds)
                                  ->mutable_affinity()
                                  ->mutable_pod_anti_affinity()
                                  ->add_required_during_scheduling_ignored_during_execution();
  (*term->mutable_label_selector()->mutable_match_labels())["name"] = "fluentd-elasticsearch";
  term->set_topology_key("kubernetes.io/hostname");
  return term;
}

class SchedulingValidationTest : public testing::TestWithParam<Case> {};

TEST_P(SchedulingValidationTest, ReportsExactlyTheExpectedErrors) {
  v1::DaemonSet daemon_set = ValidDaemonSet();
  GetParam().mutate(&daemon_set);
  EXPECT_THAT(ValidateDaemonSet(daemon_set), testing::ElementsAreArray(GetParam().want));
}

INSTANTIATE_TEST_SUITE_P(
    Tolerations, SchedulingValidationTest,
    testing::Values(
        Case{"Equal with value",
             [](v1::DaemonSet* ds) {
               Toleration(ds)->set_operator_("Equal");
               Toleration(ds)->set_value("true");
             },
             {}},
        Case{"empty operator means Equal",
             [](v1::DaemonSet* ds) { Toleration(ds)->clear_operator_(); },
             {}},
        Case{"Exists with value",
             [](v1::DaemonSet* ds) { Toleration(ds)->set_value("true"); },
             {{kT0 + ".value",
               "Invalid value: \"true\": value must be empty when `operator` is 'Exists'"}}},
        Case{"empty key needs Exists",
             [](v1::DaemonSet* ds) {
               Toleration(ds)->clear_key();
               Toleration(ds)->set_operator_("Equal");
             },
             {{kT0 + ".operator",
               "Invalid value: \"Equal\": operator must be Exists when `key` is empty, which "
               "means \"match all values and all keys\""}}},
        Case{"empty key with Exists tolerates everything",
             [](v1::DaemonSet* ds) {
               Toleration(ds)->clear_key();
               Toleration(ds)->clear_effect();
             },
             {}},
        Case{"unknown operator",
             [](v1::DaemonSet* ds) { Toleration(ds)->set_operator_("In"); },
             {{kT0 + ".operator",
               "Unsupported value \"In\": must be one of \"Equal\", \"Exists\""}}},
        Case{"unknown effect",
             [](v1::DaemonSet* ds) { Toleration(ds)->set_effect("NoRun"); },
             {{kT0 + ".effect",
               "Unsupported value \"NoRun\": must be one of \"NoExecute\", \"NoSchedule\", "
               "\"PreferNoSchedule\""}}},
        Case{"tolerationSeconds with NoSchedule",
             [](v1::DaemonSet* ds) { Toleration(ds)->set_toleration_seconds(300); },
             {{kT0 + ".effect",
               "Invalid value: \"NoSchedule\": effect must be 'NoExecute' when "
               "`tolerationSeconds` is set"}}},
        Case{"tolerationSeconds with NoExecute",
             [](v1::DaemonSet* ds) {
               Toleration(ds)->set_effect("NoExecute");
               Toleration(ds)->set_toleration_seconds(300);
             },
             {}},
        Case{"key invalid", [](v1::DaemonSet* ds) { Toleration(ds)->set_key("a b"); },
             InvalidEach(kT0 + ".key", "a b", CheckQualifiedName("a b"))},
        Case{"Equal value invalid",
             [](v1::DaemonSet* ds) {
               Toleration(ds)->set_operator_("Equal");
               Toleration(ds)->set_value("no spaces");
             },
             InvalidEach(kT0 + ".value", "no spaces", CheckLabelValue("no spaces"))}),
    validation_test::CaseName);

INSTANTIATE_TEST_SUITE_P(
    NodeSelection, SchedulingValidationTest,
    testing::Values(
        Case{"nodeSelector invalid",
             [](v1::DaemonSet* ds) { (*Pod(ds)->mutable_node_selector())["logger"] = "fluent d"; },
             [] {
               google::protobuf::Map<std::string, std::string> labels;
               labels["logger"] = "fluent d";
               return ValidateLabels(labels, "spec.template.spec.nodeSelector");
             }()},
        Case{"no terms",
             [](v1::DaemonSet* ds) {
               Pod(ds)
                   ->mutable_affinity()
                   ->mutable_node_affinity()
                   ->mutable_required_during_scheduling_ignored_during_execution();
             },
             {{kPod + ".affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution."
                      "nodeSelectorTerms",
               "Required value: must have at least one node selector term"}}},
        Case{"every operator well used",
             [](v1::DaemonSet* ds) {
               Expression(ds, "kubernetes.io/os", "In", {"linux"});
               Expression(ds, "node-role.kubernetes.io/control-plane", "DoesNotExist", {});
               Expression(ds, "disk", "Exists", {});
               Expression(ds, "zone", "NotIn", {"a", "b"});
               Expression(ds, "cores", "Gt", {"4"});
               Expression(ds, "generation", "Lt", {"-1"});
               Field(ds, "metadata.name", "NotIn", {"node-1"});
             },
             {}},
        Case{"In without values",
             [](v1::DaemonSet* ds) { Expression(ds, "zone", "In", {}); },
             {{kTerm0 + ".matchExpressions[0].values",
               "Required value: must be specified when `operator` is 'In' or 'NotIn'"}}},
        Case{"Exists with values",
             [](v1::DaemonSet* ds) { Expression(ds, "zone", "Exists", {"a"}); },
             {{kTerm0 + ".matchExpressions[0].values",
               "Forbidden: may not be specified when `operator` is 'Exists' or "
               "'DoesNotExist'"}}},
        Case{"Gt with two values",
             [](v1::DaemonSet* ds) {
               Expression(ds, "cores", "Gt", {"1", "2"});
             },
             {{kTerm0 + ".matchExpressions[0].values",
               "Required value: must be specified single value when `operator` is 'Lt' or "
               "'Gt'"}}},
        Case{"Lt with non-integer",
             [](v1::DaemonSet* ds) { Expression(ds, "cores", "Lt", {"4.5"}); },
             {{kTerm0 + ".matchExpressions[0].values[0]",
               "Invalid value: \"4.5\": must be an integer when `operator` is 'Lt' or 'Gt'"}}},
        Case{"unknown operator and bad key",
             [](v1::DaemonSet* ds) { Expression(ds, "a b", "Matches", {"x"}); },
             validation_test::Join(
                 {{{kTerm0 + ".matchExpressions[0].operator",
                    "Unsupported value \"Matches\": must be one of \"DoesNotExist\", \"Exists\", "
                    "\"Gt\", \"In\", \"Lt\", \"NotIn\""}},
                  InvalidEach(kTerm0 + ".matchExpressions[0].key", "a b",
                              CheckQualifiedName("a b"))})},
        Case{"matchFields on a label",
             [](v1::DaemonSet* ds) { Field(ds, "metadata.labels", "In", {"x"}); },
             {{kTerm0 + ".matchFields[0].key",
               "Unsupported value \"metadata.labels\": must be \"metadata.name\""}}},
        Case{"matchFields Exists and two names",
             [](v1::DaemonSet* ds) { Field(ds, "metadata.name", "Exists", {}); },
             {{kTerm0 + ".matchFields[0].operator",
               "Unsupported value \"Exists\": must be one of \"In\", \"NotIn\""}}},
        Case{"matchFields needs exactly one name",
             [](v1::DaemonSet* ds) {
               Field(ds, "metadata.name", "In", {"a", "b"});
             },
             {{kTerm0 + ".matchFields[0].values",
               "Required value: must be only one value when `operator` is 'In' or 'NotIn' for "
               "node field selector"}}},
        Case{"matchFields name invalid",
             [](v1::DaemonSet* ds) { Field(ds, "metadata.name", "In", {"Node_1"}); },
             InvalidEach(kTerm0 + ".matchFields[0].values[0]", "Node_1",
                         CheckDns1123Subdomain("Node_1"))},
        Case{"preferred weight out of range",
             [](v1::DaemonSet* ds) {
               auto* preferred = Pod(ds)
                                     ->mutable_affinity()
                                     ->mutable_node_affinity()
                                     ->add_preferred_during_scheduling_ignored_during_execution();
               preferred->set_weight(0);
               auto* requirement = preferred->mutable_preference()->add_match_expressions();
               requirement->set_key("disk");
               requirement->set_operator_("Exists");
               Pod(ds)
                   ->mutable_affinity()
                   ->mutable_node_affinity()
                   ->add_preferred_during_scheduling_ignored_during_execution()
                   ->set_weight(100);
             },
             {{kPod + ".affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0]."
                      "weight",
               "Invalid value: 0: must be in the range 1-100"}}}),
    validation_test::CaseName);

INSTANTIATE_TEST_SUITE_P(
    PodAffinity, SchedulingValidationTest,
    testing::Values(
        Case{"one pod per host", [](v1::DaemonSet* ds) { AntiAffinity(ds); }, {}},
        Case{"topologyKey required",
             [](v1::DaemonSet* ds) { AntiAffinity(ds)->clear_topology_key(); },
             {{kAnti0 + ".topologyKey", "Required value: can not be empty"}}},
        Case{"topologyKey invalid",
             [](v1::DaemonSet* ds) { AntiAffinity(ds)->set_topology_key("host name"); },
             InvalidEach(kAnti0 + ".topologyKey", "host name", CheckQualifiedName("host name"))},
        Case{"labelSelector invalid",
             [](v1::DaemonSet* ds) {
               auto* expression =
                   AntiAffinity(ds)->mutable_label_selector()->add_match_expressions();
               expression->set_key("app");
               expression->set_operator_("Exists");
               expression->add_values("x");
             },
             [] {
               v1::LabelSelector selector;
               (*selector.mutable_match_labels())["name"] = "fluentd-elasticsearch";
               auto* expression = selector.add_match_expressions();
               expression->set_key("app");
               expression->set_operator_("Exists");
               expression->add_values("x");
               return ValidateLabelSelector(selector, kAnti0 + ".labelSelector");
             }()},
        Case{"namespaces invalid",
             [](v1::DaemonSet* ds) { AntiAffinity(ds)->add_namespaces("Kube_System"); },
             InvalidEach(kAnti0 + ".namespaces[0]", "Kube_System",
                         CheckDns1123Label("Kube_System"))},
        Case{"preferred pod affinity weight",
             [](v1::DaemonSet* ds) {
               auto* weighted = Pod(ds)
                                    ->mutable_affinity()
                                    ->mutable_pod_affinity()
                                    ->add_preferred_during_scheduling_ignored_during_execution();
               weighted->set_weight(101);
               weighted->mutable_pod_affinity_term()->set_topology_key(
                   "topology.kubernetes.io/zone");
             },
             {{kPod + ".affinity.podAffinity.preferredDuringSchedulingIgnoredDuringExecution[0]."
                      "weight",
               "Invalid value: 101: must be in the range 1-100"}}}),
    validation_test::CaseName);

}  // namespace
}  // namespace fleetset
