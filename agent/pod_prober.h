// The probes of one pod's running containers (kubelet's prober manager,
// run as part of the pod's pass): which are due, their outcomes, and which
// containers failed their liveness or startup probe and must restart.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "agent/cri_runtime.h"
#include "agent/pod_config_builder.h"
#include "agent/probe_executor.h"
#include "agent/probe_tracker.h"
#include "fleetset/clock.h"

namespace fleetset::agent {

// One container's probes. Like PodRuntimeState, owned by the pod's worker
// on the loop and handed to a pass as a copy.
struct ContainerProbes {
  std::optional<ProbeTracker> liveness;
  std::optional<ProbeTracker> readiness;
  std::optional<ProbeTracker> startup;
  // The container instance the trackers belong to.
  std::string container_id;

  // Until the probes have looked at this very container, a container with
  // a startup or readiness probe is neither started nor ready.
  bool Started(const v1::Container& spec, const std::string& id) const;
  bool Ready(const v1::Container& spec, const std::string& id) const;
};
using PodProbes = std::map<std::string, ContainerProbes>;

// A container to stop so that it restarts, and within how long.
struct ProbeKill {
  std::string container_id;
  std::chrono::seconds grace;
  // Its spec in the PodSpec given to Probe (for its preStop hook).
  const v1::Container* spec = nullptr;
};

class PodProber {
 public:
  PodProber(ProbeExecutor& executor, const Clock& clock) : executor_(executor), clock_(clock) {}

  // Runs the due probes of the app containers of `spec` running among
  // `containers`; `context` gives the pod's IP. Blocks for the probes.
  std::vector<ProbeKill> Probe(const v1::PodSpec& spec, const PodContext& context,
                               const std::vector<cri::Container>& containers,
                               PodProbes& probes) const;

 private:
  std::optional<ProbeKill> ProbeContainer(const v1::PodSpec& pod, const v1::Container& spec,
                                          const PodContext& context, const cri::Container& running,
                                          ContainerProbes& probes) const;
  ProbeOutcome Run(const v1::Probe& probe, const v1::Container& spec, const PodContext& context,
                   const std::string& container_id) const;

  ProbeExecutor& executor_;
  const Clock& clock_;
};

}  // namespace fleetset::agent
