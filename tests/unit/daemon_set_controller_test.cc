// The DaemonSet controller alone, on registries over in-memory stores and a
// fake clock: revisions as owned ControllerRevisions, assignments per node,
// status from reported pods, and what a deleted DaemonSet leaves behind.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "coordinator/controllers/daemon_set_controller.h"
#include "fleetset/manifest.h"
#include "fleetset/revision.h"
#include "unit/controller_fixture.h"
#include "unit/fleet_harness.h"

namespace fleetset::testing {
namespace {

using coordinator::Caller;
using ::testing::ElementsAre;

const Caller kOperator = Caller::Anonymous();

class DaemonSetControllerTest : public ControllerFixture {
 protected:
  void SetUp() override {
    controller_.Start(nullptr);
    informers_.Start();
  }

  v1::DaemonSet Apply(const std::string& image) {
    v1::DaemonSet daemon_set =
        LoadDaemonSets(DaemonSetYaml("agent", image), "t.yaml").at(0).daemon_set;
    if (auto existing = registries_.daemon_sets.Find("default", "agent")) {
      return registries_.daemon_sets.Update(kOperator, daemon_set);
    }
    return registries_.daemon_sets.Create(kOperator, daemon_set);
  }

  // The node's agent runs a ready pod of `hash`.
  void ReportPod(const std::string& node, const std::string& hash) {
    v1::Pod pod;
    pod.mutable_metadata()->set_name("agent-" + node);
    pod.mutable_metadata()->set_namespace_("default");
    pod.mutable_metadata()->set_uid("uid-" + node);
    pod.set_node_name(node);
    pod.set_owner("default/agent");
    pod.set_revision_hash(hash);
    pod.mutable_status()->set_phase("Running");
    v1::PodCondition& ready = *pod.mutable_status()->add_conditions();
    ready.set_type("Ready");
    ready.set_status("True");
    *ready.mutable_last_transition_time() = coordinator::ToTimestamp(clock_.WallNow());
    registries_.pods.PutAsync(kOperator, pod);
  }

  void Sync() {
    WaitForWatchers();
    controller_.SyncOnce();
  }

  std::string AssignedHash(const std::string& node) {
    auto assignments = registries_.node_assignments.Find("", node);
    if (!assignments) return "";
    auto it = assignments->assignments().find("default/agent");
    return it == assignments->assignments().end() ? "" : it->second.revision_hash();
  }

