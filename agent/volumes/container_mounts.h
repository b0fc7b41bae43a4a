// How a container's volumeMounts become CRI mounts: the volume's place on
// the node (from its plugin), subPath, read-only (always, for the volumes
// the agent writes itself) and propagation.
#pragma once

#include <string>
#include <vector>

#include "agent/volumes/volume_manager.h"
#include "cri/runtime/v1/api.pb.h"

namespace fleetset::agent {

// A subPath must stay inside its volume: relative, and no ".." component.
bool SubPathIsSafe(const std::string& sub_path);

// The container's volumeMounts as CRI mounts, in order. Returns an error
// naming the mount when a volume is missing or of no supported type, a
// subPath escapes its volume, or Bidirectional propagation is asked of an
// unprivileged container.
std::string BuildContainerMounts(const v1::PodSpec& spec, const v1::Container& container,
                                 const PodContext& context, const VolumeManager& volumes,
                                 std::vector<::runtime::v1::Mount>* mounts);

}  // namespace fleetset::agent
