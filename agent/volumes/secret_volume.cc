// secret: a Secret's keys as files, kept current while the pod runs
// (kubelet's secret plugin), on a tmpfs so they never reach the disk.
#include "agent/volumes/source_files.h"
#include "agent/volumes/volume_plugins.h"
#include "agent/volumes/written_files_volume.h"

namespace fleetset::agent {
namespace {

class SecretVolume final : public WrittenFilesVolume {
 public:
  SecretVolume() : WrittenFilesVolume("secret", "kubernetes.io~secret", Medium::kMemory) {}
  bool Handles(const v1::Volume& volume) const override { return volume.has_secret(); }

 protected:
  std::string Collect(const v1::Volume& volume, const v1::PodTemplateSpec&,
                      const PodContext& context, FilePayload* files) const override {
    const v1::SecretVolumeSource& source = volume.secret();
    return AddSecretFiles(source.secret_name(), source.items(), DefaultMode(source),
                          IsOptional(source), context, files);
  }
};

}  // namespace

std::unique_ptr<VolumePlugin> MakeSecretVolume() { return std::make_unique<SecretVolume>(); }

}  // namespace fleetset::agent
