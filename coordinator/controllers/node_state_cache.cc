#include "coordinator/controllers/node_state_cache.h"

namespace fleetset::coordinator {
namespace {

bool SameSources(const NodeView& a, const NodeView& b) {
  return a.node == b.node && a.assignments == b.assignments && a.report == b.report;
}

}  // namespace

std::vector<NodeDaemonSetState> NodeStateCache::Take(const v1::DaemonSet& daemon_set,
                                                     const std::string& key,
                                                     const std::map<std::string, NodeView>& nodes,
                                                     const PodIndex::PodsByNode& pods) {
  Entry& entry = entries_[key];
  const v1::ObjectMeta& meta = daemon_set.metadata();
  // Kept states line up with `nodes` only when the spec and the node list
  // are what they were computed for.
  const bool reusable = entry.uid == meta.uid() && entry.generation == meta.generation() &&
                        entry.states.size() == nodes.size() && entry.sources.size() == nodes.size();
  std::vector<NodeDaemonSetState> states;
  if (reusable) {
    // Updated in place: a pass changes few of thousands of states, and
    // copying them all into fresh vectors each pass cost more than that.
    states = std::move(entry.states);
    size_t i = 0;
    for (const auto& [name, view] : nodes) {
      // The same Node object is the same node: a node list that changed
      // shifts the others off their places.
      NodeView& source = entry.sources[i];
      if (!SameSources(source, view) || entry.pods_changed.contains(name)) {
        states[i] = StateOf(daemon_set, view, pods);
        source = view;
      }
      ++i;
    }
  } else {
    entry.sources.clear();
    entry.sources.reserve(nodes.size());
    states.reserve(nodes.size());
    for (const auto& [name, view] : nodes) {
      states.push_back(StateOf(daemon_set, view, pods));
      entry.sources.push_back(view);
    }
  }
  entry.uid = meta.uid();
  entry.generation = meta.generation();
  entry.states.clear();
  entry.pods_changed.clear();
  return states;
}

void NodeStateCache::Give(const std::string& key, std::vector<NodeDaemonSetState> states) {
  auto it = entries_.find(key);
  if (it != entries_.end()) it->second.states = std::move(states);
}

void NodeStateCache::PodsChanged(const std::string& owner, const std::string& node) {
  auto it = entries_.find(owner);
  if (it != entries_.end()) it->second.pods_changed.insert(node);
}

void NodeStateCache::Retain(const std::set<std::string>& live) {
  std::erase_if(entries_, [&](const auto& entry) { return !live.contains(entry.first); });
}

}  // namespace fleetset::coordinator
