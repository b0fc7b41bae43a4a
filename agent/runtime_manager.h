// The runtime layer (kubelet's kuberuntime manager): what a pod needs from
// the CRI runtime, in the pod's terms. It lists the agent's pods, syncs one
// pod toward its spec (sandbox, init containers in order, app containers
// with crash-loop back-off, image pulls per imagePullPolicy), kills a pod
// or one container, and reads what a pod's status needs. It builds every
// CRI request; nothing above it does.
//
// Its calls block on the runtime and run on the executor, never on the
// event loop. It keeps no state of its own (a pod's is in the
// PodRuntimeState passed in), so pods' passes run side by side.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "agent/cri_runtime.h"
#include "agent/executor.h"
#include "agent/lifecycle_hooks.h"
#include "agent/pod_config_builder.h"
#include "agent/pod_log_cleanup.h"
#include "agent/pod_runtime_state.h"
#include "agent/probe_executor.h"
#include "agent/registry_credentials.h"
#include "agent/runtime_snapshot.h"
#include "agent/volumes/volume_manager.h"
#include "fleetset/clock.h"
#include "fleetset/v1/pod.pb.h"

namespace fleetset::agent {

// kubelet's minimumGracePeriodInSeconds: however little of the grace
// period a preStop hook leaves, a container gets this long to stop before
// it is killed.
inline constexpr std::chrono::seconds kMinimumStopGrace{2};

struct RuntimeManagerDeps {
  CriRuntime* runtime = nullptr;
  const VolumeManager* volumes = nullptr;
  const Clock* clock = nullptr;
  // Runs the parallel container stops of KillPod.
  Executor* executor = nullptr;
  // The node whose agent owns what is listed (the fleetset.io/node label).
  std::string node_name;
  // Runs lifecycle hooks' actions (exec, HTTP GET); null: hooks are not run.
  ProbeExecutor* hook_actions = nullptr;
  // Pull credentials; null: pull anonymously.
  const RegistryCredentials* credentials = nullptr;
  // Records each pod's log directory before its sandbox is created, and
  // removes it when the pod is killed; null: pod logs are left alone.
  const PodLogLedger* pod_logs = nullptr;
  RuntimeBackoffs backoffs;
};

// What one SyncPod pass found and did.
struct PodSyncResult {
  // Whether it changed something in the runtime (the reconciler then
  // relists at once instead of waiting for the next period).
  bool acted = false;
  // The pod has a ready sandbox, and its init containers have all completed.
  bool sandbox_ready = false;
  bool initialized = false;
  // The sandbox's containers as the pass found them, oldest first.
  std::vector<cri::Container> containers;
};

// The runtime's view of a pod, for its status.
struct RuntimePodStatus {
  // The sandbox's containers, oldest first.
  std::vector<cri::Container> containers;
  // Final statuses of the exited ones, by container id.
  std::map<std::string, cri::ContainerStatus> exited;
  // When the running ones started (Unix nanoseconds), by container id.
  std::map<std::string, int64_t> started_at;
};

class RuntimeManager {
 public:
  explicit RuntimeManager(RuntimeManagerDeps deps);

  // A new pod's state; that of a pod found in the runtime (its ready sandbox).
  PodRuntimeState NewPodState() const;
  PodRuntimeState AdoptedPodState(const SandboxSnapshot& found) const;

  // Every sandbox and container labelled as this node's agent's.
  grpc::Status ListPods(RuntimeSnapshot* snapshot) const;

  // One pass toward `pod`. `sandboxes` are the pod's sandboxes in the latest
  // relist (newest last), or null when it has none.
  PodSyncResult SyncPod(const v1::PodTemplateSpec& pod, const PodContext& context,
                        const std::vector<SandboxSnapshot>* sandboxes,
                        PodRuntimeState& state) const;

  // Stops one container of the pod (a failed probe or postStart hook)
  // within `grace`, as kubelet's killContainer: its preStop hook (`spec`
  // null: none known) runs first and the time it takes comes out of
  // `grace`, which leaves the stop itself at least kMinimumStopGrace.
  // Returns whether the runtime stopped it.
  bool KillContainer(const PodContext& context, const v1::Container* spec,
                     const std::string& container_id, std::chrono::seconds grace) const;

  // Stops every container of the pod as KillContainer does (preStop hooks
  // included), all at once so that `grace` bounds the whole stop (kubelet:
  // SIGTERM, then SIGKILL when it expires), then
  // removes its sandboxes, tears down its volumes (`spec` null when not
  // known) and removes its log directory: the pod is gone for good. `done(ok)` runs on an executor
  // thread; ok is false when the runtime could not be reached (try again later).
  void KillPod(const PodContext& context, const v1::PodSpec* spec, std::chrono::seconds grace,
               std::function<void(bool ok)> done) const;

  // What the status of the pod in `sandbox_id` needs: `containers` as the
  // pass found them, listed afresh when `relist` (the pass changed them).
  RuntimePodStatus GetPodStatus(const std::string& sandbox_id,
                                std::vector<cri::Container> containers, bool relist,
                                PodRuntimeState& state) const;

  // The final status of an exited container (cached in `state`); null
  // when the runtime does not say it exited.
  const cri::ContainerStatus* ExitedStatus(const cri::Container& container,
                                           PodRuntimeState& state) const;

  const RuntimeManagerDeps& deps() const { return deps_; }
  // Null when hooks are not run.
  const LifecycleHooks* hooks() const { return hooks_ ? &*hooks_ : nullptr; }

 private:
  RuntimeManagerDeps deps_;
  std::optional<LifecycleHooks> hooks_;
};

}  // namespace fleetset::agent
