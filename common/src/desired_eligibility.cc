#include "fleetset/desired_eligibility.h"

namespace fleetset {

NodeFacts NodeFactsOf(const std::string& node_name, const v1::NodeUpdate& node) {
  NodeFacts facts;
  facts.name = node_name;
  facts.labels = ToLabels(node.labels());
  facts.taints.assign(node.taints().begin(), node.taints().end());
  return facts;
}

EligibilityDecision EvaluateDesiredDaemonSet(const v1::DesiredDaemonSet& desired,
                                             const NodeFacts& node,
                                             const std::vector<PodOnNode>& other_pods) {
  const v1::PodTemplateSpec& pod = desired.template_();
  return EvaluateEligibility(pod.spec(), ToLabels(pod.metadata().labels()),
                             desired.metadata().namespace_(), node, other_pods);
}

v1::Eligibility ToEligibility(const std::string& daemon_set_key,
                              const EligibilityDecision& decision) {
  v1::Eligibility eligibility;
  eligibility.set_daemon_set(daemon_set_key);
  eligibility.set_should_run(decision.should_run);
  eligibility.set_should_continue_running(decision.should_continue_running);
  eligibility.set_reason(decision.reason);
  return eligibility;
}

}  // namespace fleetset
