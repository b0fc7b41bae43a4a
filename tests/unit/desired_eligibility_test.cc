#include "fleetset/desired_eligibility.h"

#include <gtest/gtest.h>

namespace fleetset {
namespace {

v1::NodeUpdate TaintedNode() {
  v1::NodeUpdate node;
  (*node.mutable_labels())["disk"] = "ssd";
  v1::Taint& taint = *node.add_taints();
  taint.set_key("dedicated");
  taint.set_value("storage");
  taint.set_effect("NoSchedule");
  return node;
}

v1::DesiredDaemonSet Selecting(const std::string& disk) {
  v1::DesiredDaemonSet desired;
  desired.mutable_metadata()->set_namespace_("kube-system");
  desired.mutable_metadata()->set_name("agent");
  (*desired.mutable_template_()->mutable_spec()->mutable_node_selector())["disk"] = disk;
  return desired;
}

TEST(DesiredEligibilityTest, NodeFactsCarryTheRecordsLabelsAndTaints) {
  const NodeFacts facts = NodeFactsOf("node-a", TaintedNode());
  EXPECT_EQ(facts.name, "node-a");
  EXPECT_EQ(facts.labels, (Labels{{"disk", "ssd"}}));
  ASSERT_EQ(facts.taints.size(), 1u);
  EXPECT_EQ(facts.taints[0].key(), "dedicated");
  EXPECT_EQ(facts.taints[0].effect(), "NoSchedule");
}

TEST(DesiredEligibilityTest, AnOfferedTemplateIsJudgedOnTheNode) {
  const NodeFacts facts = NodeFactsOf("node-a", TaintedNode());
  v1::DesiredDaemonSet matching = Selecting("ssd");
  v1::Toleration& toleration = *matching.mutable_template_()->mutable_spec()->add_tolerations();
  toleration.set_key("dedicated");
  toleration.set_operator_("Exists");
  EXPECT_TRUE(EvaluateDesiredDaemonSet(matching, facts).should_run);

  const EligibilityDecision untolerated = EvaluateDesiredDaemonSet(Selecting("ssd"), facts);
  EXPECT_FALSE(untolerated.should_run);
  EXPECT_NE(untolerated.reason.find("dedicated"), std::string::npos) << untolerated.reason;

  v1::DesiredDaemonSet elsewhere = Selecting("hdd");
  *elsewhere.mutable_template_()->mutable_spec()->add_tolerations() = toleration;
  EXPECT_FALSE(EvaluateDesiredDaemonSet(elsewhere, facts).should_run);
}

TEST(DesiredEligibilityTest, TheReportedDecisionKeepsEveryField) {
  EligibilityDecision decision;
  decision.should_run = false;
  decision.should_continue_running = true;
  decision.reason = "node(s) didn't match Pod's node affinity/selector";
  const v1::Eligibility reported = ToEligibility("kube-system/agent", decision);
  EXPECT_EQ(reported.daemon_set(), "kube-system/agent");
  EXPECT_FALSE(reported.should_run());
  EXPECT_TRUE(reported.should_continue_running());
  EXPECT_EQ(reported.reason(), decision.reason);
}

}  // namespace
}  // namespace fleetset
