// Nodes as operators see and edit them: get/list/delete, labels, taints,
// cordon; and the Ready condition with its unreachable taints.

#include <algorithm>

#include "coordinator/api_errors.h"
#include "coordinator/fleet.h"
#include "coordinator/timestamps.h"
#include "fleetset/names.h"

namespace fleetset::coordinator {

namespace {

constexpr char kResource[] = "nodes";
constexpr char kUnreachableTaint[] = "node.kubernetes.io/unreachable";
constexpr char kUnschedulableTaint[] = "node.kubernetes.io/unschedulable";

bool IsValidEffect(const std::string& effect) {
  return effect == "NoSchedule" || effect == "PreferNoSchedule" || effect == "NoExecute";
}

void RemoveTaints(v1::Node& node, const std::string& key, const std::string& effect) {
  auto* taints = node.mutable_spec()->mutable_taints();
  taints->erase(std::remove_if(taints->begin(), taints->end(),
                               [&](const v1::Taint& taint) {
                                 return taint.key() == key &&
                                        (effect.empty() || taint.effect() == effect);
                               }),
                taints->end());
}

void AddTaint(v1::Node& node, const std::string& key, const std::string& effect,
              const google::protobuf::Timestamp& now) {
  RemoveTaints(node, key, effect);
  v1::Taint& taint = *node.mutable_spec()->add_taints();
  taint.set_key(key);
  taint.set_effect(effect);
  if (effect == "NoExecute") *taint.mutable_time_added() = now;
}

FieldErrors CheckLabel(const std::string& key, const std::string& value, bool with_value,
                       const std::string& path) {
  FieldErrors errors;
  for (const std::string& problem : CheckQualifiedName(key)) {
    errors.push_back({path, "Invalid value: \"" + key + "\": " + problem});
  }
  if (!with_value) return errors;
  for (const std::string& problem : CheckLabelValue(value)) {
    errors.push_back({KeyPath(path, key), "Invalid value: \"" + value + "\": " + problem});
  }
  return errors;
}

}  // namespace

bool Fleet::NodeReady(const v1::Node& node) {
  for (const v1::NodeCondition& condition : node.status().conditions()) {
    if (condition.type() == "Ready") return condition.status() == "True";
  }
  return false;
}

void Fleet::SetReadyCondition(v1::Node& node, bool ready) {
  const google::protobuf::Timestamp now = ToTimestamp(WallNow());
  v1::NodeCondition* condition = nullptr;
  for (v1::NodeCondition& existing : *node.mutable_status()->mutable_conditions()) {
    if (existing.type() == "Ready") condition = &existing;
  }
  if (condition == nullptr) {
    condition = node.mutable_status()->add_conditions();
    condition->set_type("Ready");
  }
  const std::string status = ready ? "True" : "Unknown";
  if (condition->status() != status) *condition->mutable_last_transition_time() = now;
  condition->set_status(status);
  *condition->mutable_last_heartbeat_time() = now;
  if (ready) {
    condition->set_reason("AgentReady");
    condition->set_message("fleetset-agent is posting ready status");
    RemoveTaints(node, kUnreachableTaint, "");
  } else {
    // What Kubernetes' node lifecycle controller does for a silent kubelet.
    condition->set_reason("NodeStatusUnknown");
    condition->set_message("Agent stopped posting node status.");
    AddTaint(node, kUnreachableTaint, "NoSchedule", now);
    AddTaint(node, kUnreachableTaint, "NoExecute", now);
  }
}

v1::Node Fleet::PublicNode(const NodeRecord& record) const {
  v1::Node node = record.stored.node();
  node.set_api_version("v1");
  node.set_kind("Node");
  if (record.contacted) {
    // Heartbeats are not written to the store; show the latest one.
    const auto since = clock_.Now() - record.last_contact;
    const auto heartbeat = ToTimestamp(
        WallNow() - std::chrono::duration_cast<std::chrono::system_clock::duration>(since));
    for (v1::NodeCondition& condition : *node.mutable_status()->mutable_conditions()) {
      if (condition.type() == "Ready") *condition.mutable_last_heartbeat_time() = heartbeat;
    }
  }
  return node;
}

grpc::Status Fleet::UpdateNode(const std::string& name,
                               const std::function<grpc::Status(v1::Node&)>& mutate,
                               v1::Node* result) {
  std::lock_guard lock(mu_);
  NodeRecord* record = FindNode(name);
  if (record == nullptr) return NotFound(kResource, name);
  v1::StoredNode updated = record->stored;
  if (grpc::Status status = mutate(*updated.mutable_node()); !status.ok()) return status;
  StoreChange change;
  change.put_nodes.push_back(updated);
  if (grpc::Status status = CommitLocked(change); !status.ok()) return status;
  record->stored = std::move(updated);
  record->desired_dirty = true;
  Wake();
  PublishNode("MODIFIED", *record);
  *result = PublicNode(*record);
  return grpc::Status::OK;
}

grpc::Status Fleet::GetNode(const std::string& name, v1::Node* node) {
  std::lock_guard lock(mu_);
  NodeRecord* record = FindNode(name);
  if (record == nullptr) return NotFound(kResource, name);
  *node = PublicNode(*record);
  return grpc::Status::OK;
}

grpc::Status Fleet::ListNodes(const v1::ListNodesRequest& request,
                              v1::ListNodesResponse* response) {
  std::string error;
  std::optional<StringSelector> selector = StringSelector::Parse(request.label_selector(), &error);
  if (!selector) return BadRequest("labelSelector: " + error);
  std::lock_guard lock(mu_);
  for (const auto& [name, record] : nodes_) {
    if (!selector->Matches(ToLabels(record.stored.node().metadata().labels()))) continue;
    *response->add_items() = PublicNode(record);
  }
  return grpc::Status::OK;
}

grpc::Status Fleet::DeleteNode(const std::string& name, v1::DeleteResponse* response) {
  std::lock_guard lock(mu_);
  NodeRecord* record = FindNode(name);
  if (record == nullptr) return NotFound(kResource, name);
  StoreChange change;
  change.delete_nodes.push_back(name);
  if (grpc::Status status = CommitLocked(change); !status.ok()) return status;
  // A running agent registers its node again, as a kubelet does.
  if (record->outbox) record->outbox->Close({grpc::StatusCode::NOT_FOUND, "node was deleted"});
  PublishNode("DELETED", *record);
  RecordEvent(MakeEvent("node/" + name, "Normal", "RemovingNode",
                        "Node " + name + " event: Removing Node " + name + " from Controller"));
  nodes_.erase(name);
  Wake();
  response->set_result("deleted");
  return grpc::Status::OK;
}

grpc::Status Fleet::LabelNode(const v1::LabelNodeRequest& request, v1::Node* result) {
  FieldErrors errors;
  for (const auto& [key, value] : request.set()) {
    FieldErrors found = CheckLabel(key, value, true, "metadata.labels");
    errors.insert(errors.end(), found.begin(), found.end());
  }
  for (const std::string& key : request.remove()) {
    FieldErrors found = CheckLabel(key, "", false, "metadata.labels");
    errors.insert(errors.end(), found.begin(), found.end());
  }
  if (!errors.empty()) return Invalid("Node", request.name(), errors);
  return UpdateNode(
      request.name(),
      [&](v1::Node& node) {
        auto& labels = *node.mutable_metadata()->mutable_labels();
        for (const auto& [key, value] : request.set()) {
          auto it = labels.find(key);
          if (it != labels.end() && it->second != value && !request.overwrite()) {
            return Conflict("'" + key + "' already has a value (" + it->second +
                            "), and --overwrite is false");
          }
        }
        for (const auto& [key, value] : request.set()) labels[key] = value;
        for (const std::string& key : request.remove()) labels.erase(key);
        return grpc::Status::OK;
      },
      result);
}

grpc::Status Fleet::TaintNode(const v1::TaintNodeRequest& request, v1::Node* result) {
  FieldErrors errors;
  for (int i = 0; i < request.add_size(); ++i) {
    const v1::Taint& taint = request.add(i);
    const std::string path = IndexPath("spec.taints", i);
    FieldErrors found = CheckLabel(taint.key(), taint.value(), true, ChildPath(path, "key"));
    errors.insert(errors.end(), found.begin(), found.end());
    if (!IsValidEffect(taint.effect())) {
      errors.push_back({ChildPath(path, "effect"),
                        "Unsupported value: \"" + taint.effect() +
                            "\": supported values: \"NoSchedule\", \"PreferNoSchedule\", "
                            "\"NoExecute\""});
    }
  }
  for (const v1::Taint& taint : request.remove()) {
    if (taint.key().empty()) errors.push_back({"spec.taints", "Required value: taint key"});
  }
  if (!errors.empty()) return Invalid("Node", request.name(), errors);
  return UpdateNode(
      request.name(),
      [&](v1::Node& node) {
        const auto now = ToTimestamp(WallNow());
        for (const v1::Taint& removed : request.remove()) {
          const int before = node.spec().taints_size();
          RemoveTaints(node, removed.key(), removed.effect());
          if (node.spec().taints_size() == before) {
            return Conflict("taint \"" + removed.key() +
                            (removed.effect().empty() ? "" : ":" + removed.effect()) +
                            "\" not found");
          }
        }
        for (const v1::Taint& added : request.add()) {
          for (const v1::Taint& existing : node.spec().taints()) {
            if (existing.key() == added.key() && existing.effect() == added.effect() &&
                !request.overwrite()) {
              return Conflict("node " + request.name() + " already has " + added.key() +
                              " taint(s) with same effect(s) and --overwrite is false");
            }
          }
          AddTaint(node, added.key(), added.effect(), now);
          node.mutable_spec()->mutable_taints()->rbegin()->set_value(added.value());
        }
        return grpc::Status::OK;
      },
      result);
}

grpc::Status Fleet::SetNodeSchedulable(const v1::SetNodeSchedulableRequest& request,
                                       v1::Node* result) {
  bool changed = false;
  grpc::Status status = UpdateNode(
      request.name(),
      [&](v1::Node& node) {
        changed = node.spec().unschedulable() != request.unschedulable();
        node.mutable_spec()->set_unschedulable(request.unschedulable());
        // As Kubernetes' TaintNodesByCondition; DaemonSet pods tolerate it.
        if (request.unschedulable()) {
          AddTaint(node, kUnschedulableTaint, "NoSchedule", ToTimestamp(WallNow()));
        } else {
          RemoveTaints(node, kUnschedulableTaint, "");
        }
        return grpc::Status::OK;
      },
      result);
  if (status.ok() && changed) {
    std::lock_guard lock(mu_);
    const std::string reason = request.unschedulable() ? "NodeNotSchedulable" : "NodeSchedulable";
    RecordEvent(MakeEvent("node/" + request.name(), "Normal", reason,
                          "Node " + request.name() + " status is now: " + reason));
  }
  return status;
}

}  // namespace fleetset::coordinator
