// Pods (as agents report them), placement explanations and events.
#include <google/protobuf/util/message_differencer.h>

#include "coordinator/api_errors.h"
#include "coordinator/fleet.h"

namespace fleetset::coordinator {

namespace {

using google::protobuf::util::MessageDifferencer;

std::map<std::string, const v1::Pod*> PodsByUid(const v1::StatusReport& report) {
  std::map<std::string, const v1::Pod*> pods;
  for (const v1::Pod& pod : report.pods()) pods[pod.metadata().uid()] = &pod;
  return pods;
}

const v1::Eligibility* FindEligibility(const v1::StatusReport& report, const std::string& key) {
  for (const v1::Eligibility& eligibility : report.eligibility()) {
    if (eligibility.daemon_set() == key) return &eligibility;
  }
  return nullptr;
}

v1::Pod PublicPod(const v1::Pod& reported, const std::string& node_name) {
  v1::Pod pod = reported;
  pod.set_api_version("v1");
  pod.set_kind("Pod");
  if (pod.node_name().empty()) pod.set_node_name(node_name);
  return pod;
}

}  // namespace

void Fleet::RecordPodChanges(const NodeRecord& node, const v1::StatusReport& before,
                             const v1::StatusReport& after) {
  const std::string& node_name = node.stored.node().metadata().name();
  const auto old_pods = PodsByUid(before);
  const auto new_pods = PodsByUid(after);
  for (const auto& [uid, pod] : new_pods) {
    auto old = old_pods.find(uid);
    if (old == old_pods.end()) {
      if (!pod->owner().empty()) {
        RecordEvent(MakeEvent("daemonset/" + pod->owner(), "Normal", "SuccessfulCreate",
                              "Created pod: " + pod->metadata().name() + " on node " + node_name));
      }
      PublishPod("ADDED", PublicPod(*pod, node_name));
    } else if (!MessageDifferencer::Equals(*old->second, *pod)) {
      PublishPod("MODIFIED", PublicPod(*pod, node_name));
    }
  }
  for (const auto& [uid, pod] : old_pods) {
    if (new_pods.count(uid) != 0) continue;
    if (!pod->owner().empty()) {
      // A pod that had to leave (an untolerated NoExecute taint, a label
      // that no longer matches) was evicted; otherwise it was replaced.
      const v1::Eligibility* eligibility = FindEligibility(after, pod->owner());
      if (eligibility != nullptr && !eligibility->should_continue_running()) {
        RecordEvent(MakeEvent("daemonset/" + pod->owner(), "Normal", "Evicted",
                              "Evicted pod: " + pod->metadata().name() + " from node " + node_name +
                                  ": " + eligibility->reason()));
      } else {
        RecordEvent(MakeEvent("daemonset/" + pod->owner(), "Normal", "SuccessfulDelete",
                              "Deleted pod: " + pod->metadata().name() + " on node " + node_name));
      }
    }
    PublishPod("DELETED", PublicPod(*pod, node_name));
  }
}

grpc::Status Fleet::ListPods(const v1::ListPodsRequest& request, v1::ListPodsResponse* response) {
  std::string error;
  std::optional<StringSelector> selector = StringSelector::Parse(request.label_selector(), &error);
  if (!selector) return BadRequest("labelSelector: " + error);
  const std::string namespace_ = NamespaceOrDefault(request.namespace_());
  std::lock_guard lock(mu_);
  for (const auto& [name, node] : nodes_) {
    if (!node.report) continue;
    if (!request.node_name().empty() && request.node_name() != name) continue;
    for (const v1::Pod& pod : node.report->pods()) {
      if (!request.all_namespaces() && pod.metadata().namespace_() != namespace_) continue;
      if (!selector->Matches(ToLabels(pod.metadata().labels()))) continue;
      *response->add_items() = PublicPod(pod, name);
    }
  }
  return grpc::Status::OK;
}

grpc::Status Fleet::DeletePod(const v1::DeletePodRequest& request, v1::DeleteResponse* response) {
  const std::string namespace_ = NamespaceOrDefault(request.namespace_());
  std::lock_guard lock(mu_);
  for (auto& [node_name, node] : nodes_) {
    if (!node.report) continue;
    for (const v1::Pod& pod : node.report->pods()) {
      if (pod.metadata().name() != request.name() || pod.metadata().namespace_() != namespace_) {
        continue;
      }
      if (pod.static_pod() || pod.owner().empty()) {
        return {grpc::StatusCode::FAILED_PRECONDITION,
                "pod \"" + request.name() + "\" is a static pod of node " + node_name +
                    "; remove its manifest from that node's manifest directory instead"};
      }
      v1::StoredNode updated = node.stored;
      v1::NodeAssignment& assignment = (*updated.mutable_assignments())[pod.owner()];
      if (assignment.revision_hash().empty()) assignment.set_revision_hash(pod.revision_hash());
      *assignment.add_deleted_pod_uids() = pod.metadata().uid();
      StoreChange change;
      change.put_nodes.push_back(updated);
      if (grpc::Status status = CommitLocked(change); !status.ok()) return status;
      node.stored = std::move(updated);
      node.desired_dirty = true;
      Wake();
      response->set_result("deleted");
      return grpc::Status::OK;
    }
  }
  return NotFound("pods", request.name());
}

grpc::Status Fleet::ExplainPlacement(const v1::ExplainPlacementRequest& request,
                                     v1::ExplainPlacementResponse* response) {
  std::lock_guard lock(mu_);
  const DaemonSetKey key = DaemonSetKey::From(request.key());
  DaemonSetRecord* daemon_set = FindDaemonSet(key);
  if (daemon_set == nullptr) return NotFound("daemonsets.apps", key.name);
  if (!request.node_name().empty() && FindNode(request.node_name()) == nullptr) {
    return NotFound("nodes", request.node_name());
  }
  for (const auto& [name, node] : nodes_) {
    if (!request.node_name().empty() && request.node_name() != name) continue;
    NodeDaemonSetState state = StateOf(*daemon_set, node);
    auto& placement = *response->add_nodes();
    placement.set_node_name(name);
    v1::Eligibility& eligibility = *placement.mutable_eligibility();
    eligibility.set_daemon_set(key.ToString());
    eligibility.set_should_run(state.eligible);
    eligibility.set_should_continue_running(state.should_continue_running);
    eligibility.set_reason(state.node_ready ? state.reason
                                            : "node is not ready (its agent is out of contact); " +
                                                  state.reason);
    if (!state.pods.empty()) placement.set_pod_name(state.pods.back().name);
  }
  return grpc::Status::OK;
}

grpc::Status Fleet::ListEvents(const v1::ListEventsRequest& request,
                               v1::ListEventsResponse* response) {
  if (request.limit() < 0) return BadRequest("limit: must be non-negative");
  std::lock_guard lock(mu_);
  std::vector<const v1::Event*> matching;
  for (const v1::Event& event : events_) {
    if (request.involved_object().empty() || event.involved_object() == request.involved_object()) {
      matching.push_back(&event);
    }
  }
  size_t first = 0;
  if (request.limit() > 0 && matching.size() > static_cast<size_t>(request.limit())) {
    first = matching.size() - static_cast<size_t>(request.limit());
  }
  for (size_t i = first; i < matching.size(); ++i) *response->add_items() = *matching[i];
  return grpc::Status::OK;
}

}  // namespace fleetset::coordinator
