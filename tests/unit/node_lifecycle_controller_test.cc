// The node lifecycle controller on a fake clock: a node whose lease is not
// renewed within the grace period becomes NotReady with the unreachable
// taints, a renewed one stays Ready, and a node without a lease (the
// coordinator just started) gets the whole grace period from then on; a
// pass says when the next lease runs out. A pass woken by changed nodes
// looks at those, and at every node once a lease may have run out.
#include <gtest/gtest.h>

#include <set>

#include "coordinator/controllers/node_conditions.h"
#include "coordinator/controllers/node_lifecycle_controller.h"
#include "coordinator/timestamps.h"
#include "unit/controller_fixture.h"

namespace fleetset::testing {
namespace {

using namespace std::chrono_literals;
using coordinator::Caller;

class NodeLifecycleControllerTest : public ControllerFixture {
 protected:
  void SetUp() override {
    controller_.Start(nullptr);
    informers_.Start();
  }

  void RenewLease(const std::string& name) {
    v1::Lease lease;
    lease.mutable_metadata()->set_name(name);
    lease.mutable_metadata()->set_namespace_(coordinator::kNodeLeaseNamespace);
    *lease.mutable_spec()->mutable_renew_time() = coordinator::ToTimestamp(clock_.WallNow());
    registries_.leases.PutAsync(Caller::Anonymous(), lease);
  }

  void Sync() {
    WaitForWatchers();
    controller_.SyncOnce();
  }

  // "Ready:True" plus the node's taints as "key:effect".
  std::set<std::string> StateOf(const std::string& name) {
    const v1::Node node = registries_.nodes.Get("", name);
    std::set<std::string> state = {std::string("Ready:") +
                                   (coordinator::NodeReady(node) ? "True" : "Unknown")};
    for (const v1::Taint& taint : node.spec().taints())
      state.insert(taint.key() + ":" + taint.effect());
    return state;
  }

  coordinator::NodeLifecycleController controller_{registries_, informers_, events_, clock_, 40s};
};

const std::set<std::string> kReady = {"Ready:True"};
const std::set<std::string> kLost = {"Ready:Unknown", "node.kubernetes.io/unreachable:NoSchedule",
                                     "node.kubernetes.io/unreachable:NoExecute"};

TEST_F(NodeLifecycleControllerTest, ANodeWhoseLeaseExpiresIsNotReadyAndTainted) {
  AddReadyNode("quiet");
  AddReadyNode("talking");
  RenewLease("quiet");
  RenewLease("talking");
  Sync();
  clock_.Advance(30s);
  RenewLease("talking");
  clock_.Advance(11s);
  Sync();
  EXPECT_EQ(StateOf("quiet"), kLost);
  EXPECT_EQ(StateOf("talking"), kReady);
  const auto events = registries_.events.List({}).items;
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].reason(), "NodeNotReady");
  EXPECT_EQ(events[0].involved_object(), "node/quiet");
}

TEST_F(NodeLifecycleControllerTest, APassIsDueWhenTheNextLeaseRunsOut) {
  AddReadyNode("node-1");
  AddReadyNode("node-2");
  RenewLease("node-1");
  clock_.Advance(15s);
  RenewLease("node-2");
  WaitForWatchers();
  // node-1's lease, renewed 15 s ago, runs out first.
  EXPECT_EQ(controller_.SyncOnce(), std::optional<std::chrono::milliseconds>(25s));
  clock_.Advance(25s);
  WaitForWatchers();
  EXPECT_EQ(controller_.SyncOnce(), std::optional<std::chrono::milliseconds>(15s));
  EXPECT_EQ(StateOf("node-1"), kLost);
  clock_.Advance(15s);
  WaitForWatchers();
  // No node is Ready: nothing is due.
  EXPECT_EQ(controller_.SyncOnce(), std::nullopt);
  EXPECT_EQ(StateOf("node-2"), kLost);
}

TEST_F(NodeLifecycleControllerTest, ANodeWithoutALeaseGetsTheGracePeriodFromWhenItWasFirstSeen) {
  clock_.Advance(1h);  // the node's record is old; the coordinator just started
  AddReadyNode("node-1");
  Sync();
  clock_.Advance(39s);
  Sync();
  EXPECT_EQ(StateOf("node-1"), kReady);
  clock_.Advance(2s);
  Sync();
  EXPECT_EQ(StateOf("node-1"), kLost);
}

TEST_F(NodeLifecycleControllerTest, TaintsFollowTheReadyCondition) {
  AddReadyNode("node-1");
  v1::Node node = registries_.nodes.Get("", "node-1");
  coordinator::SetReadyCondition(node, false, coordinator::ToTimestamp(clock_.WallNow()));
  registries_.nodes.UpdateStatus(Caller::Anonymous(), node);
  RenewLease("node-1");
  Sync();
  EXPECT_EQ(StateOf("node-1"), kLost);
  node = registries_.nodes.Get("", "node-1");
  coordinator::SetReadyCondition(node, true, coordinator::ToTimestamp(clock_.WallNow()));
  registries_.nodes.UpdateStatus(Caller::Anonymous(), node);
  Sync();
  EXPECT_EQ(StateOf("node-1"), kReady);
}

TEST_F(NodeLifecycleControllerTest, ALeaseThatRunsOutIsSeenWhileOtherNodesKeepChanging) {
  AddReadyNode("quiet");
  AddReadyNode("busy");
  RenewLease("quiet");
  RenewLease("busy");
  Sync();
  clock_.Advance(41s);
  RenewLease("busy");
  // A change to "busy" wakes the pass; "quiet", unchanged, is due too.
  v1::Node busy = registries_.nodes.Get("", "busy");
  (*busy.mutable_metadata()->mutable_labels())["zone"] = "b";
  registries_.nodes.Update(Caller::Anonymous(), busy);
  Sync();
  EXPECT_EQ(StateOf("quiet"), kLost);
  EXPECT_EQ(StateOf("busy"), kReady);
}

TEST_F(NodeLifecycleControllerTest, ANodeThatJoinsWithAnOldLeaseBringsTheNextPassForward) {
  // node-2's agent was last heard of now, but its record is made later
  // (a restore, a slow registration): its lease runs out before node-1's.
  RenewLease("node-2");
  const auto last_heard = coordinator::ToTimestamp(clock_.WallNow());
  clock_.Advance(5s);
  AddReadyNode("node-1");
  RenewLease("node-1");
  WaitForWatchers();
  EXPECT_EQ(controller_.SyncOnce(), std::optional<std::chrono::milliseconds>(40s));
  clock_.Advance(5s);
  v1::Node node_2;
  node_2.mutable_metadata()->set_name("node-2");
  coordinator::SetReadyCondition(node_2, true, last_heard);
  registries_.nodes.Create(Caller::Anonymous(), node_2);
  WaitForWatchers();
  // Only node-2 changed; its lease, renewed 10 s ago, runs out first.
  EXPECT_EQ(controller_.SyncOnce(), std::optional<std::chrono::milliseconds>(30s));
  clock_.Advance(30s);
  WaitForWatchers();
  EXPECT_EQ(controller_.SyncOnce(), std::optional<std::chrono::milliseconds>(5s));
  EXPECT_EQ(StateOf("node-1"), kReady);
  EXPECT_EQ(StateOf("node-2"), kLost);
}

}  // namespace
}  // namespace fleetset::testing
