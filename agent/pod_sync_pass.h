// One RuntimeManager::SyncPod pass over one pod: the sandbox, then init
// containers in order, then app containers, each with its back-off and
// image pull. Internal to the runtime layer.
#pragma once

#include <string>
#include <vector>

#include "agent/runtime_manager.h"

namespace fleetset::agent {

class PodSyncPass {
 public:
  PodSyncPass(const RuntimeManager& manager, const v1::PodTemplateSpec& pod,
              const PodContext& context, PodRuntimeState& state);

  PodSyncResult Run(const std::vector<SandboxSnapshot>* sandboxes);

 private:
  // pod_sync_sandbox.cc
  cri::PodSandboxConfig SandboxConfig(uint32_t attempt) const;
  bool EnsureSandbox(const std::vector<SandboxSnapshot>* sandboxes,
                     std::vector<cri::Container>* containers);
  void RemoveSandboxes(const std::vector<SandboxSnapshot>& sandboxes, const std::string& keep_id);
  void LearnPodIp();

  // pod_sync_containers.cc
  // Returns true when every init container has completed.
  bool SyncInitContainers(const std::vector<cri::Container>& containers);
  void SyncAppContainer(const v1::Container& spec, const std::vector<cri::Container>& containers);
  // Starts (or restarts, honouring back-off) `spec`; `previous` is its
  // newest exited container, if any.
  void StartContainer(const v1::Container& spec, const cri::Container* previous, bool init);
  // Runs the postStart hook of the just started container `container_id`;
  // when it fails, kills the container (kubelet's FailedPostStartHook, and
  // the container restarts with back-off) and says why in `container`.
  void RunPostStartHook(const v1::Container& spec, const std::string& container_id,
                        ContainerRuntimeState& container);
  void RemoveOlderContainers(const std::string& name, const cri::Container& keep);
  std::chrono::steady_clock::time_point ToSteady(int64_t unix_nanos) const;

  // pod_sync_images.cc
  bool EnsureImage(const v1::Container& spec, ContainerRuntimeState& container);

  const RuntimeManager& manager_;
  CriRuntime& runtime_;
  const Clock& clock_;
  const v1::PodTemplateSpec& pod_;
  // The pod's context with what the pass learns (its IP).
  PodContext context_;
  PodRuntimeState& state_;
  bool acted_ = false;
};

}  // namespace fleetset::agent
