// configMap: a ConfigMap's keys as files, kept current while the pod runs
// (kubelet's configmap plugin), on the node's disk.
#include "agent/volumes/source_files.h"
#include "agent/volumes/volume_plugins.h"
#include "agent/volumes/written_files_volume.h"

namespace fleetset::agent {
namespace {

class ConfigMapVolume final : public WrittenFilesVolume {
 public:
  ConfigMapVolume() : WrittenFilesVolume("configMap", "kubernetes.io~configmap", Medium::kDisk) {}
  bool Handles(const v1::Volume& volume) const override { return volume.has_config_map(); }

 protected:
  std::string Collect(const v1::Volume& volume, const v1::PodTemplateSpec&,
                      const PodContext& context, FilePayload* files) const override {
    const v1::ConfigMapVolumeSource& source = volume.config_map();
    return AddConfigMapFiles(source.name(), source.items(), DefaultMode(source), IsOptional(source),
                             context, files);
  }
};

}  // namespace

std::unique_ptr<VolumePlugin> MakeConfigMapVolume() { return std::make_unique<ConfigMapVolume>(); }

}  // namespace fleetset::agent
