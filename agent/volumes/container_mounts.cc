#include "agent/volumes/container_mounts.h"

#include <filesystem>

namespace fleetset::agent {
namespace {

namespace cri = ::runtime::v1;
namespace fs = std::filesystem;

}  // namespace

bool SubPathIsSafe(const std::string& sub_path) {
  if (sub_path.empty()) return true;
  if (sub_path.front() == '/') return false;
  for (const auto& part : fs::path(sub_path)) {
    if (part == "..") return false;
  }
  return true;
}

std::string BuildContainerMounts(const v1::PodSpec& spec, const v1::Container& container,
                                 const PodContext& context, const VolumeManager& volumes,
                                 std::vector<cri::Mount>* mounts) {
  const bool privileged =
      container.security_context().has_privileged() && container.security_context().privileged();
  for (const v1::VolumeMount& volume_mount : container.volume_mounts()) {
    const std::string where =
        "volumeMount \"" + volume_mount.name() + "\" at " + volume_mount.mount_path() + ": ";
    const v1::Volume* volume = FindVolume(spec, volume_mount.name());
    if (volume == nullptr) return where + "no volume named \"" + volume_mount.name() + "\"";
    std::string host_path = volumes.HostPath(*volume, context);
    if (host_path.empty()) {
      return where + "volume has no supported source (" + volumes.SupportedTypes() + ")";
    }
    if (!SubPathIsSafe(volume_mount.sub_path())) {
      return where + "subPath \"" + volume_mount.sub_path() +
             "\" must be a relative path without \"..\"";
    }
    if (!volume_mount.sub_path().empty()) {
      host_path = (fs::path(host_path) / volume_mount.sub_path()).string();
    }
    cri::Mount mount;
    mount.set_container_path(volume_mount.mount_path());
    mount.set_host_path(host_path);
    mount.set_readonly(volume_mount.read_only() || volumes.MountsReadOnly(*volume));
    const std::string& propagation = volume_mount.mount_propagation();
    if (propagation == "HostToContainer") {
      mount.set_propagation(cri::PROPAGATION_HOST_TO_CONTAINER);
    } else if (propagation == "Bidirectional") {
      if (!privileged) {
        return where + "Bidirectional mount propagation is available only to privileged containers";
      }
      mount.set_propagation(cri::PROPAGATION_BIDIRECTIONAL);
    } else if (!propagation.empty() && propagation != "None") {
      return where + "unsupported mountPropagation \"" + propagation + "\"";
    }
    mounts->push_back(std::move(mount));
  }
  return "";
}

}  // namespace fleetset::agent
