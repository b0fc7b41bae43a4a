// The volume types the agent supports, one plugin each.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "agent/volumes/volume_plugin.h"

namespace fleetset::agent {

std::unique_ptr<VolumePlugin> MakeHostPathVolume();
std::unique_ptr<VolumePlugin> MakeEmptyDirVolume();

// <pod_dir>/volumes/<name>: where an emptyDir lives.
std::string EmptyDirPath(const PodContext& context, const std::string& volume_name);

// Every supported type, in the order messages name them.
std::vector<std::unique_ptr<VolumePlugin>> DefaultVolumePlugins();

}  // namespace fleetset::agent
