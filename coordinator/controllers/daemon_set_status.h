// A DaemonSet's status and rollout progress, computed from what the agents
// report, with Kubernetes' definitions of each number.
#pragma once

#include <string>
#include <vector>

#include "coordinator/controllers/node_daemon_set_state.h"
#include "fleetset/v1/daemonset.pb.h"

namespace fleetset::coordinator {

// * desiredNumberScheduled: eligible nodes.
// * currentNumberScheduled: eligible nodes with a pod of this DaemonSet.
// * numberMisscheduled: nodes with a pod that are not eligible.
// * numberReady: eligible nodes whose pod (the newest one there) is ready.
// * updatedNumberScheduled: eligible nodes with a pod of newest_hash.
// * numberAvailable: eligible nodes whose pod is available (ready for
//   minReadySeconds); numberUnavailable = desired - available.
// * observedGeneration: the DaemonSet's generation (the coordinator acts on
//   a spec as soon as it stores it).
// Nodes that are not ready count as neither ready nor available.
v1::DaemonSetStatus ComputeDaemonSetStatus(const v1::DaemonSet& daemon_set,
                                           const std::string& newest_hash, WallTime now,
                                           const std::vector<NodeDaemonSetState>& nodes);

struct RolloutProgress {
  bool done = false;
  // kubectl's wording, without a trailing newline:
  // "Waiting for daemon set \"NAME\" rollout to finish: U out of D new pods
  // have been updated...", "... A of D updated pods are available...",
  // "daemon set \"NAME\" successfully rolled out".
  std::string message;
  // Why the rollout cannot finish, when it cannot: a newest-revision pod
  // waiting with CrashLoopBackOff, ErrImagePull, ImagePullBackOff,
  // CreateContainerConfigError, CreateContainerError or InvalidImageName
  // ("pod NAME on node N: ImagePullBackOff: message"), or an eligible node
  // that is not ready and not yet updated ("node N is not ready"). Empty
  // otherwise.
  std::string failure;
};

// `daemon_set` carries the status computed above. For OnDelete the message
// is kubectl's "rollout status is only available for RollingUpdate strategy
// type" in failure.
RolloutProgress DescribeRollout(const v1::DaemonSet& daemon_set, const std::string& newest_hash,
                                const std::vector<NodeDaemonSetState>& nodes);

}  // namespace fleetset::coordinator
