#include "fleetset/pod_readiness.h"

#include <algorithm>

namespace fleetset {
namespace {

void AddCondition(std::string_view type, bool value, v1::PodStatus* status) {
  v1::PodCondition* condition = status->add_conditions();
  condition->set_type(std::string(type));
  condition->set_status(value ? "True" : "False");
}

}  // namespace

const v1::PodCondition* FindPodCondition(const v1::Pod& pod, std::string_view type) {
  for (const v1::PodCondition& condition : pod.status().conditions()) {
    if (condition.type() == type) return &condition;
  }
  return nullptr;
}

bool IsPodReady(const v1::Pod& pod) {
  const v1::PodCondition* ready = FindPodCondition(pod, kPodReady);
  return ready != nullptr && ready->status() == "True";
}

bool AllContainersReady(const v1::PodStatus& status) {
  const auto& containers = status.container_statuses();
  return !containers.empty() &&
         std::all_of(containers.begin(), containers.end(),
                     [](const v1::ContainerStatus& container) { return container.ready(); });
}

void SetPodConditions(bool initialized, bool ready, v1::PodStatus* status) {
  status->clear_conditions();
  AddCondition(kPodScheduled, true, status);
  AddCondition(kPodInitialized, initialized, status);
  AddCondition(kPodContainersReady, ready, status);
  AddCondition(kPodReady, ready, status);
}

void StampConditionTransitions(const v1::PodStatus& previous,
                               const google::protobuf::Timestamp& now, v1::PodStatus* status) {
  for (v1::PodCondition& condition : *status->mutable_conditions()) {
    const auto& before = previous.conditions();
    const auto same = std::find_if(before.begin(), before.end(), [&](const v1::PodCondition& old) {
      return old.type() == condition.type() && old.status() == condition.status();
    });
    const bool known = same != before.end() && same->has_last_transition_time();
    *condition.mutable_last_transition_time() = known ? same->last_transition_time() : now;
  }
}

}  // namespace fleetset
