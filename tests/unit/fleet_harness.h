// A coordinator without the network: the real server (SQLite store in a
// temporary directory, registries, controllers, agent hub, operator front
// end reached over an in-process channel) on a fake clock, its passes run
// by hand, and simulated agents that receive desired states through a
// recording outbox and report pods as a node would run them (eligibility
// decided with the shared rules, pods started at once).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "coordinator/server.h"
#include "fleetset/v1/operator_service.grpc.pb.h"

namespace fleetset::testing {

class RecordingOutbox final : public coordinator::AgentOutbox {
 public:
  void Offer(std::shared_ptr<const v1::DesiredState> state) override;
  void Close(const coordinator::ApiError& why) override;

  std::shared_ptr<const v1::DesiredState> latest() const;
  int offers() const;
  std::optional<grpc::Status> closed() const;

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const v1::DesiredState> latest_;
  int offers_ = 0;
  std::optional<grpc::Status> closed_;
};

// The coordinator's API as the tests use it: operator calls through the
// operator front end, agent calls as the agent front end makes them.
class FleetClient {
 public:
  explicit FleetClient(coordinator::CoordinatorServer& server);

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
  grpc::Status ListPods(const v1::ListPodsRequest& request, v1::ListPodsResponse* response);
  grpc::Status DeletePod(const v1::DeletePodRequest& request, v1::DeleteResponse* response);
  grpc::Status ExplainPlacement(const v1::ExplainPlacementRequest& request,
                                v1::ExplainPlacementResponse* response);
  grpc::Status ListEvents(const v1::ListEventsRequest& request, v1::ListEventsResponse* response);
  grpc::Status ApplyObject(const v1::ApplyObjectRequest& request,
                           v1::ApplyObjectResponse* response);
  grpc::Status GetObject(const v1::GetObjectRequest& request, v1::Object* object);
  grpc::Status ListObjects(const v1::ListObjectsRequest& request,
                           v1::ListObjectsResponse* response);
  grpc::Status DeleteObject(const v1::DeleteObjectRequest& request, v1::DeleteResponse* response);

  grpc::Status AgentConnected(const v1::Hello& hello,
                              std::shared_ptr<coordinator::AgentOutbox> outbox);
  void AgentReported(const std::string& node_name, const v1::StatusReport& report);
  void AgentHeartbeat(const std::string& node_name);

 private:
  coordinator::CoordinatorServer& server_;
  std::unique_ptr<v1::OperatorService::Stub> stub_;
};

// Where the harnesses of this process keep their fleets: unset (the
// default), SQLite in each harness's own data directory; set, the store
// options `make` returns, once per harness (a fresh etcd prefix, say).
void UseEtcdInFleetHarnesses(std::function<coordinator::storage::EtcdOptions()> make);

class FleetHarness {
 public:
  FleetHarness();
  ~FleetHarness();

  // Starts (or restarts, after Close) the coordinator on the same data.
  void Open();
  void Close();
  // Restarts the coordinator on a copy of `database` (a fleetset.db file);
  // SQLite only.
  void ReopenOn(const std::string& database);
  FleetClient& fleet() { return *client_; }
  // The harness's etcd store, when UseEtcdInFleetHarnesses chose etcd.
  const std::optional<coordinator::storage::EtcdOptions>& etcd() const { return etcd_; }
  // The coordinator's data directory.
  std::string data_dir() const { return dir_ + "/data"; }
  coordinator::CoordinatorServer& server() { return *server_; }
  FakeClock& clock() { return clock_; }
  coordinator::ControllerOptions options;

  // An agent says hello with these labels (plus kubernetes.io/hostname).
  grpc::Status Connect(const std::string& node, Labels labels = {},
                       std::vector<v1::Taint> taints = {});
  // The node's agent acts on the latest desired state and reports: pods of
  // the assigned revision for every DaemonSet the node should run, ready at
  // once unless `ready` is false; other pods stop.
  void RunAgent(const std::string& node, bool ready = true);
  void RunAllAgents();
  // One pass of the controllers and the agent hub.
  void Sync() { server_->SyncOnce(); }
  // Sync, then every agent runs, `rounds` times.
  void Settle(int rounds = 3);

  std::shared_ptr<const v1::DesiredState> DesiredOf(const std::string& node) const;
  // The revision hash the node is told to run for ns/name ("" when absent).
  std::string AssignedHash(const std::string& node, const std::string& daemon_set) const;
  const std::vector<v1::Pod>& PodsOn(const std::string& node) { return agents_[node].pods; }

  // Applies YAML through the operator API; fails the test on an error.
  v1::ApplyDaemonSetResponse Apply(const std::string& yaml);
  v1::DaemonSet Get(const std::string& name);
  // Stores a Secret in the default namespace holding data[key] = value
  // through the operator API and checks it reads back; fails the test on
  // an error.
  void StoreSecret(const std::string& name, const std::string& key, const std::string& value);

 private:
  struct SimulatedAgent {
    std::shared_ptr<RecordingOutbox> outbox;
    std::vector<v1::Pod> pods;
    int next_pod = 0;
  };

  std::string dir_;
  // The harness's fleet in etcd, kept across restarts; unset with SQLite.
  std::optional<coordinator::storage::EtcdOptions> etcd_;
  FakeClock clock_;
  std::unique_ptr<coordinator::CoordinatorServer> server_;
  std::unique_ptr<FleetClient> client_;
  std::map<std::string, SimulatedAgent> agents_;
};

// A DaemonSet manifest for tests: busybox image `image`, RollingUpdate with
// `max_unavailable` ("1", "10%", ...), optional extra pod spec YAML
// (indented for spec.template.spec).
std::string DaemonSetYaml(const std::string& name, const std::string& image,
                          const std::string& max_unavailable = "1",
                          const std::string& extra_pod_spec = "");

}  // namespace fleetset::testing
