// What the coordinator knows about one DaemonSet on one node: the inputs of
// the rollout planner and of the status aggregation.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "fleetset/v1/store.pb.h"

namespace fleetset::coordinator {

using WallTime = std::chrono::system_clock::time_point;

// One of the DaemonSet's pods as the node's agent last reported it.
struct ReportedPod {
  std::string uid;
  std::string name;
  std::string revision_hash;
  // Pod phase: Pending, Running, Succeeded, Failed.
  std::string phase;
  bool ready = false;
  // When the Ready condition last became True (for minReadySeconds).
  std::optional<WallTime> ready_since;
  // The first waiting container's reason and message, when one is waiting
  // (ErrImagePull, CrashLoopBackOff, ...).
  std::string waiting_reason;
  std::string waiting_message;
  int32_t restarts = 0;
};

struct NodeDaemonSetState {
  std::string node_name;
  // The node's agent is in contact (a node past its grace period is not).
  bool node_ready = true;
  // The node should run a pod of this DaemonSet (as its agent reported, or
  // as the coordinator evaluated before the first report).
  bool eligible = false;
  // A pod already there may stay (false under an untolerated NoExecute
  // taint or when the node no longer matches).
  bool should_continue_running = false;
  // Why, in words, when not eligible.
  std::string reason;
  // The revision this node is assigned now. For a node never assigned
  // one: the revision of its pod, as the agent hub offers it, or nullopt
  // without a pod (the hub offers the newest).
  std::optional<v1::NodeAssignment> assignment;
  // This DaemonSet's pods on the node, as last reported.
  std::vector<ReportedPod> pods;
};

// Ready for at least min_ready_seconds (Kubernetes' IsPodAvailable).
bool PodAvailable(const ReportedPod& pod, int32_t min_ready_seconds, WallTime now);
// When a ready pod that is not available yet becomes available; nullopt
// for a pod that is not ready or already available. Time alone changes
// the answer of PodAvailable only then.
std::optional<WallTime> AvailableAt(const ReportedPod& pod, int32_t min_ready_seconds,
                                    WallTime now);

}  // namespace fleetset::coordinator
