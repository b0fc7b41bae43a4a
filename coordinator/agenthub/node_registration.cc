#include "coordinator/agenthub/node_registration.h"

#include <google/protobuf/util/message_differencer.h>

#include "coordinator/controllers/node_conditions.h"
#include "coordinator/timestamps.h"
#include "fleetset/names.h"
#include "fleetset/node_labels.h"
#include "fleetset/scheduling.h"
#include "fleetset/taint_effect.h"
#include "fleetset/version.h"

namespace fleetset::coordinator {

namespace {

using google::protobuf::util::MessageDifferencer;

void RecordNodeReady(EventRecorder& events, const std::string& name) {
  events.Record("node/" + name, "Normal", "NodeReady",
                "Node " + name + " status is now: NodeReady");
}

}  // namespace

void CheckHello(const v1::Hello& hello) {
  if (hello.protocol_version() != kProtocolVersion) {
    throw ApiError::Precondition(
        "agent protocol version " + std::to_string(hello.protocol_version()) +
        " is not supported; this coordinator speaks version " + std::to_string(kProtocolVersion));
  }
  FieldErrors errors = CheckObjectName("hello.nodeName", hello.node_name());
  for (const auto& [key, value] : hello.labels()) {
    for (const std::string& problem : CheckQualifiedName(key)) {
      errors.push_back({"hello.labels", "Invalid value: \"" + key + "\": " + problem});
    }
    for (const std::string& problem : CheckLabelValue(value)) {
      errors.push_back(
          {KeyPath("hello.labels", key), "Invalid value: \"" + value + "\": " + problem});
    }
  }
  for (int i = 0; i < hello.taints_size(); ++i) {
    if (auto error = CheckTaintEffect(ChildPath(IndexPath("hello.taints", i), "effect"),
                                      hello.taints(i).effect())) {
      errors.push_back(*error);
    }
  }
  if (!errors.empty()) throw ApiError::Invalid("Node", hello.node_name(), std::move(errors));
}

namespace {

// How often a registration is tried again from a fresh read when another
// writer changed the node in between (the node lifecycle controller, or a
// coordinator that heard from the agent just before it moved here).
constexpr int kRegistrationAttempts = 5;

v1::Node RegisterNodeOnce(Registry<v1::Node>& nodes, EventRecorder& events, const Clock& clock,
                          const Caller& caller, const v1::Hello& hello) {
  const std::string& name = hello.node_name();
  const auto now = ToTimestamp(clock.WallNow());
  std::optional<v1::Node> existing = nodes.Find("", name);
  if (!existing) {
    v1::Node node;
    node.mutable_metadata()->set_name(name);
    *node.mutable_metadata()->mutable_labels() = hello.labels();
    *node.mutable_spec()->mutable_taints() = hello.taints();
    *node.mutable_status()->mutable_node_info() = hello.node_info();
    *node.mutable_status()->mutable_addresses() = hello.addresses();
    SetReadyCondition(node, true, now);
    try {
      v1::Node created = nodes.Create(caller, std::move(node));
      events.Record("node/" + name, "Normal", "RegisteredNode",
                    "Node " + name + " event: Registered Node " + name + " in Controller");
      return created;
    } catch (const ApiError& error) {
      // Another stream of the same node registered it first.
      if (error.reason() != ApiError::Reason::kAlreadyExists) throw;
      existing = nodes.Get("", name);
    }
  }
  v1::Node node = *existing;
  auto& labels = *node.mutable_metadata()->mutable_labels();
  bool spec_changed = false;
  for (const char* key : kAgentOwnedNodeLabels) {
    auto it = hello.labels().find(key);
    if (it == hello.labels().end()) continue;
    auto old = labels.find(key);
    if (old != labels.end() && old->second == it->second) continue;
    labels[key] = it->second;
    spec_changed = true;
  }
  const bool was_ready = NodeReady(node);
  if (!was_ready) {
    // Back: the unreachable taints go at once, before any pass of the
    // node lifecycle controller.
    SetReadyCondition(node, true, now);
    spec_changed |= SyncUnreachableTaints(node, now);
  }
  if (spec_changed) node = nodes.Update(caller, std::move(node));
  v1::Node refreshed = node;
  *refreshed.mutable_status()->mutable_node_info() = hello.node_info();
  *refreshed.mutable_status()->mutable_addresses() = hello.addresses();
  SetReadyCondition(refreshed, true, now);
  auto same_addresses = [](const v1::NodeStatus& a, const v1::NodeStatus& b) {
    if (a.addresses_size() != b.addresses_size()) return false;
    for (int i = 0; i < a.addresses_size(); ++i) {
      if (!MessageDifferencer::Equals(a.addresses(i), b.addresses(i))) return false;
    }
    return true;
  };
  if (!was_ready ||
      !MessageDifferencer::Equals(refreshed.status().node_info(), node.status().node_info()) ||
      !same_addresses(refreshed.status(), node.status())) {
    node = nodes.UpdateStatus(caller, std::move(refreshed));
  }
  if (!was_ready) RecordNodeReady(events, name);
  return node;
}

}  // namespace

v1::Node RegisterNode(Registry<v1::Node>& nodes, EventRecorder& events, const Clock& clock,
                      const Caller& caller, const v1::Hello& hello) {
  for (int attempt = 1;; ++attempt) {
    try {
      return RegisterNodeOnce(nodes, events, clock, caller, hello);
    } catch (const ApiError& error) {
      if (error.reason() != ApiError::Reason::kConflict || attempt == kRegistrationAttempts) throw;
    }
  }
}

void MarkNodeReadyAgain(Registry<v1::Node>& nodes, EventRecorder& events, const Clock& clock,
                        const Caller& caller, const std::string& name) {
  const auto now = ToTimestamp(clock.WallNow());
  v1::Node node = nodes.Get("", name);
  if (NodeReady(node)) return;
  SetReadyCondition(node, true, now);
  if (SyncUnreachableTaints(node, now)) node = nodes.Update(caller, std::move(node));
  // An update keeps the stored status: the condition goes in on its own.
  SetReadyCondition(node, true, now);
  nodes.UpdateStatus(caller, std::move(node));
  RecordNodeReady(events, name);
}

}  // namespace fleetset::coordinator
