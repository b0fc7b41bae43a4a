// DaemonSet status as Kubernetes' controller computes it
// (pkg/controller/daemon, updateDaemonSetStatus) and rollout progress as
// kubectl words it (polymorphichelpers DaemonSetStatusViewer), from the
// agents' reports instead of API pods.
#include "coordinator/controllers/daemon_set_status.h"

#include <algorithm>
#include <array>
#include <string_view>

namespace fleetset::coordinator {
namespace {

// Waiting reasons that do not resolve by waiting longer.
constexpr std::array<std::string_view, 6> kFailureReasons = {
    "CrashLoopBackOff",           "ErrImagePull",         "ImagePullBackOff",
    "CreateContainerConfigError", "CreateContainerError", "InvalidImageName",
};

bool HasPodOf(const NodeDaemonSetState& node, const std::string& revision) {
  return std::any_of(node.pods.begin(), node.pods.end(),
                     [&](const ReportedPod& pod) { return pod.revision_hash == revision; });
}

// The pod that speaks for the node. Reports carry no creation times, so
// "newest" is the pod of the newest revision when there is one (the one a
// rollout waits on), otherwise the first reported.
const ReportedPod& NewestPod(const NodeDaemonSetState& node, const std::string& newest_hash) {
  auto it = std::find_if(node.pods.begin(), node.pods.end(),
                         [&](const ReportedPod& pod) { return pod.revision_hash == newest_hash; });
  return it != node.pods.end() ? *it : node.pods.front();
}

std::vector<const NodeDaemonSetState*> ByName(const std::vector<NodeDaemonSetState>& nodes) {
  std::vector<const NodeDaemonSetState*> sorted;
  for (const NodeDaemonSetState& node : nodes) sorted.push_back(&node);
  std::sort(sorted.begin(), sorted.end(),
            [](const auto* a, const auto* b) { return a->node_name < b->node_name; });
  return sorted;
}

bool IsFailureReason(std::string_view reason) {
  return std::find(kFailureReasons.begin(), kFailureReasons.end(), reason) != kFailureReasons.end();
}

// "pod NAME on node N: REASON: message" for a newest-revision pod stuck on
// its node, or "" when there is none.
std::string PodFailure(const NodeDaemonSetState& node, const std::string& newest_hash) {
  for (const ReportedPod& pod : node.pods) {
    if (pod.revision_hash != newest_hash || !IsFailureReason(pod.waiting_reason)) continue;
    std::string failure =
        "pod " + pod.name + " on node " + node.node_name + ": " + pod.waiting_reason;
    if (!pod.waiting_message.empty()) failure += ": " + pod.waiting_message;
    return failure;
  }
  return "";
}

// The first reason, in node-name order, why the rollout cannot finish.
std::string RolloutFailure(const std::string& newest_hash,
                           const std::vector<NodeDaemonSetState>& nodes) {
  for (const NodeDaemonSetState* node : ByName(nodes)) {
    if (!node->eligible) continue;
    if (!node->node_ready && !HasPodOf(*node, newest_hash)) {
      return "node " + node->node_name + " is not ready";
    }
    if (std::string failure = PodFailure(*node, newest_hash); !failure.empty()) return failure;
  }
  return "";
}

// kubectl's DaemonSetStatusViewer, without the trailing newline.
RolloutProgress ViewStatus(const v1::DaemonSet& daemon_set) {
  const v1::DaemonSetStatus& status = daemon_set.status();
  const std::string quoted_name = "\"" + daemon_set.metadata().name() + "\"";
  const std::string waiting = "Waiting for daemon set " + quoted_name + " rollout to finish: ";
  const std::string desired = std::to_string(status.desired_number_scheduled());
  if (daemon_set.metadata().generation() > status.observed_generation()) {
    return {false, "Waiting for daemon set spec update to be observed...", ""};
  }
  if (status.updated_number_scheduled() < status.desired_number_scheduled()) {
    return {false,
            waiting + std::to_string(status.updated_number_scheduled()) + " out of " + desired +
                " new pods have been updated...",
            ""};
  }
  if (status.number_available() < status.desired_number_scheduled()) {
    return {false,
            waiting + std::to_string(status.number_available()) + " of " + desired +
                " updated pods are available...",
            ""};
  }
  return {true, "daemon set " + quoted_name + " successfully rolled out", ""};
}

}  // namespace

v1::DaemonSetStatus ComputeDaemonSetStatus(const v1::DaemonSet& daemon_set,
                                           const std::string& newest_hash, WallTime now,
                                           const std::vector<NodeDaemonSetState>& nodes) {
  const int32_t min_ready_seconds = daemon_set.spec().min_ready_seconds();
  v1::DaemonSetStatus status;
  for (const NodeDaemonSetState& node : nodes) {
    const bool scheduled = !node.pods.empty();
    if (!node.eligible) {
      if (scheduled) status.set_number_misscheduled(status.number_misscheduled() + 1);
      continue;
    }
    status.set_desired_number_scheduled(status.desired_number_scheduled() + 1);
    if (!scheduled) continue;
    status.set_current_number_scheduled(status.current_number_scheduled() + 1);
    if (HasPodOf(node, newest_hash)) {
      status.set_updated_number_scheduled(status.updated_number_scheduled() + 1);
    }
    // The last report of a node out of contact proves nothing.
    if (!node.node_ready) continue;
    const ReportedPod& pod = NewestPod(node, newest_hash);
    if (pod.ready) status.set_number_ready(status.number_ready() + 1);
    if (PodAvailable(pod, min_ready_seconds, now)) {
      status.set_number_available(status.number_available() + 1);
    }
  }
  status.set_number_unavailable(status.desired_number_scheduled() - status.number_available());
  status.set_observed_generation(daemon_set.metadata().generation());
  return status;
}

RolloutProgress DescribeRollout(const v1::DaemonSet& daemon_set, const std::string& newest_hash,
                                const std::vector<NodeDaemonSetState>& nodes) {
  if (daemon_set.spec().update_strategy().type() == "OnDelete") {
    return {false, "", "rollout status is only available for RollingUpdate strategy type"};
  }
  RolloutProgress progress = ViewStatus(daemon_set);
  if (!progress.done) progress.failure = RolloutFailure(newest_hash, nodes);
  return progress;
}

}  // namespace fleetset::coordinator
