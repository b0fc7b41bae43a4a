#include "agent/volumes/volume_manager.h"

#include <filesystem>

#include "agent/volumes/container_mounts.h"
#include "agent/volumes/mount_points.h"
#include "agent/volumes/volume_plugins.h"
#include "fleetset/strings.h"

namespace fleetset::agent {
namespace {

namespace fs = std::filesystem;

std::string Named(const v1::Volume& volume, const std::string& problem) {
  return "volume \"" + volume.name() + "\": " + problem;
}

}  // namespace

const v1::Volume* FindVolume(const v1::PodSpec& spec, const std::string& name) {
  for (const v1::Volume& volume : spec.volumes()) {
    if (volume.name() == name) return &volume;
  }
  return nullptr;
}

VolumeManager::VolumeManager(std::vector<std::unique_ptr<VolumePlugin>> plugins)
    : plugins_(std::move(plugins)) {}

const VolumePlugin* VolumeManager::PluginFor(const v1::Volume& volume) const {
  for (const auto& plugin : plugins_) {
    if (plugin->Handles(volume)) return plugin.get();
  }
  return nullptr;
}

std::optional<std::string> VolumeManager::EachVolume(const v1::PodTemplateSpec& pod,
                                                     const PodContext& context,
                                                     VolumeStep step) const {
  for (const v1::Volume& volume : pod.spec().volumes()) {
    const VolumePlugin* plugin = PluginFor(volume);
    if (plugin == nullptr) {
      // A type the manifest model takes before this agent can fill it: the
      // pod waits with the reason rather than run without its files.
      if (step != &VolumePlugin::Prepare) continue;
      return Named(volume, "this agent cannot prepare volumes of this type yet (it prepares " +
                               SupportedTypes() + ")");
    }
    if (std::string error = (plugin->*step)(volume, pod, context); !error.empty()) {
      return Named(volume, error);
    }
  }
  return std::nullopt;
}

std::optional<std::string> VolumeManager::Prepare(const v1::PodTemplateSpec& pod,
                                                  const PodContext& context) const {
  if (auto error = EachVolume(pod, context, &VolumePlugin::Prepare)) return error;
  return PrepareSubPaths(pod.spec(), context);
}

std::optional<std::string> VolumeManager::Update(const v1::PodTemplateSpec& pod,
                                                 const PodContext& context) const {
  return EachVolume(pod, context, &VolumePlugin::Update);
}

void VolumeManager::TearDown(const v1::PodSpec* spec, const PodContext& context) const {
  if (context.pod_dir.empty()) return;
  if (spec != nullptr) {
    for (const v1::Volume& volume : spec->volumes()) {
      if (const VolumePlugin* plugin = PluginFor(volume)) plugin->TearDown(volume, context);
    }
  }
  // Removing files through a live mount would be harmless for a tmpfs, but
  // remove_all must never cross into whatever else might be mounted there.
  UnmountUnder(context.pod_dir);
  if (!MountsUnder(context.pod_dir).empty()) return;
  std::error_code ignored;
  fs::remove_all(context.pod_dir, ignored);
}

std::string VolumeManager::HostPath(const v1::Volume& volume, const PodContext& context) const {
  const VolumePlugin* plugin = PluginFor(volume);
  return plugin == nullptr ? "" : plugin->HostPath(volume, context);
}

bool VolumeManager::MountsReadOnly(const v1::Volume& volume) const {
  const VolumePlugin* plugin = PluginFor(volume);
  return plugin != nullptr && plugin->WritesItsOwnFiles();
}

std::string VolumeManager::SupportedTypes() const {
  std::vector<std::string> names;
  for (const auto& plugin : plugins_) names.emplace_back(plugin->Name());
  return Join(names, ", ");
}

std::optional<std::string> VolumeManager::PrepareSubPaths(const v1::PodSpec& spec,
                                                          const PodContext& context) const {
  auto prepare = [&](const v1::Container& container) -> std::optional<std::string> {
    for (const v1::VolumeMount& mount : container.volume_mounts()) {
      if (mount.sub_path().empty() || !SubPathIsSafe(mount.sub_path())) continue;
      const v1::Volume* volume = FindVolume(spec, mount.name());
      const VolumePlugin* plugin = volume == nullptr ? nullptr : PluginFor(*volume);
      // A subPath into files the agent writes names one of them: creating
      // it as a directory would only hide a missing key.
      if (plugin == nullptr || plugin->WritesItsOwnFiles()) continue;
      const std::string base = plugin->HostPath(*volume, context);
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
    return std::nullopt;
  };
  for (const v1::Container& container : spec.init_containers()) {
    if (auto error = prepare(container)) return error;
  }
  for (const v1::Container& container : spec.containers()) {
    if (auto error = prepare(container)) return error;
  }
  return std::nullopt;
}

std::unique_ptr<VolumeManager> MakeVolumeManager() {
  return std::make_unique<VolumeManager>(DefaultVolumePlugins());
}

}  // namespace fleetset::agent
