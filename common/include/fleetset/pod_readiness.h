// When a pod counts as ready, defined once for every program: as
// Kubernetes' podutil.IsPodReady, a pod is ready when its Ready condition
// is True. The agent sets the conditions from its containers
// (SetPodConditions); the agent's metrics and summary, the coordinator's
// READY count and fleetsetctl read them (IsPodReady).
#pragma once

#include <google/protobuf/timestamp.pb.h>

#include <string_view>

#include "fleetset/v1/node.pb.h"

namespace fleetset {

inline constexpr char kPodScheduled[] = "PodScheduled";
inline constexpr char kPodInitialized[] = "Initialized";
inline constexpr char kPodContainersReady[] = "ContainersReady";
inline constexpr char kPodReady[] = "Ready";

// The condition of that type, or nullptr.
const v1::PodCondition* FindPodCondition(const v1::Pod& pod, std::string_view type);
bool IsPodReady(const v1::Pod& pod);
// Whether every app container reports ready (false when there is none):
// kubelet's ContainersReady before the pod-level checks.
bool AllContainersReady(const v1::PodStatus& status);
// kubelet's four conditions: scheduled (always, the node is chosen),
// Initialized, and ContainersReady and Ready both `ready`.
void SetPodConditions(bool initialized, bool ready, v1::PodStatus* status);
// kubelet's lastTransitionTime: each condition of `status` whose status is
// what `previous` had keeps the time it had there; one that changed, or is
// new, gets `now`. minReadySeconds counts from the Ready condition's time.
void StampConditionTransitions(const v1::PodStatus& previous,
                               const google::protobuf::Timestamp& now, v1::PodStatus* status);

}  // namespace fleetset
