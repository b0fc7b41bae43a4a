// What kubelet's configMap, secret, downwardAPI and projected plugins share:
// each wraps an emptyDir (a tmpfs when its files may hold secrets, so they
// never reach the node's disk) at <pod_dir>/volumes/kubernetes.io~<type>/
// <volume>, kubelet's layout, and fills it through the atomic writer from
// what its source gives: before the sandbox starts, and again at every sync
// so that running containers see a changed source without a restart.
#pragma once

#include <string>
#include <string_view>

#include "agent/volumes/atomic_writer.h"
#include "agent/volumes/volume_plugin.h"

namespace fleetset::agent {

class WrittenFilesVolume : public VolumePlugin {
 public:
  // Where the files are kept.
  enum class Medium { kDisk, kMemory };

  // `name` is the source's field ("configMap"); `plugin_directory`
  // kubelet's directory for the plugin ("kubernetes.io~configmap").
  WrittenFilesVolume(std::string_view name, std::string_view plugin_directory, Medium medium)
      : name_(name), plugin_directory_(plugin_directory), medium_(medium) {}

  std::string_view Name() const final { return name_; }
  std::string HostPath(const v1::Volume& volume, const PodContext& context) const final;
  // Fails, and the pod waits, while the source cannot give the files (a
  // ConfigMap or key missing and not optional).
  std::string Prepare(const v1::Volume& volume, const v1::PodTemplateSpec& pod,
                      const PodContext& context) const final;
  // Rewrites the files when the source changed. A source that went away
  // (or lost a key) leaves the files as they were, as kubelet's do, and is
  // no error here: that is how a DaemonSet and its ConfigMap are deleted,
  // and a message at every sync would say nothing new. A source that went
  // away but is optional empties the volume, as in kubelet.
  std::string Update(const v1::Volume& volume, const v1::PodTemplateSpec& pod,
                     const PodContext& context) const final;
  void TearDown(const v1::Volume& volume, const PodContext& context) const final;
  bool WritesItsOwnFiles() const final { return true; }

 protected:
  // The volume's files as its source gives them now, or why it cannot.
  virtual std::string Collect(const v1::Volume& volume, const v1::PodTemplateSpec& pod,
                              const PodContext& context, FilePayload* files) const = 0;

 private:
  std::string Write(const v1::Volume& volume, const v1::PodTemplateSpec& pod,
                    const PodContext& context, bool running) const;
  // Files that may be secrets live in memory only.
  bool InMemory() const { return medium_ == Medium::kMemory; }

  std::string_view name_;
  std::string_view plugin_directory_;
  Medium medium_;
};

}  // namespace fleetset::agent
