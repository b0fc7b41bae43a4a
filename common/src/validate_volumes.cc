// Volumes of the pod and the containers' mounts of them (Kubernetes'
// ValidateVolumes / ValidateVolumeMounts): the source of each volume, and
// the hostPath and emptyDir sources themselves. The sources made of files
// are in validate_volume_files.cc and validate_projected_volumes.cc.
#include "fleetset/names.h"
#include "validation_internal.h"
#include "validation_messages.h"

namespace fleetset::internal {
namespace {

void ValidateHostPath(const v1::HostPathVolumeSource& source, const std::string& path,
                      FieldErrors* errors) {
  const std::string path_path = ChildPath(path, "path");
  if (source.path().empty()) {
    errors->push_back(RequiredError(path_path));
  } else {
    // A relative host path has no meaning on the node (no working directory).
    AppendInvalid(path_path, source.path(), CheckAbsolutePath(source.path()), errors);
    AppendInvalid(path_path, source.path(), CheckNoBacksteps(source.path()), errors);
  }
  const std::string& type = source.type();
  if (type != "" && type != "DirectoryOrCreate" && type != "Directory" && type != "FileOrCreate" &&
      type != "File" && type != "Socket" && type != "CharDevice" && type != "BlockDevice") {
    errors->push_back(UnsupportedError(ChildPath(path, "type"), type,
                                       {"", "DirectoryOrCreate", "Directory", "FileOrCreate",
                                        "File", "Socket", "CharDevice", "BlockDevice"}));
  }
}

void ValidateEmptyDir(const v1::EmptyDirVolumeSource& source, const std::string& path,
                      FieldErrors* errors) {
  if (source.medium() != "" && source.medium() != "Memory") {
    errors->push_back(UnsupportedError(ChildPath(path, "medium"), source.medium(), {"", "Memory"}));
  }
  if (!source.size_limit().empty()) {
    ValidateQuantity(source.size_limit(), QuantityMinimum::kZero, ChildPath(path, "sizeLimit"),
                     errors);
  }
}

// Exactly one source per volume; a second one is reported where it is.
void ValidateSource(const v1::Volume& volume, const std::string& path, FieldErrors* errors) {
  OneOf sources(path, "may not specify more than 1 volume type", errors);
  if (sources.Claim(volume.has_host_path(), "hostPath")) {
    ValidateHostPath(volume.host_path(), ChildPath(path, "hostPath"), errors);
  }
  if (sources.Claim(volume.has_empty_dir(), "emptyDir")) {
    ValidateEmptyDir(volume.empty_dir(), ChildPath(path, "emptyDir"), errors);
  }
  if (sources.Claim(volume.has_secret(), "secret")) {
    ValidateSecretVolume(volume.secret(), ChildPath(path, "secret"), errors);
  }
  if (sources.Claim(volume.has_config_map(), "configMap")) {
    ValidateConfigMapVolume(volume.config_map(), ChildPath(path, "configMap"), errors);
  }
  if (sources.Claim(volume.has_downward_api(), "downwardAPI")) {
    ValidateDownwardApiVolume(volume.downward_api(), ChildPath(path, "downwardAPI"), errors);
  }
  if (sources.Claim(volume.has_projected(), "projected")) {
    ValidateProjectedVolume(volume.projected(), ChildPath(path, "projected"), errors);
  }
  sources.RequireOne("must specify a volume type");
}

bool IsPrivileged(const v1::Container& container) {
  return container.security_context().has_privileged() && container.security_context().privileged();
}

void ValidatePropagation(const v1::Container& container, const std::string& propagation,
                         const std::string& path, FieldErrors* errors) {
  if (propagation.empty()) return;
  if (propagation != "None" && propagation != "HostToContainer" && propagation != "Bidirectional") {
    errors->push_back(
        UnsupportedError(path, propagation, {"Bidirectional", "HostToContainer", "None"}));
  } else if (propagation == "Bidirectional" && !IsPrivileged(container)) {
    // Mounts made in the container reach the host: only for privileged ones.
    errors->push_back(ForbiddenError(
        path, "Bidirectional mount propagation is available only to privileged containers"));
  }
}

}  // namespace

std::set<std::string> ValidateVolumes(const Repeated<v1::Volume>& volumes, const std::string& path,
                                      FieldErrors* errors) {
  std::set<std::string> names;
  for (int i = 0; i < volumes.size(); ++i) {
    const v1::Volume& volume = volumes[i];
    const std::string volume_path = IndexPath(path, i);
    const std::string name_path = ChildPath(volume_path, "name");
    if (volume.name().empty()) {
      errors->push_back(RequiredError(name_path));
    } else {
      AppendInvalid(name_path, volume.name(), CheckDns1123Label(volume.name()), errors);
      if (!names.insert(volume.name()).second) {
        errors->push_back(DuplicateError(name_path, Quote(volume.name())));
      }
    }
    ValidateSource(volume, volume_path, errors);
  }
  return names;
}

void ValidateVolumeMounts(const v1::Container& container, const std::set<std::string>& volume_names,
                          const std::string& path, FieldErrors* errors) {
  std::set<std::string> mount_paths;
  for (int i = 0; i < container.volume_mounts_size(); ++i) {
    const v1::VolumeMount& mount = container.volume_mounts(i);
    const std::string mount_path = IndexPath(path, i);
    const std::string name_path = ChildPath(mount_path, "name");
    if (mount.name().empty()) {
      errors->push_back(RequiredError(name_path));
    } else if (!volume_names.contains(mount.name())) {
      errors->push_back(NotFoundError(name_path, mount.name()));
    }
    const std::string target_path = ChildPath(mount_path, "mountPath");
    if (mount.mount_path().empty()) {
      errors->push_back(RequiredError(target_path));
    } else {
      // The OCI runtime on Linux only takes absolute mount destinations.
      AppendInvalid(target_path, mount.mount_path(), CheckAbsolutePath(mount.mount_path()), errors);
      if (!mount_paths.insert(mount.mount_path()).second) {
        errors->push_back(InvalidError(target_path, Quote(mount.mount_path()), "must be unique"));
      }
    }
    if (!mount.sub_path().empty()) {
      AppendInvalid(ChildPath(mount_path, "subPath"), mount.sub_path(),
                    CheckRelativeDescendingPath(mount.sub_path()), errors);
    }
    ValidatePropagation(container, mount.mount_propagation(),
                        ChildPath(mount_path, "mountPropagation"), errors);
  }
}

}  // namespace fleetset::internal
