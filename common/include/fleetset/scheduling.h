// Which nodes a DaemonSet's pod belongs on: nodeSelector, required node
// affinity, taints and tolerations, and required pod anti-affinity on
// kubernetes.io/hostname. Semantics follow the Kubernetes DaemonSet
// controller (NodeShouldRunDaemonPod) and the scheduler plugins it uses.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "fleetset/field_error.h"
#include "fleetset/labels.h"
#include "fleetset/node_labels.h"
#include "fleetset/v1/node.pb.h"
#include "fleetset/v1/pod.pb.h"

namespace fleetset {

// What the node side knows about itself.
struct NodeFacts {
  std::string name;
  Labels labels;
  std::vector<v1::Taint> taints;
};

// A pod already on the node (for pod anti-affinity).
struct PodOnNode {
  std::string namespace_;
  std::string name;
  Labels labels;
};

// --- Node affinity ------------------------------------------------------
// One requirement against node labels (In, NotIn, Exists, DoesNotExist,
// Gt, Lt; Gt/Lt compare integers and fail when the label is not one).
bool NodeSelectorRequirementMatches(const v1::NodeSelectorRequirement& requirement,
                                    const Labels& labels);
// A term: every matchExpression and every matchField (metadata.name only)
// ANDed. A term with no requirements matches nothing, as in Kubernetes.
bool NodeSelectorTermMatches(const v1::NodeSelectorTerm& term, const NodeFacts& node);
// Terms ORed.
bool NodeSelectorMatches(const v1::NodeSelector& selector, const NodeFacts& node);
// Why no term matches, naming each term's first failing requirement
// ("no term matches (term 0: kubernetes.io/arch In [arm64] failed: node has
// kubernetes.io/arch=amd64)"); nullopt when a term matches.
std::optional<std::string> ExplainNodeSelectorMismatch(const v1::NodeSelector& selector,
                                                       const NodeFacts& node);
// Why `labels` do not satisfy a nodeSelector map ("label logger=fluentd is
// missing", "node has logger=other"; several joined by "; "); nullopt when
// every pair is present.
std::optional<std::string> ExplainNodeSelectorMapMismatch(
    const google::protobuf::Map<std::string, std::string>& node_selector, const Labels& labels);

// --- Taints and tolerations --------------------------------------------
// Kubernetes' Toleration.ToleratesTaint: effect empty matches every effect;
// operator Exists (with empty key: every taint) or Equal (default) with
// equal value.
bool ToleratesTaint(const v1::Toleration& toleration, const v1::Taint& taint);
bool TaintToleratedBy(const v1::Taint& taint, const std::vector<v1::Toleration>& tolerations);
// The first toleration that tolerates `taint`, or nullptr. Kubernetes' taint
// manager takes tolerationSeconds from this one only.
const v1::Toleration* FindToleration(const v1::Taint& taint,
                                     const std::vector<v1::Toleration>& tolerations);
// "key=value:Effect", or "key:Effect" when the value is empty.
std::string FormatTaint(const v1::Taint& taint);
// Parses kubectl's "key=value:Effect", "key:Effect"; nullopt and *error on
// bad input (names the part that is wrong).
std::optional<v1::Taint> ParseTaint(std::string_view text, std::string* error = nullptr);

// The tolerations Kubernetes adds to every DaemonSet pod
// (not-ready/unreachable NoExecute, disk/memory/pid-pressure and
// unschedulable NoSchedule, network-unavailable NoSchedule with
// hostNetwork). As Kubernetes' AddOrUpdateTolerationInPodSpec: a spec
// toleration with the same key, operator, value and effect is replaced by
// the default (so a tolerationSeconds on it is dropped); none is duplicated.
void AddDaemonSetDefaultTolerations(v1::PodSpec* spec);

// --- The decision -------------------------------------------------------
struct EligibilityDecision {
  // Whether a new pod should be started on this node.
  bool should_run = false;
  // Whether a pod already running here may stay (false when the node no
  // longer matches selector/affinity or has an untolerated NoExecute taint).
  bool should_continue_running = false;
  // When should_continue_running and a tolerated NoExecute taint has
  // tolerationSeconds: the smallest of them; the pod is evicted after it.
  std::optional<int64_t> evict_after_seconds;
  // Human-readable why, e.g. "node has taint
  // node-role.kubernetes.io/master:NoSchedule that the pod does not tolerate";
  // for an eligible node "node matches the pod's selector, affinity and tolerations".
  std::string reason;
};

// Decides for the pod template of a DaemonSet in `pod_namespace` on `node`.
// The DaemonSet default tolerations are applied first. `other_pods` are the
// pods on the node that do not belong to this DaemonSet.
EligibilityDecision EvaluateEligibility(const v1::PodSpec& spec, const Labels& pod_labels,
                                        const std::string& pod_namespace, const NodeFacts& node,
                                        const std::vector<PodOnNode>& other_pods = {});

}  // namespace fleetset
