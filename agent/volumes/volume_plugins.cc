#include "agent/volumes/volume_plugins.h"

namespace fleetset::agent {

std::vector<std::unique_ptr<VolumePlugin>> DefaultVolumePlugins() {
  std::vector<std::unique_ptr<VolumePlugin>> plugins;
  plugins.push_back(MakeHostPathVolume());
  plugins.push_back(MakeEmptyDirVolume());
  return plugins;
}

}  // namespace fleetset::agent
