// One type of pod volume, as kubelet's volume plugins are: where it lives on
// the node, how it is set up before the pod's sandbox starts, kept current
// while the pod runs, and torn down once the pod is gone. A new volume type
// is a new plugin file, listed in volume_plugins.cc.
#pragma once

#include <string>
#include <string_view>

#include "agent/pod_config_builder.h"
#include "fleetset/v1/pod.pb.h"

namespace fleetset::agent {

class VolumePlugin {
 public:
  virtual ~VolumePlugin() = default;

  // The volume source's field name in a pod spec ("hostPath"), for messages.
  virtual std::string_view Name() const = 0;
  virtual bool Handles(const v1::Volume& volume) const = 0;
  // The directory (or file) on the node that containers mount.
  virtual std::string HostPath(const v1::Volume& volume, const PodContext& context) const = 0;
  // Before the pod's sandbox starts: makes the volume ready to mount.
  // Returns why it cannot be, or "" when it is. Must be idempotent: it runs
  // again for every new sandbox of the pod, and after an agent restart.
  // `pod` is the pod's template, for what a volume shows of the pod itself
  // (the downward API's labels, annotations and resources).
  virtual std::string Prepare(const v1::Volume& volume, const v1::PodTemplateSpec& pod,
                              const PodContext& context) const = 0;
  // While the pod runs, at every sync: brings contents that follow a source
  // up to date (a configMap's keys, a secret's). "" when nothing is wrong.
  virtual std::string Update(const v1::Volume& /*volume*/, const v1::PodTemplateSpec& /*pod*/,
                             const PodContext& /*context*/) const {
    return "";
  }
  // Once the pod's containers are gone: undoes what Prepare did outside the
  // pod's directory, or what the directory's removal cannot (mounts).
  virtual void TearDown(const v1::Volume& /*volume*/, const PodContext& /*context*/) const {}
  // True for volumes whose files the agent writes from a source (configMap,
  // secret, downwardAPI, projected): containers always mount them
  // read-only, as kubelet's, and a subPath into one names a file it has,
  // never a directory to create.
  virtual bool WritesItsOwnFiles() const { return false; }
};

}  // namespace fleetset::agent
