// A coordinator's fleet without the network: a real SQLite store in a
// temporary directory, a fake clock, and simulated agents that receive
// desired states through a recording outbox and report pods as a node would
// run them (eligibility decided with the shared rules, pods started at once).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "coordinator/fleet.h"
#include "coordinator/store.h"

namespace fleetset::testing {

class RecordingOutbox final : public coordinator::AgentOutbox {
 public:
  void Offer(std::shared_ptr<const v1::DesiredState> state) override;
  void Close(const grpc::Status& status) override;

  std::shared_ptr<const v1::DesiredState> latest() const;
  int offers() const;
  std::optional<grpc::Status> closed() const;

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const v1::DesiredState> latest_;
  int offers_ = 0;
  std::optional<grpc::Status> closed_;
};

class FleetHarness {
 public:
  FleetHarness();
  ~FleetHarness();

  // Opens (or reopens, after Close) the store and the fleet.
  void Open();
  void Close();
  coordinator::Fleet& fleet() { return *fleet_; }
  FakeClock& clock() { return clock_; }
  coordinator::FleetOptions options;

  // An agent says hello with these labels (plus kubernetes.io/hostname).
  grpc::Status Connect(const std::string& node, Labels labels = {},
                       std::vector<v1::Taint> taints = {});
  // The node's agent acts on the latest desired state and reports: pods of
  // the assigned revision for every DaemonSet the node should run, ready at
  // once unless `ready` is false; other pods stop.
  void RunAgent(const std::string& node, bool ready = true);
  void RunAllAgents();
  // One pass of the control loop.
  void Sync() { fleet_->SyncOnce(); }
  // Sync, then every agent runs, `rounds` times.
  void Settle(int rounds = 3);

  std::shared_ptr<const v1::DesiredState> DesiredOf(const std::string& node) const;
  // The revision hash the node is told to run for ns/name ("" when absent).
  std::string AssignedHash(const std::string& node, const std::string& daemon_set) const;
  const std::vector<v1::Pod>& PodsOn(const std::string& node) { return agents_[node].pods; }

  // Applies YAML through the operator API; fails the test on an error.
  v1::ApplyDaemonSetResponse Apply(const std::string& yaml);
  v1::DaemonSet Get(const std::string& name);

 private:
  struct SimulatedAgent {
    std::shared_ptr<RecordingOutbox> outbox;
    std::vector<v1::Pod> pods;
    int next_pod = 0;
  };

  std::string dir_;
  FakeClock clock_;
  std::unique_ptr<coordinator::Store> store_;
  std::unique_ptr<coordinator::Fleet> fleet_;
  std::map<std::string, SimulatedAgent> agents_;
};

// A DaemonSet manifest for tests: busybox image `image`, RollingUpdate with
// `max_unavailable` ("1", "10%", ...), optional extra pod spec YAML
// (indented for spec.template.spec).
std::string DaemonSetYaml(const std::string& name, const std::string& image,
                          const std::string& max_unavailable = "1",
                          const std::string& extra_pod_spec = "");

}  // namespace fleetset::testing
