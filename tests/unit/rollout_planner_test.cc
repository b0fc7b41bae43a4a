// The rollout planner: which nodes move to the newest revision, under
// OnDelete and RollingUpdate (maxUnavailable and maxSurge), as Kubernetes'
// DaemonSet controller would move them.
#include "coordinator/controllers/rollout_planner.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>

namespace fleetset::testing {
namespace {

using coordinator::NodeDaemonSetState;
using coordinator::PlanRollout;
using coordinator::ReportedPod;
using coordinator::RolloutInput;
using coordinator::ScaledValue;
using coordinator::WallTime;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr char kOld[] = "old-hash";
constexpr char kNewest[] = "newest-hash";
const WallTime kNow{std::chrono::hours(24 * 365 * 50)};

v1::IntOrString Int(int value) {
  v1::IntOrString result;
  result.set_int_val(value);
  return result;
}

v1::IntOrString Str(const std::string& value) {
  v1::IntOrString result;
  result.set_str_val(value);
  return result;
}

ReportedPod Pod(const std::string& revision, bool available = true) {
  ReportedPod pod;
  pod.uid = "uid-" + revision;
  pod.name = "ds-" + revision;
  pod.revision_hash = revision;
  pod.phase = "Running";
  pod.ready = available;
  if (available) pod.ready_since = kNow - std::chrono::hours(1);
  return pod;
}

v1::NodeAssignment Assignment(const std::string& revision) {
  v1::NodeAssignment assignment;
  assignment.set_revision_hash(revision);
  return assignment;
}

// An eligible, ready node assigned `revision` and running an available pod
// of it.
NodeDaemonSetState Node(const std::string& name, const std::string& revision = kOld) {
  NodeDaemonSetState node;
  node.node_name = name;
  node.eligible = true;
  node.should_continue_running = true;
  node.assignment = Assignment(revision);
  node.pods = {Pod(revision)};
  return node;
}

std::string NodeName(int index) {
  char name[16];
  std::snprintf(name, sizeof name, "node-%02d", index);
  return name;
}

std::vector<NodeDaemonSetState> Nodes(int count, const std::string& revision = kOld) {
  std::vector<NodeDaemonSetState> nodes;
  for (int i = 0; i < count; ++i) nodes.push_back(Node(NodeName(i), revision));
  return nodes;
}

RolloutInput RollingUpdate(v1::IntOrString max_unavailable, v1::IntOrString max_surge,
                           std::vector<NodeDaemonSetState> nodes) {
  RolloutInput input;
  input.strategy.set_type("RollingUpdate");
  *input.strategy.mutable_rolling_update()->mutable_max_unavailable() = std::move(max_unavailable);
  *input.strategy.mutable_rolling_update()->mutable_max_surge() = std::move(max_surge);
  input.newest_hash = kNewest;
  input.now = kNow;
  input.nodes = std::move(nodes);
  return input;
}

RolloutInput OnDelete(std::vector<NodeDaemonSetState> nodes) {
  RolloutInput input;
  input.strategy.set_type("OnDelete");
  input.newest_hash = kNewest;
  input.now = kNow;
  input.nodes = std::move(nodes);
  return input;
}

std::vector<std::string> MovedNodes(const std::map<std::string, v1::NodeAssignment>& plan) {
  std::vector<std::string> names;
  for (const auto& [name, assignment] : plan) {
    EXPECT_EQ(assignment.revision_hash(), kNewest) << name;
    names.push_back(name);
  }
  return names;
}

NodeDaemonSetState& Find(RolloutInput& input, const std::string& name) {
  return *std::find_if(input.nodes.begin(), input.nodes.end(),
                       [&](const NodeDaemonSetState& node) { return node.node_name == name; });
}

// Records the plan's assignments as the coordinator would.
void Apply(RolloutInput& input, const std::map<std::string, v1::NodeAssignment>& plan) {
  for (const auto& [name, assignment] : plan) Find(input, name).assignment = assignment;
}

TEST(RolloutPlannerTest, ScaledValueTakesIntsAsTheyAre) {
  EXPECT_EQ(ScaledValue(Int(3), 10, true), 3);
  EXPECT_EQ(ScaledValue(Int(3), 10, false), 3);
  EXPECT_EQ(ScaledValue(Int(0), 10, true), 0);
  EXPECT_EQ(ScaledValue(Int(50), 10, true), 50);
}

TEST(RolloutPlannerTest, ScaledValueScalesPercentagesUpOrDown) {
  EXPECT_EQ(ScaledValue(Str("25%"), 10, true), 3);
  EXPECT_EQ(ScaledValue(Str("25%"), 10, false), 2);
  EXPECT_EQ(ScaledValue(Str("10%"), 20, true), 2);
  EXPECT_EQ(ScaledValue(Str("10%"), 20, false), 2);
  EXPECT_EQ(ScaledValue(Str("1%"), 1, true), 1);
  EXPECT_EQ(ScaledValue(Str("1%"), 1, false), 0);
  EXPECT_EQ(ScaledValue(Str("100%"), 7, true), 7);
  EXPECT_EQ(ScaledValue(Str("0%"), 7, true), 0);
}

TEST(RolloutPlannerTest, ScaledValueOfMalformedValuesIsZero) {
  EXPECT_EQ(ScaledValue(v1::IntOrString(), 10, true), 0);
  EXPECT_EQ(ScaledValue(Str("10"), 10, true), 0);
  EXPECT_EQ(ScaledValue(Str("%"), 10, true), 0);
  EXPECT_EQ(ScaledValue(Str("ten%"), 10, true), 0);
  EXPECT_EQ(ScaledValue(Str("10 %"), 10, true), 0);
}

TEST(RolloutPlannerTest, NodesWithNothingToDisruptGetTheNewestRevisionAtOnce) {
  // maxUnavailable 1 is used up by node-00, which is still updating.
  std::vector<NodeDaemonSetState> nodes = {Node("node-00", kNewest)};
  nodes[0].pods = {Pod(kNewest, /*available=*/false)};
  NodeDaemonSetState pod_gone = Node("node-01");
  pod_gone.pods.clear();
  NodeDaemonSetState not_eligible = Node("node-02");
  not_eligible.eligible = false;
  nodes.insert(nodes.end(), {pod_gone, not_eligible, Node("node-03")});

  auto plan = PlanRollout(RollingUpdate(Int(1), Int(0), nodes));

  EXPECT_THAT(MovedNodes(plan), ElementsAre("node-01", "node-02"));
  for (const auto& [name, assignment] : plan) EXPECT_FALSE(assignment.surge()) << name;
}

// A node never assigned and running nothing of the DaemonSet (a new node,
// a new DaemonSet) is offered the newest revision without an assignment:
// nothing is written for it, and until its pod is available it counts
// against maxUnavailable, as Kubernetes counts a node whose pod is missing.
TEST(RolloutPlannerTest, ANodeNeverAssignedAndRunningNothingNeedsNoAssignment) {
  NodeDaemonSetState new_node = Node("node-00");
  new_node.assignment.reset();
  new_node.pods.clear();
  std::vector<NodeDaemonSetState> nodes = {new_node, Node("node-01"), Node("node-02")};

  auto plan = PlanRollout(RollingUpdate(Int(1), Int(0), nodes));

  EXPECT_THAT(MovedNodes(plan), IsEmpty()) << "node-00 uses up maxUnavailable 1";
}

TEST(RolloutPlannerTest, OnDeleteMovesOnlyNodesWithoutALivePod) {
  std::vector<NodeDaemonSetState> nodes = Nodes(3);
  nodes[1].pods.clear();
  // The operator deleted node-02's pod: it is replaced by the newest.
  nodes[2].assignment->add_deleted_pod_uids(nodes[2].pods[0].uid);

  EXPECT_THAT(MovedNodes(PlanRollout(OnDelete(nodes))), ElementsAre("node-01", "node-02"));
}

TEST(RolloutPlannerTest, OnDeleteKeepsUnavailableOldPods) {
  std::vector<NodeDaemonSetState> nodes = Nodes(2);
  nodes[0].pods[0].ready = false;
  nodes[1].node_ready = false;

  EXPECT_THAT(PlanRollout(OnDelete(nodes)), IsEmpty());
}

TEST(RolloutPlannerTest, MaxUnavailableOneMovesOneNodeAtATimeAcrossTwentyNodes) {
  RolloutInput input = RollingUpdate(Int(1), Int(0), Nodes(20));
  for (int i = 0; i < 20; ++i) {
    const std::string name = NodeName(i);
    auto plan = PlanRollout(input);
    ASSERT_THAT(MovedNodes(plan), ElementsAre(name));
    EXPECT_FALSE(plan.at(name).surge());
    Apply(input, plan);
    NodeDaemonSetState& node = Find(input, name);

    // Until the new pod is available, nothing else moves: the old pod is
    // still stopping, then the new one starts, then it becomes ready.
    EXPECT_THAT(PlanRollout(input), IsEmpty()) << name << " still runs the old pod";
    node.pods.clear();
    EXPECT_THAT(PlanRollout(input), IsEmpty()) << name << " has no pod";
    node.pods = {Pod(kNewest, /*available=*/false)};
    EXPECT_THAT(PlanRollout(input), IsEmpty()) << name << " has an unready new pod";
    node.pods = {Pod(kNewest)};
  }
  EXPECT_THAT(PlanRollout(input), IsEmpty());
}

TEST(RolloutPlannerTest, NewPodCountsAsAvailableOnlyAfterMinReadySeconds) {
  RolloutInput input = RollingUpdate(Int(1), Int(0), Nodes(3));
  input.min_ready_seconds = 30;
  input.nodes[0].assignment = Assignment(kNewest);
  input.nodes[0].pods = {Pod(kNewest)};
  input.nodes[0].pods[0].ready_since = kNow - std::chrono::seconds(10);
  EXPECT_THAT(PlanRollout(input), IsEmpty());

  input.nodes[0].pods[0].ready_since = kNow - std::chrono::seconds(30);
  EXPECT_THAT(MovedNodes(PlanRollout(input)), ElementsAre("node-01"));
}

TEST(RolloutPlannerTest, TenPercentOfTwentyMovesTwo) {
  EXPECT_THAT(MovedNodes(PlanRollout(RollingUpdate(Str("10%"), Int(0), Nodes(20)))),
              ElementsAre("node-00", "node-01"));
}

TEST(RolloutPlannerTest, TwentyFivePercentOfTenRoundsUpToThree) {
  EXPECT_THAT(MovedNodes(PlanRollout(RollingUpdate(Str("25%"), Int(0), Nodes(10)))),
              ElementsAre("node-00", "node-01", "node-02"));
}

TEST(RolloutPlannerTest, PercentagesScaleAgainstEligibleNodesOnly) {
  std::vector<NodeDaemonSetState> nodes = Nodes(20);
  // 10 eligible nodes: 10% is 1, not 2. The ineligible ones already run the
  // newest revision, so they are not in the plan either.
  for (int i = 10; i < 20; ++i) {
    nodes[i].eligible = false;
    nodes[i].assignment = Assignment(kNewest);
  }
  EXPECT_THAT(MovedNodes(PlanRollout(RollingUpdate(Str("10%"), Int(0), nodes))),
              ElementsAre("node-00"));
}

TEST(RolloutPlannerTest, UnavailableOldPodsMoveWithoutUsingTheBudget) {
  std::vector<NodeDaemonSetState> nodes = Nodes(10);
  nodes[5].pods[0].ready = false;
  nodes[7].pods[0].waiting_reason = "CrashLoopBackOff";
  nodes[7].pods[0].ready = false;

  EXPECT_THAT(MovedNodes(PlanRollout(RollingUpdate(Int(1), Int(0), nodes))),
              ElementsAre("node-00", "node-05", "node-07"));
}

TEST(RolloutPlannerTest, NotReadyNodeCountsAsUnavailable) {
  std::vector<NodeDaemonSetState> nodes = Nodes(10);
  // Updated and its pod last reported available, but out of contact: it
  // uses up maxUnavailable.
  nodes[0] = Node("node-00", kNewest);
  nodes[0].node_ready = false;
  // An old node out of contact serves nothing, so it moves at once.
  nodes[3].node_ready = false;

  EXPECT_THAT(MovedNodes(PlanRollout(RollingUpdate(Int(1), Int(0), nodes))),
              ElementsAre("node-03"));
}

TEST(RolloutPlannerTest, NodeWithoutAPodCountsAsUnavailable) {
  std::vector<NodeDaemonSetState> nodes = Nodes(5);
  nodes[4].pods.clear();

  EXPECT_THAT(MovedNodes(PlanRollout(RollingUpdate(Int(2), Int(0), nodes))),
              ElementsAre("node-00", "node-04"));
}

TEST(RolloutPlannerTest, BothBudgetsZeroMeansOneUnavailable) {
  EXPECT_THAT(MovedNodes(PlanRollout(RollingUpdate(Int(0), Str("0%"), Nodes(5)))),
              ElementsAre("node-00"));
}

TEST(RolloutPlannerTest, SurgeMovesMaxSurgeNodesStartFirst) {
  RolloutInput input = RollingUpdate(Int(0), Int(2), Nodes(10));
  auto plan = PlanRollout(input);
  ASSERT_THAT(MovedNodes(plan), ElementsAre("node-00", "node-01"));
  EXPECT_TRUE(plan.at("node-00").surge());
  EXPECT_TRUE(plan.at("node-01").surge());
  Apply(input, plan);

  // The new pods are not reported yet, then start beside the old ones.
  EXPECT_THAT(PlanRollout(input), IsEmpty());
  input.nodes[0].pods = {Pod(kOld), Pod(kNewest, /*available=*/false)};
  input.nodes[1].pods = {Pod(kOld), Pod(kNewest, /*available=*/false)};
  EXPECT_THAT(PlanRollout(input), IsEmpty());

  // node-00's new pod is available: one more surge is allowed.
  input.nodes[0].pods = {Pod(kOld), Pod(kNewest)};
  plan = PlanRollout(input);
  ASSERT_THAT(MovedNodes(plan), ElementsAre("node-02"));
  EXPECT_TRUE(plan.at("node-02").surge());
}

TEST(RolloutPlannerTest, SurgeReplacesUnavailableOldPodsStopFirst) {
  std::vector<NodeDaemonSetState> nodes = Nodes(10);
  nodes[6].pods[0].ready = false;

  auto plan = PlanRollout(RollingUpdate(Int(0), Int(1), nodes));

  ASSERT_THAT(MovedNodes(plan), ElementsAre("node-00", "node-06"));
  EXPECT_TRUE(plan.at("node-00").surge());
  EXPECT_FALSE(plan.at("node-06").surge());
}

TEST(RolloutPlannerTest, MovesInNodeNameOrderWhateverTheInputOrder) {
  std::vector<NodeDaemonSetState> nodes = Nodes(6);
  std::reverse(nodes.begin(), nodes.end());

  EXPECT_THAT(MovedNodes(PlanRollout(RollingUpdate(Int(2), Int(0), nodes))),
              ElementsAre("node-00", "node-01"));
}

TEST(RolloutPlannerTest, DeletedPodUidsAreKeptUntilTheRevisionChanges) {
  std::vector<NodeDaemonSetState> nodes = Nodes(3);
  // node-00 is updating (the budget is used); node-01 already replaced a
  // deleted pod; both keep their assignments, deletions included.
  nodes[0] = Node("node-00", kNewest);
  nodes[0].pods[0].ready = false;
  nodes[0].assignment->add_deleted_pod_uids("uid-deleted-0");
  nodes[1].assignment->add_deleted_pod_uids("uid-deleted-1");
  // node-02's pod is unavailable: it moves, and its deletions go with the
  // old revision.
  nodes[2].assignment->add_deleted_pod_uids("uid-deleted-2");
  nodes[2].pods[0].ready = false;

  auto plan = PlanRollout(RollingUpdate(Int(1), Int(0), nodes));

  ASSERT_THAT(MovedNodes(plan), ElementsAre("node-02"));
  EXPECT_THAT(plan.at("node-02").deleted_pod_uids(), IsEmpty());
}

TEST(RolloutPlannerTest, NodesAlreadyOnTheNewestRevisionAreNotInThePlan) {
  EXPECT_THAT(PlanRollout(RollingUpdate(Int(1), Int(0), Nodes(4, kNewest))), IsEmpty());
  EXPECT_THAT(PlanRollout(OnDelete(Nodes(4, kNewest))), IsEmpty());
}

}  // namespace
}  // namespace fleetset::testing
