#include "coordinator/fleet.h"

namespace fleetset::coordinator {

FleetCounts Fleet::Counts() const {
  std::lock_guard lock(mu_);
  FleetCounts counts;
  for (const auto& [name, node] : nodes_) {
    if (node.outbox != nullptr) ++counts.connected_agents;
    if (NodeReady(node.stored.node())) {
      ++counts.nodes_ready;
    } else {
      ++counts.nodes_not_ready;
    }
  }
  counts.daemon_sets.reserve(daemon_sets_.size());
  for (const auto& [key, record] : daemon_sets_) {
    counts.daemon_sets.push_back({key.namespace_, key.name, record.status});
  }
  return counts;
}

}  // namespace fleetset::coordinator
