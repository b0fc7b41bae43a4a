// The agent's control loop. Level-triggered, like kubelet's: every sync
// period (and at once after any change) it relists what the runtime runs
// under the agent's labels, compares it with what should run — the
// workloads from the coordinator and the static manifests, each filtered by
// this node's eligibility — and hands each pod's work to its PodWorker on a
// thread pool, so a slow pull or sandbox start never holds up another pod.
//
// All methods must be called on the io_context's thread; CRI work happens on
// the pool and its results are posted back.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "agent/pod_worker.h"
#include "agent/runtime_snapshot.h"
#include "agent/workload.h"
#include "fleetset/scheduling.h"
#include "fleetset/v1/agent_service.pb.h"

namespace fleetset::agent {

struct ReconcilerOptions {
  std::chrono::milliseconds sync_period{1000};
  // Pod workers run on this many threads (blocking CRI calls).
  size_t worker_threads = 8;
  // Whether a coordinator is configured: until its desired state (or the
  // cached copy) is known, pods it owns are neither removed nor adopted away.
  bool expect_coordinator = false;
};

class Reconciler {
 public:
  Reconciler(boost::asio::io_context& io, const PodWorkerDeps& deps,
             const ReconcilerOptions& options);
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
  // Stops the loop and waits for in-flight CRI work. Pods keep running.
  void Stop();

  v1::StatusReport Report() const;
  // Called (on the io_context) whenever Report() would say something new.
  void OnStatusChanged(std::function<void()> callback) { on_change_ = std::move(callback); }
  // The node facts eligibility is evaluated against right now.
  NodeFacts EffectiveNode() const;
  // True once the first relist has completed.
  bool Synced() const { return synced_; }

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
  std::vector<PodOnNode> OtherPods(const std::string& owner_key) const;
  void Spawn(const Workload& workload);

  boost::asio::io_context& io_;
  PodWorkerDeps deps_;
  ReconcilerOptions options_;
  boost::asio::thread_pool pool_;
  boost::asio::steady_timer timer_;

  NodeFacts local_node_;
  std::optional<v1::DesiredState> coordinator_state_;
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
};

}  // namespace fleetset::agent
