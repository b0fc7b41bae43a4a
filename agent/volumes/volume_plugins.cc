#include "agent/volumes/volume_plugins.h"

namespace fleetset::agent {

std::vector<std::unique_ptr<VolumePlugin>> DefaultVolumePlugins() {
  std::vector<std::unique_ptr<VolumePlugin>> plugins;
  plugins.push_back(MakeHostPathVolume());
  plugins.push_back(MakeEmptyDirVolume());
  plugins.push_back(MakeConfigMapVolume());
  plugins.push_back(MakeSecretVolume());
  plugins.push_back(MakeDownwardApiVolume());
  plugins.push_back(MakeProjectedVolume());
  return plugins;
}

}  // namespace fleetset::agent
