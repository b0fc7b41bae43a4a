// A node's Ready condition and the node.kubernetes.io/unreachable taints
// that follow it, as Kubernetes' node lifecycle controller keeps them.
#pragma once

#include <google/protobuf/timestamp.pb.h>

#include <chrono>

#include "fleetset/v1/node.pb.h"

namespace fleetset::coordinator {

inline constexpr char kUnreachableTaint[] = "node.kubernetes.io/unreachable";

// Sets the Ready condition to True (the agent is posting) or Unknown (it
// stopped), with Kubernetes' reasons and messages; the transition time
// moves only when the status does.
void SetReadyCondition(v1::Node& node, bool ready, const google::protobuf::Timestamp& now);

// Whether the node's Ready condition is True.
bool NodeReady(const v1::Node& node);
// When the agent was last heard from according to the Ready condition (its
// heartbeat time while True); the epoch when it is not True.
std::chrono::system_clock::time_point ReadyHeartbeat(const v1::Node& node);

// Makes the unreachable taints (NoSchedule and NoExecute) match the Ready
// condition: present when it is not True, absent when it is. Returns
// whether anything changed.
bool SyncUnreachableTaints(v1::Node& node, const google::protobuf::Timestamp& now);
// Whether SyncUnreachableTaints would change nothing: a read-only check, so
// that a pass over a fleet of healthy nodes copies none of them.
bool UnreachableTaintsInSync(const v1::Node& node);

}  // namespace fleetset::coordinator
