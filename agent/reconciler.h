// The agent's control loop, and the only code that changes pod state.
// Level-triggered, like kubelet's: every sync period (and at once after any
// change) it relists what the runtime runs under the agent's labels,
// compares it with what should run — the workloads from the coordinator and
// the static manifests, each filtered by this node's eligibility — and
// starts each pod's next pass (or its termination) through its PodWorker.
// The passes run on the executor, one at a time per pod and side by side
// across pods, so a slow pull or sandbox start never holds up another pod;
// their results come back to the loop as posted tasks (Envoy's dispatcher:
// work is posted to the loop that owns the state).
//
// All methods must be called on the io_context's thread.
#pragma once

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "agent/pod_worker.h"
#include "agent/runtime_snapshot.h"
#include "agent/timer.h"
#include "agent/workload.h"
#include "fleetset/scheduling.h"
#include "fleetset/v1/agent_service.pb.h"

namespace fleetset::agent {

struct ReconcilerOptions {
  std::chrono::milliseconds sync_period{1000};
  // Whether a coordinator is configured: until its desired state (or the
  // cached copy) is known, pods it owns are neither removed nor adopted away.
  bool expect_coordinator = false;
};

class Reconciler {
 public:
  // Relists and pod passes run on deps.executor; `timers` pace the relists.
  Reconciler(const PodWorkerDeps& deps, const ReconcilerOptions& options, TimerFactory& timers);
  ~Reconciler();

  // The node as configured locally (discovered well-known labels, flags).
  void SetLocalNodeFacts(const NodeFacts& facts);
  // The node record and workloads from the coordinator (or its cached copy).
  void SetCoordinatorState(const v1::DesiredState& state);
  // Everything the static manifest directory currently asks for.
  void SetStaticWorkloads(std::vector<Workload> workloads,
                          std::vector<v1::ManifestProblem> problems);
  void SetRuntimeDescription(const std::string& runtime) { runtime_ = runtime; }

  void Start();
  // Stops deciding and dispatching; results of work still in flight are
  // dropped when they arrive. Pods keep running.
  void Stop();

  v1::StatusReport Report() const;
  // Called (on the io_context) whenever Report() would say something new.
  void OnStatusChanged(std::function<void()> callback) { on_change_ = std::move(callback); }
  // The node facts eligibility is evaluated against right now.
  NodeFacts EffectiveNode() const;
  // True once the first relist has completed.
  bool Synced() const { return synced_; }
  // The images the desired state's templates name (containers and init
  // containers), as they name them: pods of this node may need them next,
  // so image garbage collection keeps them.
  std::set<std::string> NeededImages() const;

 private:
  struct Slot {
    std::unique_ptr<PodWorker> worker;
    bool busy = false;
    std::optional<std::string> terminate_reason;
    // The worker's next pass needs a relist started after its last one
    // finished (sequence numbers, so fake clocks cannot confuse it).
    uint64_t min_snapshot_seq = 0;
  };

  void ScheduleTick(std::chrono::milliseconds after);
  void Relist();
  void OnRelisted(grpc::Status status, std::shared_ptr<RuntimeSnapshot> snapshot, uint64_t seq);
  void Decide();
  void DecideWorkload(const Workload& workload, const NodeFacts& node);
  void RequestTermination(Slot& slot, const std::string& reason);
  void Dispatch();
  void NotifyChanged();
  std::vector<Workload> AllWorkloads() const;
  std::vector<PodOnNode> OtherPods(const PodOwner& owner) const;
  void Spawn(const Workload& workload);
  void OnSynced(const std::string& uid, bool acted);
  void OnTerminated(const std::string& uid, bool done);

  PodWorkerDeps deps_;
  ReconcilerOptions options_;
  std::unique_ptr<Timer> timer_;

  NodeFacts local_node_;
  std::optional<v1::DesiredState> coordinator_state_;
  // The ConfigMaps and Secrets of coordinator_state_, for pod passes.
  std::shared_ptr<const PodObjects> objects_ = std::make_shared<const PodObjects>();
  std::vector<Workload> static_workloads_;
  std::vector<v1::ManifestProblem> manifest_problems_;
  std::string runtime_;

  std::map<std::string, Slot> slots_;  // by pod UID
  std::map<std::string, v1::Eligibility> eligibility_;
  // NoExecute taints tolerated for tolerationSeconds: when each owner's
  // pods must go.
  std::map<std::string, std::chrono::steady_clock::time_point> eviction_deadlines_;
  std::shared_ptr<RuntimeSnapshot> snapshot_;
  uint64_t snapshot_seq_ = 0;
  uint64_t relists_started_ = 0;
  bool relisting_ = false;
  bool relist_again_ = false;
  bool synced_ = false;
  bool stopped_ = false;
  std::function<void()> on_change_;
  std::string last_report_digest_;
  // Expires with the reconciler: a relist that comes back later is dropped.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace fleetset::agent
