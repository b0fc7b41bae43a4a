// Whether a DaemonSet's pod belongs on a node: Kubernetes' DaemonSet
// controller (NodeShouldRunDaemonPod) checks nodeName, then nodeSelector
// and required node affinity, then NoSchedule/NoExecute taints; the
// required pod (anti-)affinity the scheduler would check comes last.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "fleetset/scheduling.h"
#include "fleetset/taint_effect.h"

namespace fleetset {
namespace {

constexpr char kEligible[] = "node matches the pod's selector, affinity and tolerations";

// A pod (anti-)affinity term is about pods in a topology domain. A node
// agent sees only its own node, so the domain is this node: for
// kubernetes.io/hostname by definition (even if the label was not
// reported), for any other key when the node carries that label. A node
// without the label is in no domain at all.
bool NodeInTopologyDomain(const v1::PodAffinityTerm& term, const NodeFacts& node) {
  if (term.topology_key() == kLabelHostname) return true;
  return !term.topology_key().empty() && node.labels.contains(term.topology_key());
}

// Kubernetes' namespace rule: the listed namespaces plus those the
// namespaceSelector matches; neither given means the pod's own namespace.
// Namespace labels are not known on the node, so the selector is evaluated
// against an unlabelled namespace: `{}` matches every namespace, as in
// Kubernetes, and a selector that needs labels matches none.
bool TermCoversNamespace(const v1::PodAffinityTerm& term, const std::string& pod_namespace,
                         const std::string& candidate) {
  if (term.namespaces().empty() && !term.has_namespace_selector()) {
    return candidate == pod_namespace;
  }
  const auto& listed = term.namespaces();
  if (std::find(listed.begin(), listed.end(), candidate) != listed.end()) return true;
  return term.has_namespace_selector() && SelectorMatches(term.namespace_selector(), Labels{});
}

// The first pod that the term selects; a term without a labelSelector
// selects nothing, as a nil selector does in Kubernetes.
const PodOnNode* FindSelectedPod(const v1::PodAffinityTerm& term, const std::string& pod_namespace,
                                 const std::vector<PodOnNode>& pods) {
  if (!term.has_label_selector()) return nullptr;
  for (const PodOnNode& pod : pods) {
    if (TermCoversNamespace(term, pod_namespace, pod.namespace_) &&
        SelectorMatches(term.label_selector(), pod.labels)) {
      return &pod;
    }
  }
  return nullptr;
}

std::optional<std::string> PodAffinityFailure(const v1::PodSpec& spec,
                                              const std::string& pod_namespace,
                                              const NodeFacts& node,
                                              const std::vector<PodOnNode>& pods) {
  if (!spec.has_affinity()) return std::nullopt;
  const std::string topology = " (topologyKey ";
  for (const auto& term :
       spec.affinity().pod_anti_affinity().required_during_scheduling_ignored_during_execution()) {
    if (!NodeInTopologyDomain(term, node)) continue;
    if (const PodOnNode* pod = FindSelectedPod(term, pod_namespace, pods)) {
      return "pod anti-affinity: node runs pod " + pod->namespace_ + "/" + pod->name +
             " that matches the term's labelSelector" + topology + term.topology_key() + ")";
    }
  }
  for (const auto& term :
       spec.affinity().pod_affinity().required_during_scheduling_ignored_during_execution()) {
    if (!NodeInTopologyDomain(term, node)) {
      return "pod affinity: node has no label " + term.topology_key() + " for the term's" +
             " topologyKey";
    }
    if (FindSelectedPod(term, pod_namespace, pods) == nullptr) {
      return "pod affinity: node runs no pod that matches the term's labelSelector" + topology +
             term.topology_key() + ")";
    }
  }
  return std::nullopt;
}

std::optional<std::string> NodeMatchFailure(const v1::PodSpec& spec, const NodeFacts& node) {
  if (!spec.node_name().empty() && spec.node_name() != node.name) {
    return "pod spec.nodeName is " + spec.node_name() + ", not this node (" + node.name + ")";
  }
  if (auto why = ExplainNodeSelectorMapMismatch(spec.node_selector(), node.labels)) {
    return "node does not match nodeSelector: " + *why;
  }
  const v1::NodeAffinity& affinity = spec.affinity().node_affinity();
  if (affinity.has_required_during_scheduling_ignored_during_execution()) {
    if (auto why = ExplainNodeSelectorMismatch(
            affinity.required_during_scheduling_ignored_during_execution(), node)) {
      return "node does not match required node affinity: " + *why;
    }
  }
  return std::nullopt;
}

// NoExecute taints evict even running pods, so name those first.
std::string UntoleratedTaintsReason(const std::vector<const v1::Taint*>& taints) {
  std::vector<const v1::Taint*> ordered = taints;
  std::stable_partition(ordered.begin(), ordered.end(),
                        [](const v1::Taint* t) { return t->effect() == kTaintEffectNoExecute; });
  std::string names;
  for (const v1::Taint* taint : ordered) names += (names.empty() ? "" : ", ") + FormatTaint(*taint);
  return std::string(ordered.size() == 1 ? "node has taint " : "node has taints ") + names +
         " that the pod does not tolerate";
}

// The taint manager evicts after the smallest tolerationSeconds among the
// tolerations that tolerate NoExecute taints (the first matching toleration
// per taint, as Kubernetes' GetMatchingTolerations picks); negative means now.
std::optional<int64_t> EvictAfterSeconds(const NodeFacts& node,
                                         const std::vector<v1::Toleration>& tolerations) {
  std::optional<int64_t> soonest;
  for (const v1::Taint& taint : node.taints) {
    if (taint.effect() != kTaintEffectNoExecute) continue;
    const v1::Toleration* toleration = FindToleration(taint, tolerations);
    if (toleration == nullptr || !toleration->has_toleration_seconds()) continue;
    const int64_t seconds = std::max<int64_t>(0, toleration->toleration_seconds());
    soonest = soonest ? std::min(*soonest, seconds) : seconds;
  }
  return soonest;
}

}  // namespace

// The pod's own labels play no part: the DaemonSet's own pods are never in
// other_pods, and on one node there is no cluster-wide "first pod of its
// group" exception for pod affinity to apply.
EligibilityDecision EvaluateEligibility(const v1::PodSpec& spec, const Labels& /*pod_labels*/,
                                        const std::string& pod_namespace, const NodeFacts& node,
                                        const std::vector<PodOnNode>& other_pods) {
  EligibilityDecision decision;
  if (auto why = NodeMatchFailure(spec, node)) {
    decision.reason = std::move(*why);
    return decision;
  }

  v1::PodSpec with_defaults = spec;
  AddDaemonSetDefaultTolerations(&with_defaults);
  const std::vector<v1::Toleration> tolerations(with_defaults.tolerations().begin(),
                                                with_defaults.tolerations().end());
  std::vector<const v1::Taint*> untolerated;
  bool untolerated_no_execute = false;
  for (const v1::Taint& taint : node.taints) {
    const bool blocks =
        taint.effect() == kTaintEffectNoSchedule || taint.effect() == kTaintEffectNoExecute;
    if (!blocks || TaintToleratedBy(taint, tolerations)) continue;
    untolerated.push_back(&taint);
    untolerated_no_execute = untolerated_no_execute || taint.effect() == kTaintEffectNoExecute;
  }

  // Both a NoSchedule taint and pod (anti-)affinity only bar new pods;
  // a pod already running stays unless a NoExecute taint evicts it.
  decision.should_continue_running = !untolerated_no_execute;
  if (decision.should_continue_running) {
    decision.evict_after_seconds = EvictAfterSeconds(node, tolerations);
  }
  if (!untolerated.empty()) {
    decision.reason = UntoleratedTaintsReason(untolerated);
  } else if (auto why = PodAffinityFailure(spec, pod_namespace, node, other_pods)) {
    decision.reason = std::move(*why);
  } else {
    decision.should_run = true;
    decision.reason = kEligible;
  }
  return decision;
}

}  // namespace fleetset
