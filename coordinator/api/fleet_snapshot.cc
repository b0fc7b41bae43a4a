#include "coordinator/api/fleet_snapshot.h"

namespace fleetset::coordinator {

FleetSnapshot::FleetSnapshot(const Registries& registries) {
  for (v1::Node& node : registries.nodes.List().items) {
    const std::string name = node.metadata().name();
    nodes_[name].node = std::make_shared<const v1::Node>(std::move(node));
  }
  for (v1::NodeAssignments& assignments : registries.node_assignments.List().items) {
    auto it = nodes_.find(assignments.metadata().name());
    if (it == nodes_.end()) continue;
    it->second.assignments = std::make_shared<const v1::NodeAssignments>(std::move(assignments));
  }
  for (v1::NodeReport& report : registries.node_reports.List().items) {
    auto it = nodes_.find(report.metadata().name());
    if (it == nodes_.end()) continue;
    it->second.report = std::make_shared<const v1::NodeReport>(std::move(report));
  }
  for (const v1::Pod& pod : registries.pods.List().items) {
    if (!CountedPod(pod)) continue;
    pods_[pod.owner()][pod.node_name()].push_back(ToReportedPod(pod));
  }
}

std::vector<NodeDaemonSetState> FleetSnapshot::StatesOf(const v1::DaemonSet& daemon_set,
                                                        const std::string& node_name) const {
  static const PodIndex::PodsByNode kNone;
  auto owned = pods_.find(OwnerKeyOf(daemon_set));
  const PodIndex::PodsByNode& pods = owned == pods_.end() ? kNone : owned->second;
  std::vector<NodeDaemonSetState> states;
  for (const auto& [name, view] : nodes_) {
    if (!node_name.empty() && name != node_name) continue;
    states.push_back(StateOf(daemon_set, view, pods));
  }
  return states;
}

}  // namespace fleetset::coordinator
