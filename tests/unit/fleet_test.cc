// The coordinator's fleet logic with simulated agents: placement, status,
// rolling updates, node liveness, persistence across restarts.
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <set>

#include "fleetset/version.h"
#include "unit/fleet_harness.h"

namespace fleetset::testing {
namespace {

v1::Taint MasterTaint() {
  v1::Taint taint;
  taint.set_key("node-role.kubernetes.io/master");
  taint.set_effect("NoSchedule");
  return taint;
}

v1::ObjectKey Key(const std::string& name) {
  v1::ObjectKey key;
  key.set_name(name);
  return key;
}

grpc::Status SetImage(FleetClient& fleet, const std::string& name, const std::string& image) {
  v1::SetImageRequest request;
  *request.mutable_key() = Key(name);
  (*request.mutable_images())["main"] = image;
  v1::ApplyDaemonSetResponse response;
  return fleet.SetImage(request, &response);
}

grpc::Status History(FleetClient& fleet, const std::string& name,
                     v1::RolloutHistoryResponse* revisions) {
  v1::RolloutHistoryRequest request;
  *request.mutable_key() = Key(name);
  return fleet.RolloutHistory(request, revisions);
}

// Every write to the node reports after a given one, as a watch sees them.
class ReportWrites {
 public:
  ReportWrites(const coordinator::Registry<v1::NodeReport>& reports, const v1::NodeReport& after) {
    coordinator::WatchOptions options;
    options.resource_version = after.metadata().resource_version();
    watch_ = reports.Watch(options, [this](const auto& event) {
      std::lock_guard lock(mu_);
      writes_.push_back(event.object);
      written_.notify_all();
    });
  }

  std::vector<v1::NodeReport> Seen() {
    std::lock_guard lock(mu_);
    return writes_;
  }
  // The first write that marked a report stale (the node's decisions
  // waiting for it to see a newer state), waiting up to 10 s for one.
  std::optional<v1::NodeReport> FirstStale() {
    std::unique_lock lock(mu_);
    std::optional<v1::NodeReport> stale;
    written_.wait_for(lock, std::chrono::seconds(10), [&] {
      for (const v1::NodeReport& report : writes_) {
        if (report.desired_version() < report.offered_version()) stale = report;
        if (stale) return true;
      }
      return false;
    });
    return stale;
  }

 private:
  std::mutex mu_;
  std::condition_variable written_;
  std::vector<v1::NodeReport> writes_;
  std::unique_ptr<coordinator::storage::WatchHandle> watch_;
};

class FleetTest : public ::testing::Test {
 protected:
  // node-00 ... node-NN
  std::vector<std::string> ConnectNodes(int count) {
    std::vector<std::string> names;
    for (int i = 0; i < count; ++i) {
      char name[16];
      snprintf(name, sizeof name, "node-%02d", i);
      EXPECT_TRUE(harness_.Connect(name).ok());
      names.push_back(name);
    }
    return names;
  }

  // node-00 running DaemonSet "agent" on agent:1, its node report written
  // and current (the node's decisions count); returns that report.
  v1::NodeReport OneNodeSettledOnAgent1() {
    ConnectNodes(1);
    harness_.Apply(DaemonSetYaml("agent", "agent:1"));
    harness_.Settle();
    const v1::NodeReport settled = harness_.server().registries().node_reports.Get("", "node-00");
    EXPECT_GE(settled.desired_version(), settled.offered_version());
    return settled;
  }

