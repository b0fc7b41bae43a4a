// What the controllers know of one DaemonSet on every node, built from
// their caches: the node's own eligibility decision when its report is
// current (otherwise the coordinator evaluates the same rules), the
// assignment, and the pods there.
#pragma once

#include <memory>
#include <vector>

#include "coordinator/controllers/node_conditions.h"
#include "coordinator/controllers/node_daemon_set_state.h"
#include "coordinator/controllers/pod_index.h"
#include "fleetset/scheduling.h"
#include "fleetset/v1/daemonset.pb.h"
#include "fleetset/v1/node.pb.h"
#include "fleetset/v1/node_assignment.pb.h"
#include "fleetset/v1/node_report.pb.h"

namespace fleetset::coordinator {

// One node as the controllers see it.
struct NodeView {
  std::shared_ptr<const v1::Node> node;
  // Null when the controller has not assigned the node anything yet.
  std::shared_ptr<const v1::NodeAssignments> assignments;
  // Null before the node's agent reported since this coordinator started.
  std::shared_ptr<const v1::NodeReport> report;
};

// The node's labels and taints as its agent sees them: without the
// coordinator's own unreachable taints, which the agent never gets.
NodeFacts FactsOf(const v1::Node& node);

// "namespace/name": the key of a DaemonSet in assignments, reports and pods.
std::string OwnerKeyOf(const v1::DaemonSet& daemon_set);

NodeDaemonSetState StateOf(const v1::DaemonSet& daemon_set, const NodeView& node,
                           const PodIndex::PodsByNode& pods);

}  // namespace fleetset::coordinator
