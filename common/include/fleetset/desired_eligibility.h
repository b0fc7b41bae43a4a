// Eligibility as the agent protocol carries it. The agent decides for its
// node from the desired state it was offered, and the coordinator checks
// whether its controllers would reach the same decision on that state;
// both read the node and the DaemonSet's template out of the desired state
// the same way, here.
#pragma once

#include <string>
#include <vector>

#include "fleetset/scheduling.h"
#include "fleetset/v1/agent_service.pb.h"

namespace fleetset {

// The node as the coordinator's record of it (labels and taints) says.
NodeFacts NodeFactsOf(const std::string& node_name, const v1::NodeUpdate& node);

// EvaluateEligibility for the pod template of one offered DaemonSet.
EligibilityDecision EvaluateDesiredDaemonSet(const v1::DesiredDaemonSet& desired,
                                             const NodeFacts& node,
                                             const std::vector<PodOnNode>& other_pods = {});

// The decision on the DaemonSet `daemon_set_key` (namespace/name) as a node
// reports it.
v1::Eligibility ToEligibility(const std::string& daemon_set_key,
                              const EligibilityDecision& decision);

}  // namespace fleetset
