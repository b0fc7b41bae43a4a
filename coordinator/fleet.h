// The coordinator's model of the fleet: DaemonSets with their revisions,
// nodes with what their agents last reported, and the control loop that
// turns both into each node's desired state (which revision of which
// DaemonSet) and into every DaemonSet's status.
//
// One mutex guards it all. Operator requests and agent messages arrive on
// gRPC's threads, change the model under the lock (writing the store first,
// so nothing is acknowledged that a crash could lose) and wake the control
// loop, which plans rollouts and pushes desired states from its own thread.
#pragma once

#include <grpcpp/support/status.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "coordinator/node_daemon_set_state.h"
#include "coordinator/store.h"
#include "fleetset/clock.h"
#include "fleetset/scheduling.h"
#include "fleetset/v1/agent_service.pb.h"
#include "fleetset/v1/operator_service.pb.h"

namespace fleetset::coordinator {

// An agent's open stream, as the fleet sees it. Both calls are made with the
// fleet's lock held and must not block.
class AgentOutbox {
 public:
  virtual ~AgentOutbox() = default;
  // The node's latest desired state; replaces any not yet sent.
  virtual void Offer(std::shared_ptr<const v1::DesiredState> state) = 0;
  // Ends the stream (node deleted, or a newer stream for the same node).
  virtual void Close(const grpc::Status& status) = 0;
};

// An operator's watch. Push is called with the fleet's lock held and must
// not block; it returns false when the watcher cannot keep up, and the
// fleet then drops it.
class WatchSink {
 public:
  virtual ~WatchSink() = default;
  virtual bool Push(const v1::WatchEvent& event) = 0;
};

struct FleetOptions {
  // Without contact for this long a node becomes NotReady and gets the
  // node.kubernetes.io/unreachable taints (kube-controller-manager's
  // --node-monitor-grace-period).
  std::chrono::milliseconds node_grace_period{40000};
  // The loop runs at least this often (liveness, minReadySeconds).
  std::chrono::milliseconds resync_period{1000};
  // Changes arriving within this window share one pass of the loop.
  std::chrono::milliseconds batch_window{20};
  // Told how long each pass of the control loop took (metrics); on the
  // loop's thread, without the lock.
  std::function<void(std::chrono::steady_clock::duration)> pass_observer;
};

// What the coordinator's metrics show of the fleet, taken under its lock.
struct FleetCounts {
  struct DaemonSetCounts {
    std::string namespace_;
    std::string name;
    v1::DaemonSetStatus status;
  };
  size_t connected_agents = 0;
  size_t nodes_ready = 0;
  size_t nodes_not_ready = 0;
  std::vector<DaemonSetCounts> daemon_sets;
};

class Fleet {
 public:
  // Loads everything from `store`; throws StoreError when it cannot.
  Fleet(Store& store, const Clock& clock, FleetOptions options);
  ~Fleet();

  // --- Operator API (each one transaction; errors name field and reason) --
  grpc::Status ApplyDaemonSet(const v1::ApplyDaemonSetRequest& request,
                              v1::ApplyDaemonSetResponse* response);
  grpc::Status GetDaemonSet(const v1::ObjectKey& key, v1::DaemonSet* daemon_set);
  grpc::Status ListDaemonSets(const v1::ListDaemonSetsRequest& request,
                              v1::ListDaemonSetsResponse* response);
  grpc::Status DeleteDaemonSet(const v1::ObjectKey& key, v1::DeleteResponse* response);
  grpc::Status SetImage(const v1::SetImageRequest& request, v1::ApplyDaemonSetResponse* response);
  grpc::Status RolloutStatus(const v1::ObjectKey& key, v1::RolloutStatusResponse* response);
  grpc::Status RolloutHistory(const v1::RolloutHistoryRequest& request,
                              v1::RolloutHistoryResponse* response);
  grpc::Status RolloutUndo(const v1::RolloutUndoRequest& request,
                           v1::ApplyDaemonSetResponse* response);

  grpc::Status GetNode(const std::string& name, v1::Node* node);
  grpc::Status ListNodes(const v1::ListNodesRequest& request, v1::ListNodesResponse* response);
  grpc::Status DeleteNode(const std::string& name, v1::DeleteResponse* response);
  grpc::Status LabelNode(const v1::LabelNodeRequest& request, v1::Node* node);
  grpc::Status TaintNode(const v1::TaintNodeRequest& request, v1::Node* node);
  grpc::Status SetNodeSchedulable(const v1::SetNodeSchedulableRequest& request, v1::Node* node);

  grpc::Status ListPods(const v1::ListPodsRequest& request, v1::ListPodsResponse* response);
  grpc::Status DeletePod(const v1::DeletePodRequest& request, v1::DeleteResponse* response);
  grpc::Status ExplainPlacement(const v1::ExplainPlacementRequest& request,
                                v1::ExplainPlacementResponse* response);
  grpc::Status ListEvents(const v1::ListEventsRequest& request, v1::ListEventsResponse* response);

  // Sends the current objects as ADDED, then every change.
  grpc::Status AddWatcher(const v1::WatchRequest& request, std::shared_ptr<WatchSink> sink,
                          uint64_t* id);
  void RemoveWatcher(uint64_t id);

