// One pod on this node and everything that keeps it running: its sandbox,
// init containers in order, app containers with crash-loop back-off, image
// pulls per imagePullPolicy, probes, graceful termination, and its status.
// Like kubelet's pod worker (and Nomad's alloc runner), it is driven by
// Sync() passes; each pass looks at the runtime snapshot and makes the CRI
// calls needed to move the pod toward its spec.
//
// Threading: Sync() and Terminate() block on CRI calls and run on a worker
// pool, never two at once for the same worker (the reconciler guarantees
// it). Status() and the accessors may be called from any thread.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "agent/backoff.h"
#include "agent/cri_runtime.h"
#include "agent/pod_config_builder.h"
#include "agent/probe_executor.h"
#include "agent/probe_tracker.h"
#include "agent/registry_credentials.h"
#include "agent/runtime_snapshot.h"
#include "fleetset/clock.h"
#include "fleetset/v1/node.pb.h"
#include "fleetset/v1/pod.pb.h"

namespace fleetset::agent {

// What a pod worker needs from the rest of the agent.
struct PodWorkerDeps {
  CriRuntime* runtime = nullptr;
  const Clock* clock = nullptr;
  ProbeExecutor* probes = nullptr;
  // node_name, host_ip, log_root, dns_* are copied into every PodContext.
  PodContext node_defaults;
  // <root-dir>/pods; each pod gets <pods_dir>/<uid>.
  std::string pods_dir;
  // Prefix of reported container IDs ("containerd://<id>"), as kubelet.
  std::string runtime_name = "containerd";
  // Pull credentials; null: pull anonymously.
  const RegistryCredentials* credentials = nullptr;
};

// Who a pod belongs to.
struct PodOwner {
  std::string daemon_set_namespace;
  std::string daemon_set_name;
  bool static_pod = false;
  // "namespace/name", prefixed "static:" for static manifests.
  std::string Key() const;
};

class PodWorker {
 public:
  // A new pod (new name and UID) for `owner` running `template_spec`.
  PodWorker(const PodWorkerDeps& deps, const PodOwner& owner,
            const v1::PodTemplateSpec& template_spec, const std::string& revision_hash);
  // A pod found in the runtime (after an agent restart): identity from the
  // sandbox's labels; it runs nothing until AssignTemplate, and is removed
  // with Terminate when nothing claims it.
  PodWorker(const PodWorkerDeps& deps, const SandboxSnapshot& found);

  // Gives an adopted worker the template it runs (the owner's current
  // template for the revision it was created with).
  void AssignTemplate(const v1::PodTemplateSpec& template_spec);

  // One pass toward the spec. `sandboxes` are this pod's sandboxes in the
  // latest relist (newest last), or null when the pod has none.
  // Returns true when it changed something in the runtime (the reconciler
  // then relists at once instead of waiting for the next period).
  bool Sync(const std::vector<SandboxSnapshot>* sandboxes);

  // Stops every container within `grace` (kubelet: SIGTERM, then SIGKILL
  // when it expires), removes the sandboxes and the pod's emptyDirs.
  // Returns false when the runtime could not be reached (retry later).
  bool Terminate(std::chrono::seconds grace, const std::string& reason);

  // Thread-safe snapshot of the pod as reported to operators.
  v1::Pod Status() const;
  bool Ready() const;
  // When the pod became Ready (for minReadySeconds); nullopt when not ready.
  std::optional<std::chrono::steady_clock::time_point> ReadySince() const;
  bool Terminating() const;
  bool HasTemplate() const;

  const std::string& uid() const { return context_.pod_uid; }
  const std::string& name() const { return context_.pod_name; }
  const std::string& revision_hash() const { return context_.revision_hash; }
  const PodOwner& owner() const { return owner_; }
  // The pod's grace period from its template (30 s when unknown).
  std::chrono::seconds GracePeriod() const;
  std::map<std::string, std::string> PodTemplateLabels() const;

