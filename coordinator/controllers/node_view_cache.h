// The DaemonSet controller's join of every node with its NodeAssignments
// and NodeReport (both named after their node), kept from one pass to the
// next. The informers' handlers note which nodes changed; a pass reads
// those again and nothing else. Joining the three whole caches anew had
// cost every pass a fixed 10 ms of CPU at 10,000 nodes, as much as or more
// than computing the changed nodes' states, and the passes run back to
// back through a rollout.
#pragma once

#include <map>
#include <set>
#include <string>

#include "coordinator/controllers/changed_names.h"
#include "coordinator/controllers/node_states.h"
#include "coordinator/registry/informer.h"

namespace fleetset::coordinator {

class NodeViewCache {
 public:
  NodeViewCache(const Informer<v1::Node>& nodes, const Informer<v1::NodeAssignments>& assignments,
                const Informer<v1::NodeReport>& reports);

  // Any thread (the informers' handlers): one of the node's three objects
  // changed. Cheap; never blocks on a pass.
  void Changed(const std::string& node_name) { changed_.Note(node_name); }

  // The pass's thread only. Every node's view as the informers hold it
  // now, in name order; valid until the next Refresh.
  const std::map<std::string, NodeView>& Refresh();
  // The nodes that have NodeAssignments but no Node any more, as of the
  // last Refresh.
  const std::set<std::string>& AssignedButGone() const { return assigned_but_gone_; }

 private:
  void Rebuild();
  void Reread(const std::string& node_name);

  const Informer<v1::Node>& nodes_;
  const Informer<v1::NodeAssignments>& assignments_;
  const Informer<v1::NodeReport>& reports_;

  ChangedNames changed_;

  // The pass's thread only. Until the first Refresh every node is new.
  bool built_ = false;
  std::map<std::string, NodeView> views_;
  std::set<std::string> assigned_but_gone_;
};

}  // namespace fleetset::coordinator
