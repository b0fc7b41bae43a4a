// A whole fleet on one machine for end-to-end tests: three nodes, each a
// private real containerd (ContainerdNode) with the real fleetset-agent,
// one real fleetset-coordinator, and fleetsetctl to drive them as an
// operator would. The node names follow a kubeadm cluster: "master"
// registers with the taint node-role.kubernetes.io/master:NoSchedule, the
// workers "worker-1" and "worker-2" with none.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "etcd/etcd_cluster.h"
#include "support/agent_e2e.h"
#include "support/agent_process.h"
#include "support/containerd_node.h"
#include "support/coordinator_process.h"
#include "support/run_command.h"

namespace fleetset::testing {

inline constexpr char kMasterNode[] = "master";
inline constexpr char kWorker1Node[] = "worker-1";
inline constexpr char kWorker2Node[] = "worker-2";
inline constexpr char kMasterTaintKey[] = "node-role.kubernetes.io/master";

// Waits for things a fleet does: a pod on each of three nodes, a rolling
// update over them. Far more than they take, well under the test timeout.
inline constexpr std::chrono::milliseconds kFleetTimeout{60000};
// `rollout status` waits at most this long (its --timeout), so a rollout
// that never finishes fails the test well within ctest's 300 s instead of
// hanging it.
inline constexpr char kRolloutTimeoutFlag[] = "--timeout=90s";

// A table as fleetsetctl (like kubectl) prints it: the header's column
// titles (which may contain single spaces, e.g. "NODE SELECTOR") mapped to
// each row's cells, found by the columns' positions in the header.
using TableRow = std::map<std::string, std::string>;
std::vector<TableRow> ParseTable(const std::string& text);

// One row of `get ds`: NAME DESIRED CURRENT READY UP-TO-DATE AVAILABLE
// NODE SELECTOR AGE, the counts as numbers (-1 when a cell is not one).
struct DaemonSetRow {
  std::string name;
  int desired = -1;
  int current = -1;
  int ready = -1;
  int up_to_date = -1;
  int available = -1;
  std::string node_selector;
  std::string age;
};
std::vector<DaemonSetRow> ParseDaemonSetTable(const std::string& text);
// "name desired/current/ready/up-to-date/available selector", for messages.
std::string ToString(const DaemonSetRow& row);

// "exit N", stdout and stderr of a command, for failure messages.
std::string Show(const CommandResult& result);

// A seed article's DaemonSet manifest (tests/data/seeds/<file>) made
// runnable on the test nodes, which have no network: every container runs
// `image` (sleeping), the host paths it would mount (the host's /var/log
// and /var/lib/docker) are left out, and terminationGracePeriodSeconds is
// 1 (sleep ignores SIGTERM as PID 1, so replacements would otherwise wait
// out the grace period). Everything else — names, namespace, labels,
// selector, nodeSelector, tolerations, resources, env — is the article's.
std::string AdaptSeedManifest(const std::string& seed_file, const std::string& image);

class FleetE2ETest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Runs fleetsetctl against the coordinator: Ctl("get", "ds", "-n", "x").
  template <typename... Args>
  CommandResult Ctl(const Args&... args) {
    return CtlArgs({std::string(args)...});
  }
  CommandResult CtlArgs(const std::vector<std::string>& args);

  // Polls `predicate` every 100 ms until it holds or `timeout` passes;
  // returns its last answer.
  bool WaitFor(const std::function<bool()>& predicate,
               std::chrono::milliseconds timeout = kFleetTimeout);

  // The `get ds NAME -n NAMESPACE` row, or nullopt (e.g. NotFound).
  std::optional<DaemonSetRow> GetDaemonSet(const std::string& name,
                                           const std::string& namespace_name);
  // Waits until `get ds` shows DESIRED, CURRENT, READY, UP-TO-DATE and
  // AVAILABLE all equal to `count`. Records a failure with the last row
  // and returns false when it does not happen within `timeout`.
  bool WaitForDaemonSetCounts(const std::string& name, const std::string& namespace_name, int count,
                              std::chrono::milliseconds timeout = kFleetTimeout);

  // Writes `yaml` into the test's directory; returns the path for -f.
  std::string WriteFile(const std::string& file_name, const std::string& yaml);

