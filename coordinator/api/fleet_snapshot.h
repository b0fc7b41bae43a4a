// The whole fleet as one DaemonSet's rollout sees it, read fresh from the
// registries (not from a controller's cache): for the verbs that answer
// with it (rollout status, explain), so a rollout just started never looks
// finished.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "coordinator/controllers/node_states.h"
#include "coordinator/controllers/pod_index.h"
#include "coordinator/registry/registries.h"

namespace fleetset::coordinator {

class FleetSnapshot {
 public:
  explicit FleetSnapshot(const Registries& registries);

  // The DaemonSet's state on every node (or on `node_name` only).
  std::vector<NodeDaemonSetState> StatesOf(const v1::DaemonSet& daemon_set,
                                           const std::string& node_name = "") const;
  bool HasNode(const std::string& node_name) const { return nodes_.count(node_name) != 0; }

 private:
  std::map<std::string, NodeView> nodes_;
  // owner -> node -> pods.
  std::map<std::string, PodIndex::PodsByNode> pods_;
};

}  // namespace fleetset::coordinator
