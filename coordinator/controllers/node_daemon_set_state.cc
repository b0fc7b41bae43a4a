#include "coordinator/controllers/node_daemon_set_state.h"

namespace fleetset::coordinator {

bool PodAvailable(const ReportedPod& pod, int32_t min_ready_seconds, WallTime now) {
  if (!pod.ready) return false;
  if (min_ready_seconds <= 0) return true;
  // As Kubernetes: a Ready condition with no transition time never counts.
  return pod.ready_since && *pod.ready_since + std::chrono::seconds(min_ready_seconds) <= now;
}

std::optional<WallTime> AvailableAt(const ReportedPod& pod, int32_t min_ready_seconds,
                                    WallTime now) {
  if (!pod.ready || !pod.ready_since || min_ready_seconds <= 0) return std::nullopt;
  const WallTime at = *pod.ready_since + std::chrono::seconds(min_ready_seconds);
  if (at <= now) return std::nullopt;
  return at;
}

}  // namespace fleetset::coordinator
