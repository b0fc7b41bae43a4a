#include "coordinator/api/pod_api.h"

namespace fleetset::coordinator {

ObjectList<v1::Pod> PodApi::List(const Caller&, ListOptions options, const std::string& node_name) {
  if (!node_name.empty()) {
    const std::string by_node = "spec.nodeName=" + node_name;
    options.field_selector =
        options.field_selector.empty() ? by_node : options.field_selector + "," + by_node;
  }
  return registries_.pods.List(options);
}

void PodApi::Delete(const Caller& caller, const std::string& namespace_, const std::string& name) {
  ListOptions options;
  options.namespace_ = NamespaceOrDefault(namespace_);
  options.field_selector = "metadata.name=" + name;
  const std::vector<v1::Pod> pods = registries_.pods.List(options).items;
  if (pods.empty()) throw ApiError::NotFound("pods", name);
  const v1::Pod& pod = pods.front();
  if (pod.static_pod() || pod.owner().empty()) {
    throw ApiError::Precondition(
        "pod \"" + name + "\" is a static pod of node " + pod.node_name() +
        "; remove its manifest from that node's manifest directory instead");
  }
  auto ask_replacement = [&](v1::NodeAssignments& assignments) {
    v1::NodeAssignment& assignment = (*assignments.mutable_assignments())[pod.owner()];
    if (assignment.revision_hash().empty()) assignment.set_revision_hash(pod.revision_hash());
    *assignment.add_deleted_pod_uids() = pod.metadata().uid();
  };
  auto& assignments = registries_.node_assignments;
  if (assignments.Find("", pod.node_name())) {
    assignments.GuaranteedUpdate(caller, "", pod.node_name(), ask_replacement);
    return;
  }
  v1::NodeAssignments created;
  created.mutable_metadata()->set_name(pod.node_name());
  ask_replacement(created);
  assignments.Create(caller, std::move(created));
}

}  // namespace fleetset::coordinator
