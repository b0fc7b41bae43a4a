// hostPath and emptyDir volumes, as kubelet's volume plugins set them up.
#include "agent/pod_volumes.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "fleetset/quantity.h"

namespace fleetset::agent {
namespace {

namespace cri = ::runtime::v1;
namespace fs = std::filesystem;

const v1::Volume* FindVolume(const v1::PodSpec& spec, const std::string& name) {
  for (const v1::Volume& volume : spec.volumes()) {
    if (volume.name() == name) return &volume;
  }
  return nullptr;
}

// The node directory a volume is backed by, or "" for a volume type the
// agent does not support.
std::string VolumeHostPath(const v1::Volume& volume, const PodContext& context) {
  if (volume.has_host_path()) return volume.host_path().path();
  if (volume.has_empty_dir()) return EmptyDirPath(context, volume.name());
  return "";
}

// subPath must stay inside the volume: relative, and no ".." component.
bool SubPathIsSafe(const std::string& sub_path) {
  if (sub_path.empty()) return true;
  if (sub_path.front() == '/') return false;
  for (const auto& part : fs::path(sub_path)) {
    if (part == "..") return false;
  }
  return true;
}

std::string ErrnoText(int error) { return std::strerror(error); }

// One hostPath type check. Kubernetes' wording, so operators can search it.
std::string CheckHostPath(const std::string& path, const std::string& type) {
  struct stat info {};
  const bool exists = ::stat(path.c_str(), &info) == 0;
  const std::string prefix = "hostPath type check failed: " + path;
  if (type.empty()) return "";
  if (type == "DirectoryOrCreate") {
    if (!exists) {
      std::error_code error;
      fs::create_directories(path, error);
      if (error) return "cannot create directory " + path + ": " + error.message();
      // create_directories honours the umask; Kubernetes makes it 0755.
      ::chmod(path.c_str(), 0755);
      return "";
    }
    return S_ISDIR(info.st_mode) ? "" : prefix + " is not a directory";
  }
  if (type == "Directory") {
    return exists && S_ISDIR(info.st_mode) ? "" : prefix + " is not a directory";
  }
  if (type == "FileOrCreate") {
    if (!exists) {
      // Like Kubernetes, only the file is created: a missing parent
      // directory is an error, not something to invent.
      const int fd = ::open(path.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
      if (fd < 0) return "cannot create file " + path + ": " + ErrnoText(errno);
      ::close(fd);
      return "";
    }
    return S_ISREG(info.st_mode) ? "" : prefix + " is not a file";
  }
  if (type == "File") return exists && S_ISREG(info.st_mode) ? "" : prefix + " is not a file";
  if (type == "Socket") {
    return exists && S_ISSOCK(info.st_mode) ? "" : prefix + " is not a socket file";
  }
  if (type == "CharDevice") {
    return exists && S_ISCHR(info.st_mode) ? "" : prefix + " is not a character device";
  }
  if (type == "BlockDevice") {
    return exists && S_ISBLK(info.st_mode) ? "" : prefix + " is not a block device";
  }
  return "unsupported hostPath type \"" + type + "\"";
}

// Mount points at or below `dir`, deepest first, from /proc/self/mountinfo.
std::vector<std::string> MountsUnder(const std::string& dir) {
  std::vector<std::string> mounts;
  std::ifstream mountinfo("/proc/self/mountinfo");
  std::string line;
  while (std::getline(mountinfo, line)) {
    std::istringstream fields(line);
    std::string mount_point;
    for (int i = 0; i < 5; ++i) fields >> mount_point;
    if (mount_point == dir || mount_point.starts_with(dir + "/")) mounts.push_back(mount_point);
  }
  std::sort(mounts.begin(), mounts.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  return mounts;
}

std::string PrepareEmptyDir(const v1::Volume& volume, const PodContext& context) {
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
    return "cannot mount tmpfs on " + path + ": " + ErrnoText(errno);
  }
  return "";
}

// kubelet creates a missing subPath inside the volume before the runtime
// bind-mounts it (otherwise the runtime would create it as root, 0755).
std::string PrepareSubPaths(const v1::PodSpec& spec, const PodContext& context) {
  auto prepare = [&](const v1::Container& container) -> std::string {
    for (const v1::VolumeMount& mount : container.volume_mounts()) {
      if (mount.sub_path().empty() || !SubPathIsSafe(mount.sub_path())) continue;
      const v1::Volume* volume = FindVolume(spec, mount.name());
      if (volume == nullptr) continue;
      const std::string base = VolumeHostPath(*volume, context);
      if (base.empty()) continue;
      const std::string path = (fs::path(base) / mount.sub_path()).string();
      std::error_code error;
      if (fs::exists(path, error)) continue;
      fs::create_directories(path, error);
      if (error) {
        return "volume \"" + mount.name() + "\": cannot create subPath " + path + ": " +
               error.message();
      }
    }
    return "";
  };
  for (const v1::Container& container : spec.init_containers()) {
    if (std::string error = prepare(container); !error.empty()) return error;
  }
  for (const v1::Container& container : spec.containers()) {
    if (std::string error = prepare(container); !error.empty()) return error;
  }
  return "";
}

}  // namespace

std::string EmptyDirPath(const PodContext& context, const std::string& volume_name) {
  return context.pod_dir + "/volumes/" + volume_name;
}

std::optional<std::string> PreparePodVolumes(const v1::PodSpec& spec, const PodContext& context) {
  for (const v1::Volume& volume : spec.volumes()) {
    std::string error;
    if (volume.has_host_path()) {
      error = CheckHostPath(volume.host_path().path(), volume.host_path().type());
    } else if (volume.has_empty_dir()) {
      error = PrepareEmptyDir(volume, context);
    }
    if (!error.empty()) return "volume \"" + volume.name() + "\": " + error;
  }
  if (std::string error = PrepareSubPaths(spec, context); !error.empty()) return error;
  return std::nullopt;
}

void RemovePodVolumes(const PodContext& context) {
  if (context.pod_dir.empty()) return;
  // Unmount memory-backed emptyDirs first: removing files through a live
  // mount would be harmless for tmpfs, but remove_all must never cross into
  // whatever else might be mounted there.
  for (const std::string& mount_point : MountsUnder(context.pod_dir)) {
    ::umount2(mount_point.c_str(), MNT_DETACH);
  }
  if (!MountsUnder(context.pod_dir).empty()) return;
  std::error_code ignored;
  fs::remove_all(context.pod_dir, ignored);
}

std::string BuildContainerMounts(const v1::PodSpec& spec, const v1::Container& container,
                                 const PodContext& context, std::vector<cri::Mount>* mounts) {
  const bool privileged =
      container.security_context().has_privileged() && container.security_context().privileged();
  for (const v1::VolumeMount& volume_mount : container.volume_mounts()) {
    const std::string where =
        "volumeMount \"" + volume_mount.name() + "\" at " + volume_mount.mount_path() + ": ";
    const v1::Volume* volume = FindVolume(spec, volume_mount.name());
    if (volume == nullptr) return where + "no volume named \"" + volume_mount.name() + "\"";
    std::string host_path = VolumeHostPath(*volume, context);
    if (host_path.empty()) return where + "volume has no supported source (hostPath, emptyDir)";
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
    mount.set_readonly(volume_mount.read_only());
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
