// Agents: registration on connect, status reports, heartbeats.
#include <google/protobuf/util/message_differencer.h>

#include "coordinator/api_errors.h"
#include "coordinator/fleet.h"
#include "coordinator/timestamps.h"
#include "fleetset/names.h"
#include "fleetset/uid.h"
#include "fleetset/version.h"

namespace fleetset::coordinator {

namespace {

using google::protobuf::util::MessageDifferencer;

FieldErrors CheckHello(const v1::Hello& hello) {
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
    const std::string& effect = hello.taints(i).effect();
    if (effect != "NoSchedule" && effect != "PreferNoSchedule" && effect != "NoExecute") {
      errors.push_back(
          {IndexPath("hello.taints", i) + ".effect", "Unsupported value: \"" + effect + "\""});
    }
  }
  return errors;
}

// The labels an agent always owns: what it discovers about its machine.
constexpr const char* kAgentOwnedLabels[] = {kLabelHostname, kLabelOs, kLabelArch};

}  // namespace

grpc::Status Fleet::AgentConnected(const v1::Hello& hello, std::shared_ptr<AgentOutbox> outbox) {
  if (hello.protocol_version() != kProtocolVersion) {
    return {grpc::StatusCode::FAILED_PRECONDITION,
            "agent protocol version " + std::to_string(hello.protocol_version()) +
                " is not supported; this coordinator speaks version " +
                std::to_string(kProtocolVersion)};
  }
  if (FieldErrors errors = CheckHello(hello); !errors.empty()) {
    return Invalid("Node", hello.node_name(), errors);
  }
  std::lock_guard lock(mu_);
  const std::string& name = hello.node_name();
  NodeRecord* record = FindNode(name);
  const bool registering = record == nullptr;
  v1::StoredNode updated = registering ? v1::StoredNode() : record->stored;
  v1::Node& node = *updated.mutable_node();
  if (registering) {
    // The agent's flags give the initial labels and taints; from now on the
    // coordinator's record (edited with fleetsetctl) is the truth.
    node.mutable_metadata()->set_name(name);
    node.mutable_metadata()->set_uid(GenerateUid());
    *node.mutable_metadata()->mutable_creation_timestamp() = ToTimestamp(WallNow());
    *node.mutable_metadata()->mutable_labels() = hello.labels();
    *node.mutable_spec()->mutable_taints() = hello.taints();
  } else {
    auto& labels = *node.mutable_metadata()->mutable_labels();
    for (const char* key : kAgentOwnedLabels) {
      auto it = hello.labels().find(key);
      if (it != hello.labels().end()) labels[key] = it->second;
    }
  }
  *node.mutable_status()->mutable_node_info() = hello.node_info();
  *node.mutable_status()->mutable_addresses() = hello.addresses();
  const bool was_ready = !registering && NodeReady(record->stored.node());
  SetReadyCondition(node, true);

  const bool changed =
      registering || !was_ready ||
      !MessageDifferencer::Equals(record->stored.node().status().node_info(),
                                  node.status().node_info()) ||
      !MessageDifferencer::Equals(record->stored.node().metadata(), node.metadata());
  if (changed) {
    StoreChange change;
    change.put_nodes.push_back(updated);
    if (grpc::Status status = CommitLocked(change); !status.ok()) return status;
  }
  if (registering) record = &nodes_[name];
  record->stored = std::move(updated);
  if (registering) {
    RecordEvent(MakeEvent("node/" + name, "Normal", "RegisteredNode",
                          "Node " + name + " event: Registered Node " + name + " in Controller"));
  } else if (!was_ready) {
    RecordEvent(MakeEvent("node/" + name, "Normal", "NodeReady",
                          "Node " + name + " status is now: NodeReady"));
  }
  if (record->outbox && record->outbox != outbox) {
    record->outbox->Close(
        {grpc::StatusCode::ABORTED, "replaced by a newer stream from node " + name});
  }
  record->outbox = std::move(outbox);
  record->contacted = true;
  record->last_contact = clock_.Now();
  if (hello.has_status()) {
    v1::StatusReport before = record->report.value_or(v1::StatusReport());
    RecordPodChanges(*record, before, hello.status());
    record->report = hello.status();
  }
  PublishNode(registering ? "ADDED" : "MODIFIED", *record);
  // A node that comes back gets the current state at once, whatever it had.
  record->desired.reset();
  OfferIfChanged(*record);
  Wake();
  return grpc::Status::OK;
}

void Fleet::AgentReported(const std::string& node_name, const v1::StatusReport& report) {
  std::lock_guard lock(mu_);
  NodeRecord* record = FindNode(node_name);
  if (record == nullptr) return;
  record->last_contact = clock_.Now();
  RecordPodChanges(*record, record->report.value_or(v1::StatusReport()), report);
  record->report = report;
  Wake();
}

void Fleet::AgentHeartbeat(const std::string& node_name) {
  std::lock_guard lock(mu_);
  NodeRecord* record = FindNode(node_name);
  if (record != nullptr) record->last_contact = clock_.Now();
}

void Fleet::AgentDisconnected(const std::string& node_name, const AgentOutbox* outbox) {
  std::lock_guard lock(mu_);
  NodeRecord* record = FindNode(node_name);
  // The node stays Ready until its grace period passes without contact.
  if (record != nullptr && record->outbox.get() == outbox) record->outbox.reset();
}

}  // namespace fleetset::coordinator
