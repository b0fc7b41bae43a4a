// The volume types the agent supports, one plugin each.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "agent/volumes/volume_plugin.h"

namespace fleetset::agent {

std::unique_ptr<VolumePlugin> MakeHostPathVolume();
std::unique_ptr<VolumePlugin> MakeEmptyDirVolume();
std::unique_ptr<VolumePlugin> MakeConfigMapVolume();
std::unique_ptr<VolumePlugin> MakeSecretVolume();
std::unique_ptr<VolumePlugin> MakeDownwardApiVolume();
std::unique_ptr<VolumePlugin> MakeProjectedVolume();

// <pod_dir>/volumes/<name>: where an emptyDir lives.
std::string EmptyDirPath(const PodContext& context, const std::string& volume_name);

// What an emptyDir is, and what kubelet's plugins that write files start
// from: the directory `path`, world-writable, with a tmpfs on it (of
// `size_limit`, a quantity, when not empty) when `memory`. Idempotent.
std::string MakeEmptyDir(const std::string& path, bool memory, const std::string& size_limit);

// Every supported type, in the order messages name them.
std::vector<std::unique_ptr<VolumePlugin>> DefaultVolumePlugins();

}  // namespace fleetset::agent
