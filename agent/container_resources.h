// Kubernetes resources (requests/limits) to the cgroup settings kubelet
// asks the runtime for, and the pod's QoS class that decides the OOM score.
#pragma once

#include <cstdint>

#include "cri/runtime/v1/api.pb.h"
#include "fleetset/v1/pod.pb.h"

namespace fleetset::agent {

enum class QosClass { kGuaranteed, kBurstable, kBestEffort };

// Kubernetes' GetPodQOS over init and app containers (cpu and memory only).
// A request left out where a limit is given counts as equal to the limit,
// as the API server's defaulting would have made it.
QosClass PodQosClass(const v1::PodSpec& spec);

// The node's memory from /proc/meminfo (read once); 0 when unknown.
int64_t NodeMemoryFromProc();

// kubelet's conversion: cpu shares from the request (or the limit when
// there is no request), CFS quota from the limit over a 100 ms period,
// memory limit in bytes, oom_score_adj from the QoS class. A Burstable
// container's score depends on the node's memory; pass 0 to read it from
// /proc/meminfo.
::runtime::v1::LinuxContainerResources BuildContainerResources(const v1::PodSpec& spec,
                                                               const v1::Container& container,
                                                               int64_t node_memory_bytes);

}  // namespace fleetset::agent