  // --- Agent API ---------------------------------------------------------
  // Registers (or refreshes) the node and attaches its stream, replacing an
  // older one; offers the current desired state at once.
  grpc::Status AgentConnected(const v1::Hello& hello, std::shared_ptr<AgentOutbox> outbox);
  void AgentReported(const std::string& node_name, const v1::StatusReport& report);
  void AgentHeartbeat(const std::string& node_name);
  void AgentDisconnected(const std::string& node_name, const AgentOutbox* outbox);

  // --- The control loop ---------------------------------------------------
  // One pass: node liveness, rollout planning, status, desired states.
  void SyncOnce();
  // Passes until Stop(); `after_pass` runs after each (systemd watchdog).
  void RunLoop(const std::function<void()>& after_pass);
  void Stop();

  // "3 nodes (2 Ready), 2 daemon sets" for systemd's STATUS=.
  std::string Summary() const;
  // fleet_counts.cc
  FleetCounts Counts() const;

 private:
  struct DaemonSetRecord {
    // Metadata and spec as stored; status is computed into `status`.
    v1::DaemonSet object;
    // Oldest first.
    std::vector<v1::DaemonSetRevision> revisions;
    std::string newest_hash;
    v1::DaemonSetStatus status;
  };

  struct NodeRecord {
    v1::StoredNode stored;
    std::shared_ptr<AgentOutbox> outbox;
    std::chrono::steady_clock::time_point last_contact;
    // Whether the node has ever been in contact since this process started.
    bool contacted = false;
    std::optional<v1::StatusReport> report;
    // The last desired state built for the node (without its version), to
    // tell when it changed; and what was offered.
    std::string desired_fingerprint;
    std::shared_ptr<const v1::DesiredState> desired;
    bool desired_dirty = true;
  };

  struct Watcher {
    v1::WatchRequest request;
    std::optional<StringSelector> selector;
    std::shared_ptr<WatchSink> sink;
  };

  using Lock = std::unique_lock<std::mutex>;

  // fleet.cc
  void Load();
  // Writes `change`; INTERNAL (and nothing changed) when the store fails.
  grpc::Status CommitLocked(const StoreChange& change);
  void Wake();
  WallTime WallNow() const { return clock_.WallNow(); }
  uint64_t NextDesiredVersion();
  DaemonSetRecord* FindDaemonSet(const DaemonSetKey& key);
  NodeRecord* FindNode(const std::string& name);
  v1::Event MakeEvent(const std::string& involved_object, const std::string& type,
                      const std::string& reason, const std::string& message) const;
  void RecordEvent(v1::Event event);
  void MarkAllNodesDirty();

  // fleet_daemon_sets.cc
  grpc::Status StoreDaemonSet(v1::DaemonSet daemon_set, bool create_only, bool dry_run,
                              const std::string& changed_result,
                              v1::ApplyDaemonSetResponse* response);
  v1::DaemonSet WithStatus(const DaemonSetRecord& record) const;

  // fleet_nodes.cc
  grpc::Status UpdateNode(const std::string& name,
                          const std::function<grpc::Status(v1::Node&)>& mutate, v1::Node* result);
  static bool NodeReady(const v1::Node& node);
  void SetReadyCondition(v1::Node& node, bool ready);
  v1::Node PublicNode(const NodeRecord& record) const;

  // fleet_sync.cc
  NodeFacts FactsOf(const NodeRecord& node) const;
  NodeDaemonSetState StateOf(const DaemonSetRecord& daemon_set, const NodeRecord& node) const;
  std::vector<NodeDaemonSetState> StatesOf(const DaemonSetRecord& daemon_set) const;
  void CheckLiveness(StoreChange& change);
  using StatesByDaemonSet = std::map<DaemonSetKey, std::vector<NodeDaemonSetState>>;
  // Uses the states (moved out and back in).
  void PlanRollouts(StatesByDaemonSet& states, StoreChange& change);
  void RefreshStatuses(const StatesByDaemonSet& states);
  void PushDesiredStates();
  v1::DesiredState BuildDesiredState(const NodeRecord& node) const;
  void OfferIfChanged(NodeRecord& node);

  // fleet_pods.cc / fleet_watch.cc
  void RecordPodChanges(const NodeRecord& node, const v1::StatusReport& before,
                        const v1::StatusReport& after);
  void Publish(const v1::WatchEvent& event, const std::string& namespace_,
               const google::protobuf::Map<std::string, std::string>& labels);
  void PublishDaemonSet(const std::string& type, const DaemonSetRecord& record);
  void PublishNode(const std::string& type, const NodeRecord& record);
  void PublishPod(const std::string& type, const v1::Pod& pod);

  Store& store_;
  const Clock& clock_;
  FleetOptions options_;

  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool pending_ = false;
  bool stopped_ = false;

  std::map<DaemonSetKey, DaemonSetRecord> daemon_sets_;
  std::map<std::string, NodeRecord> nodes_;
  // Oldest first; a deque, as the oldest is dropped for every new one.
  std::deque<v1::Event> events_;
  std::vector<v1::Event> unsaved_events_;
  // Desired-state versions are (start epoch << 32 | counter); see
  // FirstDesiredVersion.
  uint64_t desired_version_ = 0;
  std::map<uint64_t, Watcher> watchers_;
  uint64_t next_watcher_id_ = 1;
};

}  // namespace fleetset::coordinator
