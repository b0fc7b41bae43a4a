// What the runtime layer remembers about one pod between passes: its
// sandbox, each container's restarts, back-off and why it waits, and what
// it has already asked the runtime. The pod's worker owns it on the event
// loop; a pass on the executor works on a copy and hands the new version
// back, so no two threads ever share it.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "agent/backoff.h"
#include "agent/cri_runtime.h"

namespace fleetset::agent {

// The back-offs every pod's runtime work uses.
struct RuntimeBackoffs {
  BackoffPolicy crash_loop = kCrashLoopBackoff;
  BackoffPolicy image_pull = kCrashLoopBackoff;
  BackoffPolicy sandbox = kSandboxRetryBackoff;
  RandomSource* random = &SystemRandom();
};

struct ContainerRuntimeState {
  explicit ContainerRuntimeState(const RuntimeBackoffs& backoffs)
      : crash_loop(backoffs.crash_loop, backoffs.random),
        image_pull(backoffs.image_pull, backoffs.random) {}

  // Restart count of the newest container (its CRI attempt).
  uint32_t restart_count = 0;
  // Whether this pod ever ran the container (in any sandbox), so a
  // container recreated in a new sandbox counts as a restart.
  bool ever_started = false;
  // Why the container is not running, when the agent knows
  // (ErrImagePull, ImagePullBackOff, CrashLoopBackOff, CreateContainerError...).
  std::string waiting_reason;
  std::string waiting_message;
  Backoff crash_loop;
  Backoff image_pull;
  std::optional<std::chrono::steady_clock::time_point> last_pull_failure;
  // The runtime's message for that failure, repeated while backing off.
  std::string last_pull_error;
};

struct PodRuntimeState {
  explicit PodRuntimeState(const RuntimeBackoffs& runtime_backoffs)
      : backoffs(runtime_backoffs),
        sandbox_retry(runtime_backoffs.sandbox, runtime_backoffs.random) {}

  // The container's state, made on first use.
  ContainerRuntimeState& Container(const std::string& name) {
    return containers.try_emplace(name, backoffs).first->second;
  }

  RuntimeBackoffs backoffs;
  std::string sandbox_id;
  uint32_t sandbox_attempt = 0;
  // Known once the sandbox runs.
  std::string pod_ip;
  // After a failed RunPodSandbox the pod waits before the next try, as
  // kubelet's pod worker backs off after a failed sync, instead of retrying
  // (and logging) at every relist.
  Backoff sandbox_retry;
  // Why the pod has no sandbox ("Failed to create pod sandbox: ..."), or a
  // volume that cannot be set up.
  std::string pod_error;
  std::map<std::string, ContainerRuntimeState> containers;
  // ContainerStatus of exited containers never changes: asked once.
  std::map<std::string, cri::ContainerStatus> exited_status_cache;
  // Start times of running containers (asked once per container).
  std::map<std::string, int64_t> started_at_cache;
};

}  // namespace fleetset::agent
