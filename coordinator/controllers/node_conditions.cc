#include "coordinator/controllers/node_conditions.h"

#include <algorithm>
#include <string>

#include "coordinator/repeated_fields.h"
#include "coordinator/timestamps.h"
#include "fleetset/taint_effect.h"

namespace fleetset::coordinator {

namespace {

constexpr const char* kUnreachableEffects[] = {kTaintEffectNoSchedule, kTaintEffectNoExecute};

}  // namespace

void SetReadyCondition(v1::Node& node, bool ready, const google::protobuf::Timestamp& now) {
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
  } else {
    // What Kubernetes' node lifecycle controller does for a silent kubelet.
    condition->set_reason("NodeStatusUnknown");
    condition->set_message("Agent stopped posting node status.");
  }
}

bool NodeReady(const v1::Node& node) {
  for (const v1::NodeCondition& condition : node.status().conditions()) {
    if (condition.type() == "Ready") return condition.status() == "True";
  }
  return false;
}

std::chrono::system_clock::time_point ReadyHeartbeat(const v1::Node& node) {
  for (const v1::NodeCondition& condition : node.status().conditions()) {
    if (condition.type() == "Ready" && condition.status() == "True") {
      return FromTimestamp(condition.last_heartbeat_time());
    }
  }
  return {};
}

bool UnreachableTaintsInSync(const v1::Node& node) {
  const auto& taints = node.spec().taints();
  auto has = [&](std::string_view effect) {
    return std::any_of(taints.begin(), taints.end(), [&](const v1::Taint& taint) {
      return taint.key() == kUnreachableTaint && taint.effect() == effect;
    });
  };
  if (NodeReady(node)) {
    return std::none_of(taints.begin(), taints.end(),
                        [](const v1::Taint& taint) { return taint.key() == kUnreachableTaint; });
  }
  return std::all_of(std::begin(kUnreachableEffects), std::end(kUnreachableEffects), has);
}

bool SyncUnreachableTaints(v1::Node& node, const google::protobuf::Timestamp& now) {
  auto* taints = node.mutable_spec()->mutable_taints();
  if (NodeReady(node)) {
    const int before = taints->size();
    EraseIf(*taints, [](const v1::Taint& taint) { return taint.key() == kUnreachableTaint; });
    return taints->size() != before;
  }
  bool changed = false;
  for (const char* effect : kUnreachableEffects) {
    const bool present = std::any_of(taints->begin(), taints->end(), [&](const v1::Taint& taint) {
      return taint.key() == kUnreachableTaint && taint.effect() == effect;
    });
    if (present) continue;
    v1::Taint& taint = *taints->Add();
    taint.set_key(kUnreachableTaint);
    taint.set_effect(effect);
    if (std::string_view(effect) == kTaintEffectNoExecute) *taint.mutable_time_added() = now;
    changed = true;
  }
  return changed;
}

}  // namespace fleetset::coordinator
