// One pod on this node, as the event loop sees it: who it is, the template
// it runs, everything the agent remembers about it (its runtime state and
// probes) and its latest status. Like kubelet's pod worker, it is driven by
// passes: Sync() hands a copy of the pod's state to the executor, where the
// runtime layer moves the pod toward its spec, the prober runs what is due
// and the status is built; the result comes back to the loop as a posted
// task, and only there becomes the pod's state. Terminate() kills the pod
// the same way.
//
// Threading: every method runs on the event loop. The pass itself touches
// nothing of the worker's, so no lock guards it. One pass or termination
// at a time (the reconciler's to ensure).
#pragma once

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "agent/executor.h"
#include "agent/pod_config_builder.h"
#include "agent/pod_prober.h"
#include "agent/pod_runtime_state.h"
#include "agent/runtime_manager.h"
#include "agent/runtime_snapshot.h"
#include "agent/workload.h"
#include "fleetset/clock.h"
#include "fleetset/pod_owner.h"
#include "fleetset/v1/node.pb.h"
#include "fleetset/v1/pod.pb.h"

namespace fleetset::agent {

// What a pod worker needs from the rest of the agent.
struct PodWorkerDeps {
  const RuntimeManager* runtime = nullptr;
  const PodProber* prober = nullptr;
  const Clock* clock = nullptr;
  // Where passes run, and the loop their results come back to.
  Executor* executor = nullptr;
  boost::asio::io_context* loop = nullptr;
  // node_name, host_ip, log_root, dns_* are copied into every PodContext.
  PodContext node_defaults;
  // <root-dir>/pods; each pod gets <pods_dir>/<uid>.
  std::string pods_dir;
  // Prefix of reported container IDs ("containerd://<id>"), as kubelet.
  std::string runtime_name = "containerd";
};

class PodWorker {
 public:
  // A new pod (new name and UID) of `workload`.
  PodWorker(const PodWorkerDeps& deps, const Workload& workload);
  // A pod found in the runtime (after an agent restart): identity from the
  // sandbox's labels; it runs nothing until AssignTemplate, and is removed
  // with Terminate when nothing claims it.
  PodWorker(const PodWorkerDeps& deps, const SandboxSnapshot& found);
  PodWorker(const PodWorker&) = delete;
  PodWorker& operator=(const PodWorker&) = delete;

  // Gives an adopted worker the template it runs (its owner's workload for
  // the revision it was created with).
  void AssignTemplate(const Workload& workload);
  // The ConfigMaps and Secrets the next passes read.
  void SetPodObjects(std::shared_ptr<const PodObjects> objects) {
    context_.objects = std::move(objects);
  }

  // Starts one pass toward the spec. `sandboxes` are this pod's sandboxes in
  // the latest relist (newest last), or null when it has none. `done(acted)`
  // runs on the loop once the pass's result is the pod's state; acted is
  // true when the pass changed something in the runtime (the reconciler
  // then relists at once instead of waiting for the next period). Never
  // called if the worker is gone by then.
  void Sync(const std::vector<SandboxSnapshot>* sandboxes, std::function<void(bool acted)> done);

  // Marks the pod Terminating and has the runtime layer stop its containers
  // within `grace`, remove its sandboxes and tear down its volumes. `done(ok)`
  // runs on the loop; ok is false when the runtime could not be reached
  // (try again later).
  void Terminate(std::chrono::seconds grace, const std::string& reason,
                 std::function<void(bool ok)> done);

  // The pod as reported to operators.
  v1::Pod Status() const;
  bool Ready() const { return ready_; }
  // When the pod became Ready (for minReadySeconds); nullopt when not ready.
  std::optional<std::chrono::steady_clock::time_point> ReadySince() const { return ready_since_; }
  bool Terminating() const { return terminating_; }
  bool HasTemplate() const { return template_.has_value(); }

  const std::string& uid() const { return context_.pod_uid; }
  const std::string& name() const { return context_.pod_name; }
  const std::string& revision_hash() const { return context_.revision_hash; }
  const PodOwner& owner() const { return owner_; }
  // The pod's grace period from its template (30 s when unknown).
  std::chrono::seconds GracePeriod() const;
  std::map<std::string, std::string> PodTemplateLabels() const;

 private:
  struct PassInput;
  struct PassOutput;
  static PassOutput RunPass(const PassInput& input);
  void Apply(PassOutput output);
  // Runs `task` on `loop` unless the worker (whose `alive` token it is) is
  // gone by then. Any thread: it touches nothing of the worker's.
  template <typename Task>
  static void PostIfAlive(boost::asio::io_context& loop, std::weak_ptr<bool> alive, Task task);

  PodWorkerDeps deps_;
  PodOwner owner_;
  PodContext context_;
  std::optional<v1::PodTemplateSpec> template_;
  PodRuntimeState runtime_state_;
  PodProbes probes_;
  v1::Pod status_;
  bool ready_ = false;
  std::optional<std::chrono::steady_clock::time_point> ready_since_;
  bool terminating_ = false;
  // Expires with the worker: results that come back later are dropped.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

// Kubernetes-style DaemonSet pod name: "<daemonset>-<5 random safe characters>".
std::string GeneratePodName(const std::string& daemon_set_name);

}  // namespace fleetset::agent
