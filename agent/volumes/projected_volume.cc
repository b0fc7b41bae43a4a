// projected: ConfigMaps, Secrets and downward API fields together in one
// directory (kubelet's projected plugin), on a tmpfs since it may hold
// secrets.
#include "agent/volumes/source_files.h"
#include "agent/volumes/volume_plugins.h"
#include "agent/volumes/written_files_volume.h"

namespace fleetset::agent {
namespace {

class ProjectedVolume final : public WrittenFilesVolume {
 public:
  ProjectedVolume() : WrittenFilesVolume("projected", "kubernetes.io~projected", Medium::kMemory) {}
  bool Handles(const v1::Volume& volume) const override { return volume.has_projected(); }

 protected:
  // Every source's files, a later source's path over an earlier one's, as
  // kubelet merges them; the errors of all sources together.
  std::string Collect(const v1::Volume& volume, const v1::PodTemplateSpec& pod,
                      const PodContext& context, FilePayload* files) const override {
    const v1::ProjectedVolumeSource& projected = volume.projected();
    const mode_t mode = DefaultMode(projected);
    std::vector<std::string> errors;
    for (const v1::VolumeProjection& source : projected.sources()) {
      std::string error;
      if (source.has_config_map()) {
        const v1::KeysProjection& keys = source.config_map();
        error =
            AddConfigMapFiles(keys.name(), keys.items(), mode, IsOptional(keys), context, files);
      } else if (source.has_secret()) {
        const v1::KeysProjection& keys = source.secret();
        error = AddSecretFiles(keys.name(), keys.items(), mode, IsOptional(keys), context, files);
      } else if (source.has_downward_api()) {
        AddDownwardApiFiles(source.downward_api().items(), mode, pod, context, files, &errors);
      }
      // A serviceAccountToken source writes no file: a token is for an API
      // server, and fleetset has neither one nor ServiceAccounts to issue
      // tokens for. The rest of the volume is written as usual.
      if (!error.empty()) errors.push_back(error);
    }
    return AggregateErrors(errors);
  }
};

}  // namespace

std::unique_ptr<VolumePlugin> MakeProjectedVolume() { return std::make_unique<ProjectedVolume>(); }

}  // namespace fleetset::agent