  // Gives the local test image a second name in every node's containerd
  // (ctr images tag), so a "new image" needs no registry. Returns false
  // after recording a failure.
  bool TagImageOnAllNodes(const std::string& source, const std::string& target);

  // A machine joins the fleet: a fresh containerd and an agent for node
  // `name` (no taints), Ready in `get nodes` when this returns true.
  bool AddNode(const std::string& name);
  // A machine leaves for good: its agent is killed and its containerd
  // removes every pod and stops. The coordinator still has the node (until
  // `delete node`), as Kubernetes keeps a Node whose kubelet went away.
  void RemoveMachine(const std::string& name);

  // The nodes: master, worker-1, worker-2, then any added.
  const std::vector<std::string>& NodeNames() const { return node_names_; }
  ContainerdNode& Node(const std::string& name);
  CriView& Cri(const std::string& name);
  AgentProcess& Agent(const std::string& name);
  CoordinatorProcess& Coordinator() { return *coordinator_; }
  // Every coordinator: one, or those UseCoordinatorsOnEtcd asked for.
  std::vector<CoordinatorProcess*> Coordinators();
  EtcdCluster* Etcd() { return etcd_.get(); }

  // What each node's runtime holds for the DaemonSet `name` in
  // `namespace_name`, from the test's own CRI view (not the agents').
  std::vector<cri::Container> RuntimeContainers(const std::string& node, const std::string& name,
                                                const std::string& namespace_name);
  std::vector<cri::PodSandbox> RuntimeSandboxes(const std::string& node, const std::string& name,
                                                const std::string& namespace_name);
  // Image references of the running containers of that DaemonSet on
  // `node`, sorted.
  std::vector<std::string> RunningImages(const std::string& node, const std::string& name,
                                         const std::string& namespace_name);

  // Checks (with gtest expectations) that `rollout status ds/NAME` exits 0
  // with kubectl's "daemon set "NAME" successfully rolled out". Bounded by
  // the command's own --timeout.
  void ExpectRolledOut(const std::string& name, const std::string& namespace_name);
  // Checks that every node in `nodes` runs exactly one container of the
  // DaemonSet, on `image`, and the other nodes none — in the runtimes
  // (waiting for replaced containers to stop) and in `get pods -o json`.
  void ExpectFleetRuns(const std::string& name, const std::string& namespace_name,
                       const std::set<std::string>& nodes, const std::string& image);
  // Checks that a finished rolling update (no surge) moved one node at a
  // time, each only after the previous new pod had been Ready for
  // `min_ready`: from the pods' creation times and Ready transition times
  // in `get pods -o json` (whole seconds, so a second of slack).
  void ExpectRolloutPaced(const std::string& name, const std::string& namespace_name,
                          std::chrono::seconds min_ready);
  // Waits until neither `get pods` nor any node's runtime shows anything of
  // the DaemonSet; a failure lists what is left.
  void ExpectAllPodsGone(const std::string& name, const std::string& namespace_name);

 protected:
  // Called from a derived test's constructor: the fleet gets `count`
  // coordinators sharing a real three-member etcd (lease `lease_seconds`),
  // agents and fleetsetctl given every one of them.
  void UseCoordinatorsOnEtcd(int count, int lease_seconds);

 private:
  bool StartFleet();
  bool StartCoordinators();
  // "a:7400,b:7400,c:7400".
  std::string CoordinatorList();
  // Starts the agent of nodes_[index] (agents_ and cri_ follow nodes_).
  bool StartAgent(size_t index);
  // Waits until `get nodes` shows every node in `names` Ready.
  bool WaitForReadyNodes(const std::vector<std::string>& names);
  void DumpFleetState();

  std::string work_dir_;
  std::vector<std::string> node_names_;
  std::vector<std::unique_ptr<ContainerdNode>> nodes_;
  std::vector<std::unique_ptr<CriView>> cri_;
  std::unique_ptr<CoordinatorProcess> coordinator_;
  int coordinator_count_ = 1;
  int lease_seconds_ = 10;
  std::unique_ptr<EtcdCluster> etcd_;
  std::vector<std::unique_ptr<CoordinatorProcess>> more_coordinators_;
  std::vector<std::unique_ptr<AgentProcess>> agents_;
};

}  // namespace fleetset::testing