 private:
  struct ContainerState {
    // Restart count of the newest container (its CRI attempt).
    uint32_t restart_count = 0;
    // Whether this pod ever ran the container (in any sandbox), so a
    // container recreated in a new sandbox counts as a restart.
    bool ever_started = false;
    // Why the container is not running, when the agent knows
    // (ErrImagePull, ImagePullBackOff, CrashLoopBackOff, CreateContainerError...).
    std::string waiting_reason;
    std::string waiting_message;
    std::optional<ProbeTracker> liveness;
    std::optional<ProbeTracker> readiness;
    std::optional<ProbeTracker> startup;
    // The container id the trackers belong to.
    std::string probed_container_id;
    std::optional<std::chrono::steady_clock::time_point> last_pull_failure;
    // The runtime's message for that failure, repeated while backing off.
    std::string last_pull_error;
  };

  cri::PodSandboxConfig SandboxConfig(uint32_t attempt) const;
  bool EnsureSandbox(const std::vector<SandboxSnapshot>* sandboxes,
                     std::vector<cri::Container>* containers);
  void RemoveSandboxes(const std::vector<SandboxSnapshot>& sandboxes, const std::string& keep_id);
  // Returns true when every init container has completed.
  bool SyncInitContainers(const std::vector<cri::Container>& containers);
  void SyncAppContainer(const v1::Container& spec, const std::vector<cri::Container>& containers);
  // Starts (or restarts, honouring back-off) `spec`; `previous` is its
  // newest exited container, if any.
  void StartContainer(const v1::Container& spec, const cri::Container* previous, bool init);
  void RemoveOlderContainers(const std::string& name, const std::vector<cri::Container>& containers,
                             const std::string& keep_id);
  ProbeOutcome RunProbe(const v1::Probe& probe, const v1::Container& spec,
                        const std::string& container_id);
  void KillForProbe(const v1::Container& spec, const cri::Container& running,
                    const std::string& which, const ProbeTracker& tracker);
  std::chrono::steady_clock::time_point ToSteady(int64_t unix_nanos) const;
  v1::ContainerStatus BuildContainerStatus(const v1::Container& spec,
                                           const std::vector<cri::Container>& containers, bool init,
                                           bool initialized);
  bool EnsureImage(const v1::Container& spec, ContainerState& state);
  void RunProbes(const v1::Container& spec, const cri::Container& running, ContainerState& state);
  const cri::ContainerStatus* ExitedStatus(const cri::Container& container);
  void PublishStatus(const std::vector<cri::Container>& containers, bool initialized);

  PodWorkerDeps deps_;
  PodOwner owner_;
  PodContext context_;
  std::optional<v1::PodTemplateSpec> template_;
  std::chrono::system_clock::time_point created_;

  // Touched only by Sync/Terminate (serialised by the reconciler).
  std::string sandbox_id_;
  uint32_t sandbox_attempt_ = 0;
  // After a failed RunPodSandbox the pod waits this long before the next
  // try, as kubelet's pod worker backs off after a failed sync, instead of
  // retrying (and logging) at every relist.
  std::optional<std::chrono::steady_clock::time_point> sandbox_retry_at_;
  Backoff backoff_;
  std::map<std::string, ContainerState> containers_;
  // ContainerStatus of exited containers never changes: asked once.
  std::map<std::string, cri::ContainerStatus> exited_status_cache_;
  std::string pod_error_;
  // Whether the worker changed anything during the current pass.
  bool acted_ = false;
  // Start times of running containers (asked once per container).
  std::map<std::string, int64_t> started_at_cache_;

  mutable std::mutex status_mutex_;
  v1::Pod status_;
  bool ready_ = false;
  std::optional<std::chrono::steady_clock::time_point> ready_since_;
  bool terminating_ = false;
};

// kubelet's pod-worker back-off after a failed sync (there jittered up to
// 15 s): the wait before a pod whose sandbox failed tries again.
inline constexpr std::chrono::seconds kSandboxRetryPeriod{10};

// Kubernetes-style DaemonSet pod name: "<daemonset>-<5 random safe characters>".
std::string GeneratePodName(const std::string& daemon_set_name);
}  // namespace fleetset::agent
