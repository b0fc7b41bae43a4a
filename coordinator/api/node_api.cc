#include "coordinator/api/node_api.h"

#include <algorithm>

#include "coordinator/api/certificate_records.h"
#include "coordinator/registry/kinds/kinds.h"
#include "coordinator/repeated_fields.h"
#include "coordinator/timestamps.h"
#include "fleetset/names.h"
#include "fleetset/taint_effect.h"

namespace fleetset::coordinator {

namespace {

constexpr char kUnschedulableTaint[] = "node.kubernetes.io/unschedulable";

void RemoveTaints(v1::Node& node, const std::string& key, const std::string& effect) {
  EraseIf(*node.mutable_spec()->mutable_taints(), [&](const v1::Taint& taint) {
    return taint.key() == key && (effect.empty() || taint.effect() == effect);
  });
}

v1::Taint& AddTaint(v1::Node& node, const std::string& key, const std::string& effect,
                    const google::protobuf::Timestamp& now) {
  RemoveTaints(node, key, effect);
  v1::Taint& taint = *node.mutable_spec()->add_taints();
  taint.set_key(key);
  taint.set_effect(effect);
  if (effect == kTaintEffectNoExecute) *taint.mutable_time_added() = now;
  return taint;
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

void Append(FieldErrors& errors, const FieldErrors& more) {
  errors.insert(errors.end(), more.begin(), more.end());
}

}  // namespace

v1::Node NodeApi::WithHeartbeat(v1::Node node) const {
  std::optional<v1::Lease> lease =
      registries_.leases.Find(kNodeLeaseNamespace, node.metadata().name());
  if (!lease) return node;
  for (v1::NodeCondition& condition : *node.mutable_status()->mutable_conditions()) {
    if (condition.type() == "Ready" && condition.status() == "True") {
      *condition.mutable_last_heartbeat_time() = lease->spec().renew_time();
    }
  }
  return node;
}

v1::Node NodeApi::Get(const Caller&, const std::string& name) {
  return WithHeartbeat(registries_.nodes.Get("", name));
}

ObjectList<v1::Node> NodeApi::List(const Caller&, const ListOptions& options) {
  ObjectList<v1::Node> nodes = registries_.nodes.List(options);
  for (v1::Node& node : nodes.items) node = WithHeartbeat(std::move(node));
  return nodes;
}

void NodeApi::Delete(const Caller& caller, const std::string& name) {
  registries_.nodes.Delete(caller, "", name);
  // The agent hub closes the node's stream and forgets what it reported.
  // Its certificates go too: the node must join again with a token.
  RevokeCertificatesOf(registries_.certificates, caller, kSubjectNode, name,
                       "node deleted by " + caller.name, clock_.WallNow());
  events_.Record(
      "node/" + name, "Normal", "RemovingNode",
      "Node " + name + " event: Removing Node " + name + " from Controller" + ByCaller(caller));
}

v1::Node NodeApi::Label(const Caller& caller, const std::string& name,
                        const std::map<std::string, std::string>& set,
                        const std::vector<std::string>& remove, bool overwrite) {
  FieldErrors errors;
  for (const auto& [key, value] : set)
    Append(errors, CheckLabel(key, value, true, "metadata.labels"));
  for (const std::string& key : remove)
    Append(errors, CheckLabel(key, "", false, "metadata.labels"));
  if (!errors.empty()) throw ApiError::Invalid("Node", name, errors);
  return WithHeartbeat(registries_.nodes.GuaranteedUpdate(caller, "", name, [&](v1::Node& node) {
    auto& labels = *node.mutable_metadata()->mutable_labels();
    for (const auto& [key, value] : set) {
      auto it = labels.find(key);
      if (it != labels.end() && it->second != value && !overwrite) {
        throw ApiError::Precondition("'" + key + "' already has a value (" + it->second +
                                     "), and --overwrite is false");
      }
    }
    for (const auto& [key, value] : set) labels[key] = value;
    for (const std::string& key : remove) labels.erase(key);
  }));
}

v1::Node NodeApi::Taint(const Caller& caller, const std::string& name,
                        const std::vector<v1::Taint>& add, const std::vector<v1::Taint>& remove,
                        bool overwrite) {
  FieldErrors errors;
  for (size_t i = 0; i < add.size(); ++i) {
    const v1::Taint& taint = add[i];
    const std::string path = IndexPath("spec.taints", i);
    Append(errors, CheckLabel(taint.key(), taint.value(), true, ChildPath(path, "key")));
    if (auto error = CheckTaintEffect(ChildPath(path, "effect"), taint.effect())) {
      errors.push_back(*error);
    }
  }
  for (const v1::Taint& taint : remove) {
    if (taint.key().empty()) errors.push_back({"spec.taints", "Required value: taint key"});
  }
  if (!errors.empty()) throw ApiError::Invalid("Node", name, errors);
  const auto now = ToTimestamp(clock_.WallNow());
  return WithHeartbeat(registries_.nodes.GuaranteedUpdate(caller, "", name, [&](v1::Node& node) {
    for (const v1::Taint& removed : remove) {
      const int before = node.spec().taints_size();
      RemoveTaints(node, removed.key(), removed.effect());
      if (node.spec().taints_size() == before) {
        throw ApiError::Precondition("taint \"" + removed.key() +
                                     (removed.effect().empty() ? "" : ":" + removed.effect()) +
                                     "\" not found");
      }
    }
    for (const v1::Taint& added : add) {
      for (const v1::Taint& existing : node.spec().taints()) {
        if (existing.key() == added.key() && existing.effect() == added.effect() && !overwrite) {
          throw ApiError::Precondition("node " + name + " already has " + added.key() +
                                       " taint(s) with same effect(s) and --overwrite is false");
        }
      }
      AddTaint(node, added.key(), added.effect(), now).set_value(added.value());
    }
  }));
}

v1::Node NodeApi::SetUnschedulable(const Caller& caller, const std::string& name,
                                   bool unschedulable) {
  bool changed = false;
  const auto now = ToTimestamp(clock_.WallNow());
  v1::Node node = registries_.nodes.GuaranteedUpdate(caller, "", name, [&](v1::Node& current) {
    changed = current.spec().unschedulable() != unschedulable;
    current.mutable_spec()->set_unschedulable(unschedulable);
    // As Kubernetes' TaintNodesByCondition; DaemonSet pods tolerate it.
    if (unschedulable) {
      AddTaint(current, kUnschedulableTaint, "NoSchedule", now);
    } else {
      RemoveTaints(current, kUnschedulableTaint, "");
    }
  });
  if (changed) {
    const std::string reason = unschedulable ? "NodeNotSchedulable" : "NodeSchedulable";
    events_.Record("node/" + name, "Normal", reason,
                   "Node " + name + " status is now: " + reason + ByCaller(caller));
  }
  return WithHeartbeat(std::move(node));
}

}  // namespace fleetset::coordinator
