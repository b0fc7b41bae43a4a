// A pod's volumes through their plugins (kubelet's volume manager, without
// attach/detach): set up before the pod's sandbox starts, kept current while
// it runs, torn down with the pod's directory once its containers are gone.
// Stateless and safe to use from several threads: each call works on one
// pod, and pod work for one pod never runs twice at once.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "agent/volumes/volume_plugin.h"

namespace fleetset::agent {

class VolumeManager {
 public:
  explicit VolumeManager(std::vector<std::unique_ptr<VolumePlugin>> plugins);

  // Prepares every volume of the pod and the subPaths its containers mount
  // (kubelet creates a missing subPath inside the volume before the runtime
  // bind-mounts it, which would otherwise create it as root, 0755). Returns
  // why one cannot be set up, naming the volume.
  std::optional<std::string> Prepare(const v1::PodTemplateSpec& pod,
                                     const PodContext& context) const;
  // Brings volumes that follow a source up to date; the first problem, if any.
  std::optional<std::string> Update(const v1::PodTemplateSpec& pod,
                                    const PodContext& context) const;
  // Tears down the pod's volumes and removes its directory. `spec` may be
  // null (a pod adopted after a restart and removed before anything claimed
  // it): whatever is still mounted under the pod's directory is unmounted
  // all the same, so nothing ever crosses into a live mount.
  void TearDown(const v1::PodSpec* spec, const PodContext& context) const;

  // Where `volume` is on the node; "" for a type no plugin handles.
  std::string HostPath(const v1::Volume& volume, const PodContext& context) const;
  // Whether containers must mount `volume` read-only whatever their
  // volumeMount says (the volumes the agent writes itself).
  bool MountsReadOnly(const v1::Volume& volume) const;
  // The supported types, for messages: "hostPath, emptyDir".
  std::string SupportedTypes() const;

 private:
  using VolumeStep = std::string (VolumePlugin::*)(const v1::Volume&, const v1::PodTemplateSpec&,
                                                   const PodContext&) const;

  const VolumePlugin* PluginFor(const v1::Volume& volume) const;
  // Runs `step` of each volume's plugin; the first error, naming its volume.
  std::optional<std::string> EachVolume(const v1::PodTemplateSpec& pod, const PodContext& context,
                                        VolumeStep step) const;
  std::optional<std::string> PrepareSubPaths(const v1::PodSpec& spec,
                                             const PodContext& context) const;

  std::vector<std::unique_ptr<VolumePlugin>> plugins_;
};

// The volume of `spec` named `name`, or nullptr.
const v1::Volume* FindVolume(const v1::PodSpec& spec, const std::string& name);

// The manager with every supported volume type.
std::unique_ptr<VolumeManager> MakeVolumeManager();

}  // namespace fleetset::agent
