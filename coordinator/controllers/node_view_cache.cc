#include "coordinator/controllers/node_view_cache.h"

#include <set>
#include <utility>

namespace fleetset::coordinator {

NodeViewCache::NodeViewCache(const Informer<v1::Node>& nodes,
                             const Informer<v1::NodeAssignments>& assignments,
                             const Informer<v1::NodeReport>& reports)
    : nodes_(nodes), assignments_(assignments), reports_(reports) {}

const std::map<std::string, NodeView>& NodeViewCache::Refresh() {
  const std::set<std::string> changed = changed_.Take();
  if (!built_) {
    Rebuild();
    built_ = true;
  } else {
    for (const std::string& name : changed) Reread(name);
  }
  return views_;
}

void NodeViewCache::Rebuild() {
  // Node assignments and reports are named after their node, and every
  // List is in name order: one walk joins the three, with neither a
  // lookup per node nor a search for each insert.
  const auto assignments = assignments_.List();
  const auto reports = reports_.List();
  auto assignment = assignments.begin();
  auto report = reports.begin();
  views_.clear();
  assigned_but_gone_.clear();
  for (auto& node : nodes_.List()) {
    const std::string& name = node->metadata().name();
    for (; assignment != assignments.end() && (*assignment)->metadata().name() < name;
         ++assignment) {
      assigned_but_gone_.insert((*assignment)->metadata().name());
    }
    while (report != reports.end() && (*report)->metadata().name() < name) ++report;
    NodeView& view = views_.emplace_hint(views_.end(), name, NodeView{})->second;
    if (assignment != assignments.end() && (*assignment)->metadata().name() == name) {
      view.assignments = *assignment++;
    }
    if (report != reports.end() && (*report)->metadata().name() == name) view.report = *report;
    view.node = std::move(node);
  }
  for (; assignment != assignments.end(); ++assignment) {
    assigned_but_gone_.insert((*assignment)->metadata().name());
  }
}

void NodeViewCache::Reread(const std::string& node_name) {
  std::shared_ptr<const v1::Node> node = nodes_.Get("", node_name);
  std::shared_ptr<const v1::NodeAssignments> assignments = assignments_.Get("", node_name);
  if (!node) {
    views_.erase(node_name);
    if (assignments) {
      assigned_but_gone_.insert(node_name);
    } else {
      assigned_but_gone_.erase(node_name);
    }
    return;
  }
  assigned_but_gone_.erase(node_name);
  NodeView& view = views_[node_name];
  view.node = std::move(node);
  view.assignments = std::move(assignments);
  view.report = reports_.Get("", node_name);
}

}  // namespace fleetset::coordinator
