// Where a pod's volumes live on the node and how a container's
// volumeMounts become CRI mounts. PreparePodVolumes and RemovePodVolumes
// (declared in pod_config_builder.h) are implemented next to these.
#pragma once

#include <string>
#include <vector>

#include "agent/pod_config_builder.h"
#include "cri/runtime/v1/api.pb.h"
#include "fleetset/v1/pod.pb.h"

namespace fleetset::agent {

// <pod_dir>/volumes/<name>
std::string EmptyDirPath(const PodContext& context, const std::string& volume_name);

// The container's volumeMounts as CRI mounts, in order. Returns an error
// naming the mount when a volume is missing, a subPath escapes its volume,
// or Bidirectional propagation is asked of an unprivileged container.
std::string BuildContainerMounts(const v1::PodSpec& spec, const v1::Container& container,
                                 const PodContext& context,
                                 std::vector<::runtime::v1::Mount>* mounts);

}  // namespace fleetset::agent
