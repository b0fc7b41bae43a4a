// A pod's status as Kubernetes reports it (kubelet's generateAPIPodStatus):
// phase, conditions, and each container's state with kubelet's reasons,
// from the pod's spec, what the runtime layer knows and the probes. Pure.
#pragma once

#include <string>

#include "agent/pod_config_builder.h"
#include "agent/pod_prober.h"
#include "agent/pod_runtime_state.h"
#include "agent/runtime_manager.h"
#include "fleetset/pod_owner.h"
#include "fleetset/v1/node.pb.h"

namespace fleetset::agent {

struct PodStatusSources {
  const v1::PodTemplateSpec& pod;
  const PodContext& context;
  const PodOwner& owner;
  const PodRuntimeState& state;
  const PodProbes& probes;
  // Empty when the pod has no ready sandbox.
  const RuntimePodStatus& runtime;
  bool initialized = false;
  // Prefix of reported container IDs ("containerd://<id>"), as kubelet.
  std::string runtime_name = "containerd";
};

v1::Pod BuildPodStatus(const PodStatusSources& sources);

}  // namespace fleetset::agent
