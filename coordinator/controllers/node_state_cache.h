// The DaemonSet controller's states of each DaemonSet on each node
// (NodeDaemonSetState), kept from one pass to the next. A state is
// computed again only when something it is computed from changed: the
// node's Node, NodeAssignments or NodeReport object (the informers replace
// an object on every change, so a different pointer is a change), the
// node's pods of the DaemonSet, or the DaemonSet's spec. In a rollout over
// thousands of nodes most of them change nothing between two passes, and
// building every state anew was most of a pass.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "coordinator/controllers/node_states.h"
#include "coordinator/controllers/pod_index.h"

namespace fleetset::coordinator {

class NodeStateCache {
 public:
  // The states of `daemon_set` (its key: `key`) on `nodes`, in their
  // order, for the pass to use and then hand back with Give.
  std::vector<NodeDaemonSetState> Take(const v1::DaemonSet& daemon_set, const std::string& key,
                                       const std::map<std::string, NodeView>& nodes,
                                       const PodIndex::PodsByNode& pods);
  // The states Take handed out, for the next pass. A pass that never
  // gives them back (it threw) costs the next one a full computation.
  void Give(const std::string& key, std::vector<NodeDaemonSetState> states);

  // The pods of DaemonSet `owner` on `node` changed (PodIndex::Drain).
  void PodsChanged(const std::string& owner, const std::string& node);
  // Forgets the DaemonSets whose keys are not in `live`.
  void Retain(const std::set<std::string>& live);
  // Forgets everything (while another coordinator leads, nothing here is
  // kept current).
  void Clear() { entries_.clear(); }

 private:
  struct Entry {
    std::string uid;
    int64_t generation = 0;
    // Parallel, in node order: what each state was computed from.
    std::vector<NodeView> sources;
    std::vector<NodeDaemonSetState> states;
    // Nodes whose pods changed since the states were computed.
    std::unordered_set<std::string> pods_changed;
  };

  std::map<std::string, Entry> entries_;
};

}  // namespace fleetset::coordinator