  FleetHarness harness_;
};

TEST_F(FleetTest, TaintedMasterGetsNoPodUntilTheDaemonSetToleratesIt) {
  ASSERT_TRUE(harness_.Connect("master", {}, {MasterTaint()}).ok());
  ASSERT_TRUE(harness_.Connect("worker-1").ok());
  ASSERT_TRUE(harness_.Connect("worker-2").ok());
  EXPECT_EQ(harness_.Apply(DaemonSetYaml("logs", "busybox:1")).result(), "created");
  harness_.Settle();
  v1::DaemonSet daemon_set = harness_.Get("logs");
  EXPECT_EQ(daemon_set.status().desired_number_scheduled(), 2);
  EXPECT_EQ(daemon_set.status().number_ready(), 2);
  EXPECT_TRUE(harness_.PodsOn("master").empty());

  harness_.Apply(DaemonSetYaml("logs", "busybox:1", "1",
                               "      tolerations:\n"
                               "      - key: node-role.kubernetes.io/master\n"
                               "        effect: NoSchedule\n"));
  harness_.Settle(25);
  daemon_set = harness_.Get("logs");
  EXPECT_EQ(daemon_set.status().desired_number_scheduled(), 3);
  EXPECT_EQ(daemon_set.status().number_available(), 3);
  EXPECT_EQ(daemon_set.status().updated_number_scheduled(), 3);
  EXPECT_EQ(harness_.PodsOn("master").size(), 1u);
}

TEST_F(FleetTest, LabellingTwoNodesMakesDesiredTwo) {
  ConnectNodes(3);
  harness_.Apply(DaemonSetYaml("fluentd", "fluentd:1", "1",
                               "      nodeSelector:\n"
                               "        logger: fluentd\n"));
  harness_.Settle();
  EXPECT_EQ(harness_.Get("fluentd").status().desired_number_scheduled(), 0);
  for (const char* node : {"node-00", "node-01"}) {
    v1::LabelNodeRequest request;
    request.set_name(node);
    (*request.mutable_set())["logger"] = "fluentd";
    v1::Node updated;
    ASSERT_TRUE(harness_.fleet().LabelNode(request, &updated).ok());
    EXPECT_EQ(updated.metadata().labels().at("logger"), "fluentd");
  }
  harness_.Settle();
  v1::DaemonSet daemon_set = harness_.Get("fluentd");
  EXPECT_EQ(daemon_set.status().desired_number_scheduled(), 2);
  EXPECT_EQ(daemon_set.status().current_number_scheduled(), 2);
  EXPECT_EQ(harness_.PodsOn("node-02").size(), 0u);
}

TEST_F(FleetTest, RollingUpdateMovesOneNodeAtATimeInNameOrder) {
  const std::vector<std::string> nodes = ConnectNodes(20);
  harness_.Apply(DaemonSetYaml("agent", "agent:1"));
  harness_.Settle();
  ASSERT_EQ(harness_.Get("agent").status().number_available(), 20);
  const std::string old_hash = harness_.AssignedHash("node-00", "default/agent");

  ASSERT_TRUE(SetImage(harness_.fleet(), "agent", "agent:2").ok());
  std::vector<std::string> order;
  for (int step = 0; step < 25 && order.size() < nodes.size(); ++step) {
    harness_.Sync();
    std::vector<std::string> moving;
    for (const std::string& node : nodes) {
      const bool updated = harness_.AssignedHash(node, "default/agent") != old_hash;
      const bool seen = std::find(order.begin(), order.end(), node) != order.end();
      if (updated && !seen) moving.push_back(node);
    }
    // maxUnavailable 1: never more than one node between revisions.
    ASSERT_LE(moving.size(), 1u) << "step " << step;
    order.insert(order.end(), moving.begin(), moving.end());
    harness_.RunAllAgents();
  }
  EXPECT_EQ(order, nodes);
  harness_.Settle();
  v1::DaemonSet daemon_set = harness_.Get("agent");
  EXPECT_EQ(daemon_set.status().updated_number_scheduled(), 20);
  EXPECT_EQ(daemon_set.status().number_available(), 20);
}

TEST_F(FleetTest, ASpecChangeReachesOnlyTheNodesItMoves) {
  const std::vector<std::string> nodes = ConnectNodes(3);
  harness_.Apply(DaemonSetYaml("agent", "agent:1"));
  harness_.Settle();
  std::map<std::string, uint64_t> versions;
  for (const std::string& node : nodes) versions[node] = harness_.DesiredOf(node)->version();

  ASSERT_TRUE(SetImage(harness_.fleet(), "agent", "agent:2").ok());
  harness_.Sync();
  // maxUnavailable 1: the first node moves; the others run what they ran,
  // and are told nothing (each offer costs the node a report, and the
  // coordinator a write of it).
  EXPECT_NE(harness_.DesiredOf(nodes[0])->version(), versions[nodes[0]]);
  EXPECT_EQ(harness_.DesiredOf(nodes[1])->version(), versions[nodes[1]]);
  EXPECT_EQ(harness_.DesiredOf(nodes[2])->version(), versions[nodes[2]]);
}

// A node's report says which state its decisions (may each DaemonSet run
// here) were made on; the hub marks it stale when it offers a state that
// could change them, and only then. The hub writes the mark in the
// background, so the test watches the report's writes: two writes of one
// key are seen in the order they were made.
TEST_F(FleetTest, ANewStateMarksTheNodesReportStaleOnlyWhenItsDecisionsCouldChange) {
  const v1::NodeReport settled = OneNodeSettledOnAgent1();
  ReportWrites writes(harness_.server().registries().node_reports, settled);

  // A new image: the node moves, and what it decided still holds.
  ASSERT_TRUE(SetImage(harness_.fleet(), "agent", "agent:2").ok());
  harness_.Sync();
  const uint64_t moved_to = harness_.DesiredOf("node-00")->version();
  ASSERT_GT(moved_to, settled.desired_version());

  // A new label: the decisions are the node's to make again.
  v1::LabelNodeRequest request;
  request.set_name("node-00");
  (*request.mutable_set())["zone"] = "a";
  v1::Node updated;
  ASSERT_TRUE(harness_.fleet().LabelNode(request, &updated).ok());
  harness_.Sync();

  const std::optional<v1::NodeReport> stale = writes.FirstStale();
  ASSERT_TRUE(stale.has_value()) << "the label change marks the report stale";
  EXPECT_GT(stale->offered_version(), moved_to) << "the move wrote no mark before it";
}

TEST_F(FleetTest, AMoveThatChangesOnlyTheImageLeavesTheNodeReportAsItWas) {
  const v1::NodeReport settled = OneNodeSettledOnAgent1();
  auto& reports = harness_.server().registries().node_reports;
  const std::string old_hash = harness_.AssignedHash("node-00", "default/agent");
  ReportWrites writes(reports, settled);

  ASSERT_TRUE(SetImage(harness_.fleet(), "agent", "agent:2").ok());
  harness_.Settle();
  const std::string new_hash = harness_.AssignedHash("node-00", "default/agent");
  ASSERT_NE(new_hash, old_hash);
  ASSERT_EQ(harness_.PodsOn("node-00").size(), 1u);
  ASSERT_EQ(harness_.PodsOn("node-00").front().revision_hash(), new_hash)
      << "the node saw the new state and reported its new pod";
  harness_.Sync();  // every watch has seen every write by now
  EXPECT_EQ(writes.Seen().size(), 0u)
      << "the node's decisions did not change, nor did the report need to acknowledge a state";
  const v1::NodeReport after = reports.Get("", "node-00");
  EXPECT_GE(after.desired_version(), after.offered_version()) << "it still counts as current";
}

TEST_F(FleetTest, AMinReadySecondsChangeReachesTheNodesWithoutANewRevision) {
  OneNodeSettledOnAgent1();
  const std::string hash = harness_.AssignedHash("node-00", "default/agent");
  std::string yaml = DaemonSetYaml("agent", "agent:1");
  yaml.replace(yaml.find("spec:\n"), 6, "spec:\n  minReadySeconds: 7\n");

  harness_.Apply(yaml);
  harness_.Settle();
  const auto desired = harness_.DesiredOf("node-00");
  ASSERT_NE(desired, nullptr);
  ASSERT_EQ(desired->daemon_sets_size(), 1);
  EXPECT_EQ(desired->daemon_sets(0).min_ready_seconds(), 7)
      << "the builder reads minReadySeconds from the DaemonSet itself, not from a revision";
  EXPECT_EQ(desired->daemon_sets(0).revision_hash(), hash) << "the template did not change";
}

TEST_F(FleetTest, ANewDaemonSetCostsNoNodeReportWriteWhenTheControllersDecideAlike) {
  const v1::NodeReport settled = OneNodeSettledOnAgent1();
  ReportWrites recorded(harness_.server().registries().node_reports, settled);

  harness_.Apply(DaemonSetYaml("logs", "logs:1"));
  harness_.Settle();
  harness_.Sync();  // every watch has seen every write by now
  EXPECT_EQ(recorded.Seen().size(), 0u)
      << "the node decided on logs as the controllers do for it: nothing new to store";
  EXPECT_EQ(harness_.PodsOn("node-00").size(), 2u);
  EXPECT_EQ(harness_.Get("logs").status().number_available(), 1);
  const v1::NodeReport stored = harness_.server().registries().node_reports.Get("", "node-00");
  EXPECT_GE(stored.desired_version(), stored.offered_version())
      << "the decision on agent still counts";
}

// What only the node knows (its other pods, for pod anti-affinity) can make
// its decision differ from the controllers' own; that one is stored.
TEST_F(FleetTest, ADecisionOnANewDaemonSetOnlyTheNodeReachesIsWritten) {
  const v1::NodeReport settled = OneNodeSettledOnAgent1();
  harness_.Apply(DaemonSetYaml("logs", "logs:1"));
  harness_.Sync();
  const auto desired = harness_.DesiredOf("node-00");
  ASSERT_NE(desired, nullptr);
  ASSERT_EQ(desired->daemon_sets_size(), 2);

  v1::StatusReport report;
  report.set_node_name("node-00");
  report.set_desired_version(desired->version());
  *report.mutable_eligibility() = settled.eligibility();
  v1::Eligibility& logs = *report.add_eligibility();
  logs.set_daemon_set("default/logs");
  logs.set_should_run(false);
  logs.set_should_continue_running(false);
  logs.set_reason("a pod on the node matches the pod's anti-affinity");
  for (const v1::Pod& pod : harness_.PodsOn("node-00")) *report.add_pods() = pod;
  harness_.fleet().AgentReported("node-00", report);
  harness_.Sync();

  const v1::NodeReport stored = harness_.server().registries().node_reports.Get("", "node-00");
  ASSERT_EQ(stored.eligibility_size(), 2);
  EXPECT_EQ(stored.eligibility(1).reason(), logs.reason());
  EXPECT_EQ(harness_.Get("logs").status().desired_number_scheduled(), 0)
      << "the controllers count the node's own decision";
}

TEST_F(FleetTest, TenPercentOfTwentyNodesMovesTwoAtATime) {
  const std::vector<std::string> nodes = ConnectNodes(20);
  harness_.Apply(DaemonSetYaml("agent", "agent:1", "10%"));
  harness_.Settle();
  const std::string old_hash = harness_.AssignedHash("node-00", "default/agent");
  harness_.Apply(DaemonSetYaml("agent", "agent:2", "10%"));
  harness_.Sync();
  int moved = 0;
  for (const std::string& node : nodes)
    moved += harness_.AssignedHash(node, "default/agent") != old_hash;
  EXPECT_EQ(moved, 2);
}

TEST_F(FleetTest, UnreadyNewPodHoldsTheRollout) {
  const std::vector<std::string> nodes = ConnectNodes(3);
  harness_.Apply(DaemonSetYaml("agent", "agent:1"));
  harness_.Settle();
  ASSERT_TRUE(SetImage(harness_.fleet(), "agent", "agent:broken").ok());
  harness_.Sync();
  harness_.RunAgent("node-00", /*ready=*/false);
  harness_.Sync();
  harness_.Sync();
  v1::RolloutStatusResponse status;
  ASSERT_TRUE(harness_.fleet().RolloutStatus(Key("agent"), &status).ok());
  EXPECT_FALSE(status.done());
  EXPECT_EQ(status.message(),
            "Waiting for daemon set \"agent\" rollout to finish: 1 out of 3 new pods have been "
            "updated...");
  const std::string new_hash = harness_.AssignedHash("node-00", "default/agent");
  EXPECT_NE(harness_.AssignedHash("node-01", "default/agent"), new_hash);
  EXPECT_NE(harness_.AssignedHash("node-02", "default/agent"), new_hash);
}

TEST_F(FleetTest, SilentNodeBecomesNotReadyWithUnreachableTaintAndComesBack) {
  ConnectNodes(2);
  harness_.Apply(DaemonSetYaml("agent", "agent:1"));
  harness_.Settle();
  // node-01 keeps talking, node-00 goes quiet.
  harness_.clock().Advance(std::chrono::seconds(30));
  harness_.fleet().AgentHeartbeat("node-01");
  // The hub's next pass, within a second, writes the renewal.
  harness_.Sync();
  harness_.clock().Advance(std::chrono::seconds(15));
  harness_.Sync();
  v1::Node node;
  ASSERT_TRUE(harness_.fleet().GetNode("node-00", &node).ok());
  EXPECT_EQ(node.status().conditions(0).status(), "Unknown");
  std::set<std::string> taints;
  for (const v1::Taint& taint : node.spec().taints())
    taints.insert(taint.key() + ":" + taint.effect());
  EXPECT_TRUE(taints.count("node.kubernetes.io/unreachable:NoExecute"));
  EXPECT_EQ(harness_.Get("agent").status().number_available(), 1);

  ASSERT_TRUE(harness_.Connect("node-00").ok());
  ASSERT_TRUE(harness_.fleet().GetNode("node-00", &node).ok());
  EXPECT_EQ(node.status().conditions(0).status(), "True");
  EXPECT_EQ(node.spec().taints_size(), 0);
  // Back at once with the current state, no sync pass needed.
  EXPECT_NE(harness_.DesiredOf("node-00"), nullptr);
}

// A node whose lease ran out while its agent stayed connected (the link or
// the coordinator too slow for a while) is Ready again with the agent's
// next heartbeat, as with kubelet's next status update, without waiting
// for the agent to reconnect.
TEST_F(FleetTest, ANodeMarkedNotReadyWhileConnectedIsReadyAgainAtItsNextHeartbeat) {
  ConnectNodes(2);
  harness_.Apply(DaemonSetYaml("agent", "agent:1"));
  harness_.Settle();
  harness_.clock().Advance(std::chrono::seconds(45));
  harness_.Sync();
  v1::Node node;
  ASSERT_TRUE(harness_.fleet().GetNode("node-00", &node).ok());
  ASSERT_EQ(node.status().conditions(0).status(), "Unknown");
  ASSERT_EQ(harness_.Get("agent").status().number_available(), 0);

  harness_.fleet().AgentHeartbeat("node-00");
  harness_.fleet().AgentHeartbeat("node-01");
  harness_.Settle();
  ASSERT_TRUE(harness_.fleet().GetNode("node-00", &node).ok());
  EXPECT_EQ(node.status().conditions(0).status(), "True");
  EXPECT_EQ(node.spec().taints_size(), 0);
  EXPECT_EQ(harness_.Get("agent").status().number_available(), 2);
  // And it stays Ready for a grace period counted from then.
  harness_.clock().Advance(std::chrono::seconds(30));
  harness_.Sync();
  ASSERT_TRUE(harness_.fleet().GetNode("node-00", &node).ok());
  EXPECT_EQ(node.status().conditions(0).status(), "True");
}

// Heartbeats arrive all the time, a thousand a second from 10,000 nodes:
// their lease renewals reach the store together, at the hub's next pass
// (at least every second), not one request each.
TEST_F(FleetTest, LeaseRenewalsAreWrittenTogetherAtTheHubsNextPass) {
  ConnectNodes(2);
  auto renewed = [&](const std::string& node) {
    return harness_.server()
        .registries()
        .leases.Get(coordinator::kNodeLeaseNamespace, node)
        .spec()
        .renew_time()
        .seconds();
  };
  const int64_t first = renewed("node-00");
  harness_.clock().Advance(std::chrono::seconds(11));
  harness_.fleet().AgentHeartbeat("node-00");
  harness_.fleet().AgentHeartbeat("node-01");
  EXPECT_EQ(renewed("node-00"), first);
  EXPECT_EQ(renewed("node-01"), first);
  harness_.Sync();
  // The pass sent them; the next one starts by waiting for the store.
  harness_.Sync();
  EXPECT_EQ(renewed("node-00"), first + 11);
  EXPECT_EQ(renewed("node-01"), first + 11);
}

// A renewal still waiting for the hub's pass when the node is deleted
// does not bring the node's lease back.
TEST_F(FleetTest, ADeletedNodesWaitingRenewalIsNotWritten) {
  ConnectNodes(2);
  harness_.clock().Advance(std::chrono::seconds(11));
  harness_.fleet().AgentHeartbeat("node-00");
  v1::DeleteResponse response;
  ASSERT_TRUE(harness_.fleet().DeleteNode("node-00", &response).ok());
  harness_.Sync();
  harness_.Sync();
  EXPECT_FALSE(harness_.server()
                   .registries()
                   .leases.Find(coordinator::kNodeLeaseNamespace, "node-00")
                   .has_value());
  EXPECT_TRUE(harness_.server()
                  .registries()
                  .leases.Find(coordinator::kNodeLeaseNamespace, "node-01")
                  .has_value());
}

TEST_F(FleetTest, RestartKeepsDaemonSetsRevisionsNodesAndAssignments) {
  ConnectNodes(2);
  harness_.Apply(DaemonSetYaml("agent", "agent:1"));
  harness_.Settle();
  ASSERT_TRUE(SetImage(harness_.fleet(), "agent", "agent:2").ok());
  harness_.Settle(6);
  v1::LabelNodeRequest label;
  label.set_name("node-01");
  (*label.mutable_set())["zone"] = "a";
  v1::Node node;
  ASSERT_TRUE(harness_.fleet().LabelNode(label, &node).ok());
  const v1::DaemonSet before = harness_.Get("agent");
  const std::string assigned = harness_.AssignedHash("node-00", "default/agent");

  harness_.Close();
  harness_.Open();
  const v1::DaemonSet after = harness_.Get("agent");
  EXPECT_EQ(after.metadata().uid(), before.metadata().uid());
  EXPECT_EQ(after.metadata().generation(), 2);
  EXPECT_EQ(after.spec().template_().spec().containers(0).image(), "agent:2");
  v1::RolloutHistoryResponse revisions;
  ASSERT_TRUE(History(harness_.fleet(), "agent", &revisions).ok());
  EXPECT_EQ(revisions.revisions_size(), 2);
  ASSERT_TRUE(harness_.fleet().GetNode("node-01", &node).ok());
  EXPECT_EQ(node.metadata().labels().at("zone"), "a");
  // The agent reconnects and is told the same revision it was assigned.
  ASSERT_TRUE(harness_.Connect("node-00").ok());
  EXPECT_EQ(harness_.AssignedHash("node-00", "default/agent"), assigned);
  EXPECT_GT(harness_.DesiredOf("node-00")->version(), 0u);
}

TEST_F(FleetTest, UndoToRevisionOneMakesItTheNewestRevision) {
  ConnectNodes(1);
  harness_.Apply(DaemonSetYaml("agent", "agent:1"));
  harness_.Settle();
  const std::string first = harness_.AssignedHash("node-00", "default/agent");
  ASSERT_FALSE(first.empty());
  ASSERT_TRUE(SetImage(harness_.fleet(), "agent", "agent:2").ok());
  harness_.Settle(4);
  v1::RolloutUndoRequest undo;
  *undo.mutable_key() = Key("agent");
  undo.set_to_revision(1);
  v1::ApplyDaemonSetResponse response;
  ASSERT_TRUE(harness_.fleet().RolloutUndo(undo, &response).ok());
  EXPECT_EQ(response.result(), "rolled back");
  EXPECT_EQ(response.daemon_set().spec().template_().spec().containers(0).image(), "agent:1");
  harness_.Settle(4);
  EXPECT_EQ(harness_.AssignedHash("node-00", "default/agent"), first);
  v1::RolloutHistoryResponse revisions;
  ASSERT_TRUE(History(harness_.fleet(), "agent", &revisions).ok());
  ASSERT_EQ(revisions.revisions_size(), 2);
  EXPECT_EQ(revisions.revisions(0).revision(), 2);
  EXPECT_EQ(revisions.revisions(1).revision(), 3);
  EXPECT_EQ(revisions.revisions(1).hash(), first);

  undo.set_to_revision(7);
  grpc::Status missing = harness_.fleet().RolloutUndo(undo, &response);
  EXPECT_EQ(missing.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(missing.error_message(), "unable to find specified revision 7 in history");
}

TEST_F(FleetTest, RevisionHistoryIsPrunedToTheLimit) {
  ConnectNodes(1);
  harness_.Apply(DaemonSetYaml("agent", "agent:0"));
  for (int i = 1; i <= 5; ++i) {
    harness_.Settle(2);
    v1::ObjectKey key = Key("agent");
    v1::DaemonSet current;
    ASSERT_TRUE(harness_.fleet().GetDaemonSet(key, &current).ok());
    current.mutable_spec()->set_revision_history_limit(2);
    current.mutable_spec()->mutable_template_()->mutable_spec()->mutable_containers(0)->set_image(
        "agent:" + std::to_string(i));
    v1::ApplyDaemonSetRequest request;
    *request.mutable_daemon_set() = current;
    v1::ApplyDaemonSetResponse response;
    ASSERT_TRUE(harness_.fleet().ApplyDaemonSet(request, &response).ok());
  }
  harness_.Settle(3);
  v1::RolloutHistoryResponse revisions;
  ASSERT_TRUE(History(harness_.fleet(), "agent", &revisions).ok());
  // Two old revisions and the current one (plus any still assigned).
  EXPECT_LE(revisions.revisions_size(), 4);
  EXPECT_EQ(revisions.revisions(revisions.revisions_size() - 1).revision(), 6);
}

TEST_F(FleetTest, DeletingTheDaemonSetTakesItFromEveryNode) {
  ConnectNodes(2);
  harness_.Apply(DaemonSetYaml("agent", "agent:1"));
  harness_.Settle();
  v1::DeleteResponse response;
  ASSERT_TRUE(harness_.fleet().DeleteDaemonSet(Key("agent"), &response).ok());
  harness_.Settle();
  EXPECT_EQ(harness_.DesiredOf("node-00")->daemon_sets_size(), 0);
  EXPECT_TRUE(harness_.PodsOn("node-01").empty());
  EXPECT_EQ(harness_.fleet().DeleteDaemonSet(Key("agent"), &response).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(FleetTest, InvalidDaemonSetIsRefusedWithItsFieldAndNothingIsStored) {
  v1::ApplyDaemonSetRequest request;
  request.mutable_daemon_set()->mutable_metadata()->set_name("Bad_Name");
  v1::ApplyDaemonSetResponse response;
  grpc::Status status = harness_.fleet().ApplyDaemonSet(request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("metadata.name"), std::string::npos)
      << status.error_message();
  EXPECT_NE(status.error_message().find("spec.selector"), std::string::npos);
  v1::ListDaemonSetsRequest list;
  list.set_all_namespaces(true);
  v1::ListDaemonSetsResponse listed;
  ASSERT_TRUE(harness_.fleet().ListDaemonSets(list, &listed).ok());
  EXPECT_EQ(listed.items_size(), 0);
}

TEST_F(FleetTest, CreateRefusesAnExistingDaemonSetAndApplyIsIdempotent) {
  EXPECT_EQ(harness_.Apply(DaemonSetYaml("agent", "agent:1")).result(), "created");
  EXPECT_EQ(harness_.Apply(DaemonSetYaml("agent", "agent:1")).result(), "unchanged");
  EXPECT_EQ(harness_.Get("agent").metadata().generation(), 1);
  v1::ApplyDaemonSetRequest request;
  *request.mutable_daemon_set() = harness_.Get("agent");
  request.set_create_only(true);
  v1::ApplyDaemonSetResponse response;
  grpc::Status status = harness_.fleet().ApplyDaemonSet(request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(status.error_message(), "daemonsets.apps \"agent\" already exists");
  EXPECT_EQ(harness_.Apply(DaemonSetYaml("agent", "agent:2")).result(), "configured");
  EXPECT_EQ(harness_.Get("agent").metadata().generation(), 2);
}

TEST_F(FleetTest, LabelWithoutOverwriteIsRefusedAsKubectlDoes) {
  ConnectNodes(1);
  v1::LabelNodeRequest request;
  request.set_name("node-00");
  (*request.mutable_set())["zone"] = "a";
  v1::Node node;
  ASSERT_TRUE(harness_.fleet().LabelNode(request, &node).ok());
  (*request.mutable_set())["zone"] = "b";
  grpc::Status status = harness_.fleet().LabelNode(request, &node);
  EXPECT_EQ(status.error_message(), "'zone' already has a value (a), and --overwrite is false");
  request.set_overwrite(true);
  ASSERT_TRUE(harness_.fleet().LabelNode(request, &node).ok());
  EXPECT_EQ(node.metadata().labels().at("zone"), "b");
  (*request.mutable_set())["bad key!"] = "x";
  status = harness_.fleet().LabelNode(request, &node);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("metadata.labels"), std::string::npos);
}

TEST_F(FleetTest, TaintNoExecuteEvictsAndRemovingItBringsThePodBack) {
  ConnectNodes(1);
  harness_.Apply(DaemonSetYaml("agent", "agent:1"));
  harness_.Settle();
  ASSERT_EQ(harness_.PodsOn("node-00").size(), 1u);
  v1::TaintNodeRequest taint;
  taint.set_name("node-00");
  v1::Taint& added = *taint.add_add();
  added.set_key("maintenance");
  added.set_effect("NoExecute");
  v1::Node node;
  ASSERT_TRUE(harness_.fleet().TaintNode(taint, &node).ok());
  harness_.Settle();
  EXPECT_TRUE(harness_.PodsOn("node-00").empty());
  v1::ListEventsRequest events_request;
  events_request.set_involved_object("daemonset/default/agent");
  v1::ListEventsResponse events;
  ASSERT_TRUE(harness_.fleet().ListEvents(events_request, &events).ok());
  bool evicted = false;
  for (const v1::Event& event : events.items()) evicted |= event.reason() == "Evicted";
  EXPECT_TRUE(evicted);

  v1::TaintNodeRequest untaint;
  untaint.set_name("node-00");
  untaint.add_remove()->set_key("maintenance");
  ASSERT_TRUE(harness_.fleet().TaintNode(untaint, &node).ok());
  harness_.Settle();
  EXPECT_EQ(harness_.PodsOn("node-00").size(), 1u);
  EXPECT_EQ(harness_.fleet().TaintNode(untaint, &node).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
}

// A NoSchedule taint changes nothing the controllers write for the node:
// only its desired state's node part tells the agent.
TEST_F(FleetTest, ATaintAloneReachesTheNodeInItsNextState) {
  ConnectNodes(1);
  harness_.Apply(DaemonSetYaml("agent", "agent:1"));
  harness_.Settle();
  const uint64_t before = harness_.DesiredOf("node-00")->version();
  v1::TaintNodeRequest taint;
  taint.set_name("node-00");
  v1::Taint& added = *taint.add_add();
  added.set_key("dedicated");
  added.set_value("logs");
  added.set_effect("NoSchedule");
  v1::Node node;
  ASSERT_TRUE(harness_.fleet().TaintNode(taint, &node).ok());
  harness_.Settle();
  const std::shared_ptr<const v1::DesiredState> state = harness_.DesiredOf("node-00");
  EXPECT_GT(state->version(), before);
  ASSERT_EQ(state->node().taints_size(), 1);
  EXPECT_EQ(state->node().taints(0).key(), "dedicated");
  EXPECT_EQ(state->node().taints(0).value(), "logs");
  EXPECT_EQ(state->node().taints(0).effect(), "NoSchedule");

  // Another value in place of the first: as many taints as before.
  v1::TaintNodeRequest retaint;
  retaint.set_name("node-00");
  retaint.add_remove()->set_key("dedicated");
  v1::Taint& replaced = *retaint.add_add();
  replaced.set_key("dedicated");
  replaced.set_value("metrics");
  replaced.set_effect("NoSchedule");
  ASSERT_TRUE(harness_.fleet().TaintNode(retaint, &node).ok());
  harness_.Settle();
  const std::shared_ptr<const v1::DesiredState> next = harness_.DesiredOf("node-00");
  EXPECT_GT(next->version(), state->version());
  ASSERT_EQ(next->node().taints_size(), 1);
  EXPECT_EQ(next->node().taints(0).value(), "metrics");
}

TEST_F(FleetTest, DeletedPodIsReplacedByANewOne) {
  ConnectNodes(1);
  harness_.Apply(DaemonSetYaml("agent", "agent:1"));
  harness_.Settle();
  const std::string old_name = harness_.PodsOn("node-00").at(0).metadata().name();
  v1::DeletePodRequest request;
  request.set_name(old_name);
  v1::DeleteResponse response;
  ASSERT_TRUE(harness_.fleet().DeletePod(request, &response).ok());
  harness_.Settle();
  ASSERT_EQ(harness_.PodsOn("node-00").size(), 1u);
  EXPECT_NE(harness_.PodsOn("node-00").at(0).metadata().name(), old_name);
  // Once the old pod is gone it is forgotten.
  harness_.Settle();
  EXPECT_EQ(harness_.DesiredOf("node-00")->daemon_sets(0).deleted_pod_uids_size(), 0);
}

TEST_F(FleetTest, DeletedNodeIsForgottenAndItsStreamClosed) {
  ConnectNodes(2);
  v1::DeleteResponse response;
  ASSERT_TRUE(harness_.fleet().DeleteNode("node-00", &response).ok());
  v1::ListNodesRequest request;
  v1::ListNodesResponse nodes;
  ASSERT_TRUE(harness_.fleet().ListNodes(request, &nodes).ok());
  ASSERT_EQ(nodes.items_size(), 1);
  EXPECT_EQ(nodes.items(0).metadata().name(), "node-01");
}

TEST_F(FleetTest, UnknownProtocolVersionIsRefused) {
  v1::Hello hello;
  hello.set_protocol_version(99);
  hello.set_node_name("node-a");
  grpc::Status status = harness_.fleet().AgentConnected(hello, std::make_shared<RecordingOutbox>());
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  hello.set_protocol_version(kProtocolVersion);
  hello.set_node_name("Not A Name");
  status = harness_.fleet().AgentConnected(hello, std::make_shared<RecordingOutbox>());
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("hello.nodeName"), std::string::npos);
}

TEST_F(FleetTest, AnUpdateNamingAStaleResourceVersionIsAConflict) {
  harness_.Apply(DaemonSetYaml("agent", "agent:1"));
  const v1::DaemonSet first = harness_.Get("agent");
  ASSERT_FALSE(first.metadata().resource_version().empty());
  harness_.Apply(DaemonSetYaml("agent", "agent:2"));
  const v1::DaemonSet second = harness_.Get("agent");
  EXPECT_NE(second.metadata().resource_version(), first.metadata().resource_version());

  v1::ApplyDaemonSetRequest request;
  *request.mutable_daemon_set() = first;
  request.mutable_daemon_set()
      ->mutable_spec()
      ->mutable_template_()
      ->mutable_spec()
      ->mutable_containers(0)
      ->set_image("agent:3");
  v1::ApplyDaemonSetResponse response;
  grpc::Status status = harness_.fleet().ApplyDaemonSet(request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ABORTED);
  EXPECT_EQ(status.error_message(),
            "Operation cannot be fulfilled on daemonsets.apps \"agent\": the object has been "
            "modified; please apply your changes to the latest version and try again");
  EXPECT_EQ(harness_.Get("agent").spec().template_().spec().containers(0).image(), "agent:2");

  *request.mutable_daemon_set() = second;
  request.mutable_daemon_set()
      ->mutable_spec()
      ->mutable_template_()
      ->mutable_spec()
      ->mutable_containers(0)
      ->set_image("agent:3");
  ASSERT_TRUE(harness_.fleet().ApplyDaemonSet(request, &response).ok());
  EXPECT_EQ(response.result(), "configured");
  EXPECT_EQ(harness_.Get("agent").spec().template_().spec().containers(0).image(), "agent:3");
}

TEST_F(FleetTest, ExplainSaysWhyTheMasterHasNoPod) {
  ASSERT_TRUE(harness_.Connect("master", {}, {MasterTaint()}).ok());
  harness_.Apply(DaemonSetYaml("logs", "busybox:1"));
  harness_.Settle();
  v1::ExplainPlacementRequest request;
  *request.mutable_key() = Key("logs");
  request.set_node_name("master");
  v1::ExplainPlacementResponse response;
  ASSERT_TRUE(harness_.fleet().ExplainPlacement(request, &response).ok());
  ASSERT_EQ(response.nodes_size(), 1);
  EXPECT_FALSE(response.nodes(0).eligibility().should_run());
  EXPECT_NE(response.nodes(0).eligibility().reason().find("node-role.kubernetes.io/master"),
            std::string::npos);
}

}  // namespace
}  // namespace fleetset::testing
