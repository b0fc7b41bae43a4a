// A node's desired state: its record (labels, taints, cordon); for every
// DaemonSet, the template of the revision the DaemonSet controller assigned
// it (the newest one while it has none) with the priority its pods get;
// and the ConfigMaps and Secrets those pods reference, but only for the
// DaemonSets the node may run (the Node authorizer's rule: a node reads
// what its own pods need and nothing else).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "fleetset/pod_references.h"
#include "fleetset/v1/agent_service.pb.h"
#include "fleetset/v1/config.pb.h"
#include "fleetset/v1/daemonset.pb.h"
#include "fleetset/v1/node.pb.h"
#include "fleetset/v1/node_assignment.pb.h"
#include "fleetset/v1/node_report.pb.h"

namespace fleetset::coordinator {

struct DaemonSetRevisions {
  std::shared_ptr<const v1::DaemonSet> daemon_set;
  // Oldest first; the last is the newest.
  std::vector<v1::DaemonSetRevision> revisions;
};

// The objects pods may reference, as the coordinator's caches hold them.
struct PodObjectCatalog {
  std::function<std::shared_ptr<const v1::ConfigMap>(const std::string& namespace_,
                                                     const std::string& name)>
      config_map;
  std::function<std::shared_ptr<const v1::Secret>(const std::string& namespace_,
                                                  const std::string& name)>
      secret;
  std::vector<std::shared_ptr<const v1::PriorityClass>> priority_classes;
};

// What the coordinator knows of the node besides its record.
struct NodeInputs {
  // Null when the controller has not assigned the node anything yet.
  const v1::NodeAssignments* assignments = nullptr;
  // The node's latest eligibility decisions; null before its first report.
  const v1::NodeReport* report = nullptr;
  // DaemonSet ("namespace/name") -> the revision hash of the node's pod
  // of it, as last reported: what a DaemonSet the node was never assigned
  // stays on (the controller writes an assignment when a rollout moves the
  // node). Null or missing: the newest.
  const std::map<std::string, std::string>* running = nullptr;
};

// The revision of one DaemonSet a node is to run, and the assignment it
// came with: the revision the controller assigned the node, else that of
// the node's pod of it; the newest when neither names a revision the
// DaemonSet still has (a new node, a new DaemonSet), without surge.
struct NodeRevision {
  const v1::DaemonSetRevision* revision = nullptr;
  v1::NodeAssignment assignment;
};
// `entry` has at least one revision.
NodeRevision ResolveNodeRevision(const DaemonSetRevisions& entry, const NodeInputs& inputs);

// Whether `offered` gives the node another revision of `entry`'s DaemonSet
// (or none) than the node resolves to now: what a changed ControllerRevision
// can change in a node's state, and all it can.
bool OffersOtherRevision(const v1::DesiredState& offered, const DaemonSetRevisions& entry,
                         const NodeInputs& inputs);

// ConfigMaps and Secrets by namespace.
using ObjectNames = std::map<std::string, PodReferences>;

// Whether a revision of `daemon_sets` references any of `objects`: only
// then can their changes reach a node's state (BuildDesiredState gives a
// node a subset of what the revisions reference).
bool ReferencesAny(const std::vector<DaemonSetRevisions>& daemon_sets, const ObjectNames& objects);

// Without a version (the hub numbers what it offers). A DaemonSet whose
// first revision is not stored yet is left out until it is.
v1::DesiredState BuildDesiredState(const v1::Node& node, const NodeInputs& inputs,
                                   const std::vector<DaemonSetRevisions>& daemon_sets,
                                   const PodObjectCatalog& catalog);

}  // namespace fleetset::coordinator
