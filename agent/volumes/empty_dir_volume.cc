// emptyDir: scratch space under the pod's own directory, on the node's disk
// or (medium: Memory) a tmpfs, as kubelet's emptyDir plugin makes it.
#include <sys/mount.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
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

  std::string Prepare(const v1::Volume& volume, const PodContext& context) const override {
    const std::string path = EmptyDirPath(context, volume.name());
    std::error_code error;
    fs::create_directories(path, error);
    if (error) return "cannot create " + path + ": " + error.message();
    // World-writable as in kubelet, so containers running as any user can
    // use the scratch space.
    ::chmod(path.c_str(), 0777);
    if (volume.empty_dir().medium() != "Memory" || !MountsUnder(path).empty()) return "";
    std::string options = "mode=0777";
    if (!volume.empty_dir().size_limit().empty()) {
      if (auto size = Quantity::Parse(volume.empty_dir().size_limit())) {
        options += ",size=" + std::to_string(size->Value());
      }
    }
    if (::mount("tmpfs", path.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, options.c_str()) != 0) {
      return "cannot mount tmpfs on " + path + ": " + std::strerror(errno);
    }
    return "";
  }

  void TearDown(const v1::Volume& volume, const PodContext& context) const override {
    if (volume.empty_dir().medium() != "Memory") return;
    for (const std::string& mount_point : MountsUnder(EmptyDirPath(context, volume.name()))) {
      ::umount2(mount_point.c_str(), MNT_DETACH);
    }
  }
};

}  // namespace

std::string EmptyDirPath(const PodContext& context, const std::string& volume_name) {
  return context.pod_dir + "/volumes/" + volume_name;
}

std::unique_ptr<VolumePlugin> MakeEmptyDirVolume() { return std::make_unique<EmptyDirVolume>(); }

}  // namespace fleetset::agent
