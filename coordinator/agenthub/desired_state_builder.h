// A node's desired state: its record (labels, taints, cordon) and, for
// every DaemonSet, the template of the revision the DaemonSet controller
// assigned it (the newest one while it has none).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "fleetset/v1/agent_service.pb.h"
#include "fleetset/v1/daemonset.pb.h"
#include "fleetset/v1/node.pb.h"
#include "fleetset/v1/node_assignment.pb.h"

namespace fleetset::coordinator {

struct DaemonSetRevisions {
  std::shared_ptr<const v1::DaemonSet> daemon_set;
  // Oldest first; the last is the newest.
  std::vector<v1::DaemonSetRevision> revisions;
};

// Without a version (the hub numbers what it offers). A DaemonSet whose
// first revision is not stored yet is left out until it is.
v1::DesiredState BuildDesiredState(const v1::Node& node, const v1::NodeAssignments* assignments,
                                   const std::vector<DaemonSetRevisions>& daemon_sets);

}  // namespace fleetset::coordinator
