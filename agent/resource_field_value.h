// The downward API's resourceFieldRef, for env and for downwardAPI volume
// files, as kubelet computes it: a container's request or limit divided by
// the divisor and rounded up; a limit left unset is the node's allocatable
// amount, a request left unset its limit (the API server's defaulting).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "fleetset/v1/pod.pb.h"

namespace fleetset::agent {

struct NodeAllocatable {
  int64_t cpu_millis = 0;
  int64_t memory_bytes = 0;
  int64_t ephemeral_storage_bytes = 0;
};

// `container` is the selector's containerName, or the container the env
// belongs to when it names none. nullopt with *error naming the selector
// when the resource or the container is unknown.
std::optional<std::string> ResourceFieldValue(const v1::PodSpec& spec,
                                              const std::string& default_container,
                                              const v1::ResourceFieldSelector& selector,
                                              const NodeAllocatable& node, std::string* error);

// This machine's CPUs, memory (`memory_bytes` when non-zero, else
// /proc/meminfo) and the root filesystem's size.
NodeAllocatable ThisNodeAllocatable(int64_t memory_bytes);

}  // namespace fleetset::agent
