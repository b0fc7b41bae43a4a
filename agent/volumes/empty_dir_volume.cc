// emptyDir: scratch space under the pod's own directory, on the node's disk
// or (medium: Memory) a tmpfs, as kubelet's emptyDir plugin makes it.
#include <sys/stat.h>

#include <filesystem>

#include "agent/volumes/mount_points.h"
#include "agent/volumes/volume_plugins.h"
#include "fleetset/quantity.h"

namespace fleetset::agent {
namespace {

namespace fs = std::filesystem;

class EmptyDirVolume final : public VolumePlugin {
 public:
  std::string_view Name() const override { return "emptyDir"; }
  bool Handles(const v1::Volume& volume) const override { return volume.has_empty_dir(); }
  std::string HostPath(const v1::Volume& volume, const PodContext& context) const override {
    return EmptyDirPath(context, volume.name());
  }

  std::string Prepare(const v1::Volume& volume, const v1::PodTemplateSpec&,
                      const PodContext& context) const override {
    return MakeEmptyDir(EmptyDirPath(context, volume.name()),
                        volume.empty_dir().medium() == "Memory", volume.empty_dir().size_limit());
  }

  void TearDown(const v1::Volume& volume, const PodContext& context) const override {
    if (volume.empty_dir().medium() != "Memory") return;
    UnmountUnder(EmptyDirPath(context, volume.name()));
  }
};

}  // namespace

std::string MakeEmptyDir(const std::string& path, bool memory, const std::string& size_limit) {
  std::error_code error;
  fs::create_directories(path, error);
  if (error) return "cannot create " + path + ": " + error.message();
  // World-writable as in kubelet, so containers running as any user can
  // use the scratch space. Only the permission bits: a setgid bit that an
  // fsGroup added stays.
  struct stat info {};
  if (::stat(path.c_str(), &info) == 0 && (info.st_mode & 0777) != 0777) {
    ::chmod(path.c_str(), (info.st_mode & 07000) | 0777);
  }
  if (!memory) return "";
  std::string options = "mode=0777";
  if (!size_limit.empty()) {
    if (auto size = Quantity::Parse(size_limit))
      options += ",size=" + std::to_string(size->Value());
  }
  return EnsureTmpfs(path, options);
}

std::string EmptyDirPath(const PodContext& context, const std::string& volume_name) {
  return context.pod_dir + "/volumes/" + volume_name;
}

std::unique_ptr<VolumePlugin> MakeEmptyDirVolume() { return std::make_unique<EmptyDirVolume>(); }

}  // namespace fleetset::agent
