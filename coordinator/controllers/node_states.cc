#include "coordinator/controllers/node_states.h"

#include "fleetset/pod_owner.h"

namespace fleetset::coordinator {

NodeFacts FactsOf(const v1::Node& node) {
  NodeFacts facts;
  facts.name = node.metadata().name();
  facts.labels = ToLabels(node.metadata().labels());
  for (const v1::Taint& taint : node.spec().taints()) {
    // The coordinator's own verdict on reachability is not the node's
    // business: the agent never sees it, and it goes when the node returns.
    if (taint.key() != kUnreachableTaint) facts.taints.push_back(taint);
  }
  return facts;
}

std::string OwnerKeyOf(const v1::DaemonSet& daemon_set) {
  return DaemonSetReference(daemon_set.metadata());
}

NodeDaemonSetState StateOf(const v1::DaemonSet& daemon_set, const NodeView& view,
                           const PodIndex::PodsByNode& pods) {
  const v1::Node& node = *view.node;
  const std::string key = OwnerKeyOf(daemon_set);
  NodeDaemonSetState state;
  state.node_name = node.metadata().name();
  state.node_ready = NodeReady(node);
  if (view.assignments) {
    auto assigned = view.assignments->assignments().find(key);
    if (assigned != view.assignments->assignments().end()) state.assignment = assigned->second;
  }
  // The node decides; until it has seen the current state (a new
  // DaemonSet, new labels), the coordinator evaluates the same rules.
  const v1::Eligibility* reported = nullptr;
  if (view.report && view.report->desired_version() >= view.report->offered_version()) {
    for (const v1::Eligibility& eligibility : view.report->eligibility()) {
      if (eligibility.daemon_set() == key) reported = &eligibility;
    }
  }
  if (reported != nullptr) {
    state.eligible = reported->should_run();
    state.should_continue_running = reported->should_continue_running();
    state.reason = reported->reason();
  } else {
    const v1::PodTemplateSpec& pod = daemon_set.spec().template_();
    EligibilityDecision decision =
        EvaluateEligibility(pod.spec(), ToLabels(pod.metadata().labels()),
                            daemon_set.metadata().namespace_(), FactsOf(node));
    state.eligible = decision.should_run;
    state.should_continue_running = decision.should_continue_running;
    state.reason = decision.reason;
  }
  auto on_node = pods.find(state.node_name);
  if (on_node != pods.end()) state.pods = on_node->second;
  // A node the controller never assigned this DaemonSet runs the revision
  // of its pod (the agent hub offers it that one), or without a pod the
  // newest: an assignment is written only when a rollout moves the node,
  // as Kubernetes creates a missing pod from the current template and
  // replaces an existing one only within the update's budget.
  if (!state.assignment && !state.pods.empty()) {
    state.assignment.emplace().set_revision_hash(state.pods.front().revision_hash);
  }
  return state;
}

}  // namespace fleetset::coordinator
