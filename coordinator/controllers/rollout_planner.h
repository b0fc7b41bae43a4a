// Which revision each node runs: the fleet-wide half of a DaemonSet update.
// Agents replace pods on their own node (stop-first, or surge when told);
// the planner decides which nodes move to the newest revision next so that
// maxUnavailable and maxSurge hold across the fleet, as Kubernetes'
// DaemonSet controller does (rollingUpdate / OnDelete).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "coordinator/controllers/node_daemon_set_state.h"
#include "fleetset/v1/daemonset.pb.h"

namespace fleetset::coordinator {

// Kubernetes' intstr.GetScaledValueFromIntOrPercent: an int as is, "N%" of
// `total` rounded up or down. Malformed values give 0 (validation rejects
// them before they get here).
int ScaledValue(const v1::IntOrString& value, int total, bool round_up);

struct RolloutInput {
  v1::DaemonSetUpdateStrategy strategy;
  // Hash of the DaemonSet's current template.
  std::string newest_hash;
  int32_t min_ready_seconds = 0;
  WallTime now;
  std::vector<NodeDaemonSetState> nodes;
};

// New assignments for the nodes whose assignment must change (others are
// absent from the result). Rules:
// * A node that is not eligible, or has no pod of this DaemonSet, or was
//   never assigned, gets the newest revision at once (nothing to disrupt);
//   for one without an assignment nothing is written, as it is offered the
//   newest already (a node never assigned but running a pod has the pod's
//   revision as its assignment: see StateOf).
// * OnDelete: a node keeps its revision while its pod lives; only a node
//   without a pod gets the newest one.
// * RollingUpdate, maxSurge 0: maxUnavailable is scaled against the number
//   of eligible nodes (rounded up); when it and maxSurge both come to 0 it
//   is 1. A node is unavailable when it is not ready, has no pod, runs a
//   revision other than the one assigned, or its pod is not available
//   (ready for minReadySeconds). Nodes whose old pod is already
//   unavailable move at once; then nodes with an available old pod move,
//   in node-name order, while the unavailable count stays below
//   maxUnavailable. Assignment is {newest_hash, surge=false}.
// * RollingUpdate, maxSurge > 0 (scaled, rounded up): nodes with an
//   unavailable old pod move at once (surge=false); nodes with an
//   available old pod move with surge=true, in node-name order, while the
//   number of nodes assigned newest whose new pod is not yet available
//   stays below maxSurge.
// * An assignment's deleted_pod_uids are kept unless the assignment's
//   revision changes.
std::map<std::string, v1::NodeAssignment> PlanRollout(const RolloutInput& input);

}  // namespace fleetset::coordinator
