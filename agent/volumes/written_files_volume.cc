#include "agent/volumes/written_files_volume.h"

#include <optional>

#include "agent/volumes/mount_points.h"
#include "agent/volumes/volume_plugins.h"

namespace fleetset::agent {

std::string WrittenFilesVolume::HostPath(const v1::Volume& volume,
                                         const PodContext& context) const {
  return context.pod_dir + "/volumes/" + std::string(plugin_directory_) + "/" + volume.name();
}

std::string WrittenFilesVolume::Prepare(const v1::Volume& volume, const v1::PodTemplateSpec& pod,
                                        const PodContext& context) const {
  return Write(volume, pod, context, false);
}

std::string WrittenFilesVolume::Update(const v1::Volume& volume, const v1::PodTemplateSpec& pod,
                                       const PodContext& context) const {
  return Write(volume, pod, context, true);
}

void WrittenFilesVolume::TearDown(const v1::Volume& volume, const PodContext& context) const {
  if (InMemory()) UnmountUnder(HostPath(volume, context));
}

std::string WrittenFilesVolume::Write(const v1::Volume& volume, const v1::PodTemplateSpec& pod,
                                      const PodContext& context, bool running) const {
  FilePayload files;
  if (std::string error = Collect(volume, pod, context, &files); !error.empty()) {
    return running ? "" : error;
  }
  const std::string path = HostPath(volume, context);
  // Again at every update: files that may be secrets are written only
  // where the tmpfs is, whatever happened to the mount since.
  if (std::string error = MakeEmptyDir(path, InMemory(), ""); !error.empty()) return error;
  const v1::PodSecurityContext& security = pod.spec().security_context();
  std::optional<gid_t> fs_group;
  if (security.has_fs_group()) fs_group = static_cast<gid_t>(security.fs_group());
  return WriteAtomically(path, files, fs_group);
}

}  // namespace fleetset::agent