  coordinator::DaemonSetController controller_{registries_, informers_, events_, clock_};
};

// The agent hub offers the newest revision to a node never assigned one, so
// a new DaemonSet costs no write per node.
TEST_F(DaemonSetControllerTest, ANewDaemonSetGetsItsFirstRevisionAndNoNodeAssignment) {
  AddReadyNode("node-1");
  AddReadyNode("node-2");
  const v1::DaemonSet daemon_set = Apply("agent:1");
  Sync();
  const auto revisions = registries_.controller_revisions.List({}).items;
  ASSERT_EQ(revisions.size(), 1u);
  const std::string hash = PodTemplateHash(daemon_set.spec().template_());
  EXPECT_EQ(revisions[0].metadata().name(), "agent-" + hash);
  EXPECT_EQ(revisions[0].revision(), 1);
  EXPECT_EQ(revisions[0].metadata().labels().at("controller-revision-hash"), hash);
  ASSERT_EQ(revisions[0].metadata().owner_references_size(), 1);
  EXPECT_EQ(revisions[0].metadata().owner_references(0).uid(), daemon_set.metadata().uid());
  EXPECT_EQ(AssignedHash("node-1"), "");
  EXPECT_EQ(AssignedHash("node-2"), "");
  const v1::DaemonSet stored = registries_.daemon_sets.Get("default", "agent");
  EXPECT_EQ(stored.status().desired_number_scheduled(), 2);
  EXPECT_EQ(stored.status().number_ready(), 0);
  EXPECT_EQ(stored.status().observed_generation(), 1);
}

TEST_F(DaemonSetControllerTest, StatusCountsWhatAgentsReport) {
  AddReadyNode("node-1");
  AddReadyNode("node-2");
  const v1::DaemonSet daemon_set = Apply("agent:1");
  Sync();
  ReportPod("node-1", PodTemplateHash(daemon_set.spec().template_()));
  Sync();
  const v1::DaemonSetStatus status = registries_.daemon_sets.Get("default", "agent").status();
  EXPECT_EQ(status.current_number_scheduled(), 1);
  EXPECT_EQ(status.number_ready(), 1);
  EXPECT_EQ(status.number_available(), 1);
  EXPECT_EQ(status.number_unavailable(), 1);
}

// A coordinator that follows watches no pods; the first pass after it
// takes over starts from the pods as they are then, not as they were when
// it last led.
TEST_F(DaemonSetControllerTest, APassAfterFollowingSeesThePodsAsTheyAreNow) {
  AddReadyNode("node-1");
  AddReadyNode("node-2");
  const std::string hash = PodTemplateHash(Apply("agent:1").spec().template_());
  ReportPod("node-1", hash);
  Sync();
  ASSERT_EQ(registries_.daemon_sets.Get("default", "agent").status().number_ready(), 1);

  controller_.KeepUp();
  registries_.pods.DeleteAsync(kOperator, "default", "uid-node-1");
  ReportPod("node-2", hash);
  Sync();
  const v1::DaemonSetStatus status = registries_.daemon_sets.Get("default", "agent").status();
  EXPECT_EQ(status.number_ready(), 1) << "node-2's pod, and node-1's no more";
  EXPECT_EQ(status.current_number_scheduled(), 1);
}

TEST_F(DaemonSetControllerTest, APassAsksToRunAgainWhenAReadyPodBecomesAvailable) {
  using std::chrono::milliseconds;
  using std::chrono::seconds;
  AddReadyNode("node-1");
  v1::DaemonSet daemon_set =
      LoadDaemonSets(DaemonSetYaml("agent", "agent:1"), "t.yaml").at(0).daemon_set;
  daemon_set.mutable_spec()->set_min_ready_seconds(30);
  daemon_set = registries_.daemon_sets.Create(kOperator, daemon_set);
  WaitForWatchers();
  // Nothing is ready, so time alone changes nothing.
  EXPECT_EQ(controller_.SyncOnce(), std::nullopt);
  ReportPod("node-1", PodTemplateHash(daemon_set.spec().template_()));
  clock_.Advance(seconds(10));
  WaitForWatchers();
  EXPECT_EQ(controller_.SyncOnce(), std::optional<milliseconds>(seconds(20)));
  EXPECT_EQ(registries_.daemon_sets.Get("default", "agent").status().number_available(), 0);
  clock_.Advance(seconds(20));
  WaitForWatchers();
  EXPECT_EQ(controller_.SyncOnce(), std::nullopt);
  EXPECT_EQ(registries_.daemon_sets.Get("default", "agent").status().number_available(), 1);
}

TEST_F(DaemonSetControllerTest, ANewTemplateIsTheNextRevisionAndNodesMoveWithinTheBudget) {
  AddReadyNode("node-1");
  AddReadyNode("node-2");
  const std::string first = PodTemplateHash(Apply("agent:1").spec().template_());
  Sync();
  ReportPod("node-1", first);
  ReportPod("node-2", first);
  Sync();
  const std::string second = PodTemplateHash(Apply("agent:2").spec().template_());
  Sync();
  std::vector<int64_t> numbers;
  for (const auto& revision : registries_.controller_revisions.List({}).items) {
    numbers.push_back(revision.revision());
  }
  std::sort(numbers.begin(), numbers.end());
  EXPECT_THAT(numbers, ElementsAre(1, 2));
  // maxUnavailable 1: node-1 moves first; node-2 waits, on the revision
  // of its pod, with nothing written for it.
  EXPECT_EQ(AssignedHash("node-1"), second);
  EXPECT_EQ(AssignedHash("node-2"), "");
  ReportPod("node-1", second);
  Sync();
  EXPECT_EQ(AssignedHash("node-2"), second);
}

TEST_F(DaemonSetControllerTest, WhatADeletedDaemonSetOwnedIsCollected) {
  AddReadyNode("node-1");
  ReportPod("node-1", PodTemplateHash(Apply("agent:1").spec().template_()));
  Sync();
  Apply("agent:2");
  Sync();
  ASSERT_FALSE(AssignedHash("node-1").empty());
  registries_.daemon_sets.Delete(kOperator, "default", "agent");
  Sync();
  EXPECT_TRUE(registries_.controller_revisions.List({}).items.empty());
  EXPECT_EQ(AssignedHash("node-1"), "");
}

}  // namespace
}  // namespace fleetset::testing
