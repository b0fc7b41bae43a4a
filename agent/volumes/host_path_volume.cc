// hostPath: a file or directory of the node itself, checked (or created)
// according to the volume's type, as kubelet's hostPath plugin does.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "agent/volumes/volume_plugins.h"

namespace fleetset::agent {
namespace {

namespace fs = std::filesystem;

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
      if (fd < 0) return "cannot create file " + path + ": " + std::strerror(errno);
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

class HostPathVolume final : public VolumePlugin {
 public:
  std::string_view Name() const override { return "hostPath"; }
  bool Handles(const v1::Volume& volume) const override { return volume.has_host_path(); }
  std::string HostPath(const v1::Volume& volume, const PodContext&) const override {
    return volume.host_path().path();
  }
  std::string Prepare(const v1::Volume& volume, const v1::PodTemplateSpec&,
                      const PodContext&) const override {
    return CheckHostPath(volume.host_path().path(), volume.host_path().type());
  }
};

}  // namespace

std::unique_ptr<VolumePlugin> MakeHostPathVolume() { return std::make_unique<HostPathVolume>(); }

}  // namespace fleetset::agent
