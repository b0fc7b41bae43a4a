// downwardAPI: the pod's own metadata and its containers' resources as
// files (kubelet's downward-api plugin), rewritten when they change.
#include "agent/volumes/source_files.h"
#include "agent/volumes/volume_plugins.h"
#include "agent/volumes/written_files_volume.h"

namespace fleetset::agent {
namespace {

class DownwardApiVolume final : public WrittenFilesVolume {
 public:
  DownwardApiVolume()
      : WrittenFilesVolume("downwardAPI", "kubernetes.io~downward-api", Medium::kDisk) {}
  bool Handles(const v1::Volume& volume) const override { return volume.has_downward_api(); }

 protected:
  std::string Collect(const v1::Volume& volume, const v1::PodTemplateSpec& pod,
                      const PodContext& context, FilePayload* files) const override {
    const v1::DownwardAPIVolumeSource& source = volume.downward_api();
    std::vector<std::string> errors;
    AddDownwardApiFiles(source.items(), DefaultMode(source), pod, context, files, &errors);
    return AggregateErrors(errors);
  }
};

}  // namespace

std::unique_ptr<VolumePlugin> MakeDownwardApiVolume() {
  return std::make_unique<DownwardApiVolume>();
}

}  // namespace fleetset::agent
