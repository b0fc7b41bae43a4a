// A container's lifecycle hooks as kubelet runs them (its HandlerRunner,
// and the hook steps of starting and killing a container): postStart right
// after the container starts, preStop before it is stopped, each an exec in
// the container or an HTTP(S) GET to it. A tcpSocket handler is never run:
// kubelet keeps the field for compatibility and fails the hook.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "agent/pod_config_builder.h"
#include "agent/probe_executor.h"
#include "fleetset/clock.h"
#include "fleetset/v1/pod.pb.h"

namespace fleetset::agent {

// kubelet waits for a postStart hook without a bound; the agent gives it
// this long so that a hook that hangs cannot hold a pod's worker forever.
inline constexpr std::chrono::seconds kPostStartHookTimeout{120};

class LifecycleHooks {
 public:
  // `clock` measures how long a preStop hook takes.
  LifecycleHooks(ProbeExecutor& executor, const Clock& clock)
      : executor_(executor), clock_(clock) {}

  // Runs the postStart hook of `spec` (if it has one) for its just started
  // container `container_id`. nullopt when it succeeded; else kubelet's
  // message (FailedPostStartHook), and the container is to be killed.
  std::optional<std::string> PostStart(const v1::Container& spec, const PodContext& context,
                                       const std::string& container_id) const;

  // Runs the preStop hook of `spec` (if it has one) for `container_id`,
  // given at most `grace`, and returns how long it took in whole seconds,
  // as kubelet takes it from the grace period. A failed hook is logged
  // (FailedPreStopHook): the container is stopped all the same.
  std::chrono::seconds PreStop(const v1::Container& spec, const PodContext& context,
                               const std::string& container_id, std::chrono::seconds grace) const;

 private:
  std::optional<std::string> Run(const v1::LifecycleHandler& handler, const v1::Container& spec,
                                 const PodContext& context, const std::string& container_id,
                                 std::chrono::seconds timeout) const;

  ProbeExecutor& executor_;
  const Clock& clock_;
};

}  // namespace fleetset::agent
