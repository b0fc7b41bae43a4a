// DaemonSet status from the agents' reports, with Kubernetes' definition of
// each number, and rollout progress in kubectl's words.
#include "coordinator/controllers/daemon_set_status.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "coordinator/controllers/pod_index.h"
#include "coordinator/timestamps.h"
#include "fleetset/pod_readiness.h"

namespace fleetset::testing {
namespace {

using coordinator::ComputeDaemonSetStatus;
using coordinator::DescribeRollout;
using coordinator::NodeDaemonSetState;
using coordinator::ReportedPod;
using coordinator::RolloutProgress;
using coordinator::WallTime;
using ::testing::IsEmpty;

constexpr char kOld[] = "old-hash";
constexpr char kNewest[] = "newest-hash";
const WallTime kNow{std::chrono::hours(24 * 365 * 50)};

ReportedPod Pod(const std::string& name, const std::string& revision,
                std::chrono::seconds ready_for = std::chrono::hours(1)) {
  ReportedPod pod;
  pod.uid = "uid-" + name;
  pod.name = name;
  pod.revision_hash = revision;
  pod.phase = "Running";
  pod.ready = true;
  pod.ready_since = kNow - ready_for;
  return pod;
}

ReportedPod Waiting(const std::string& name, const std::string& revision, const std::string& reason,
                    const std::string& message) {
  ReportedPod pod = Pod(name, revision);
  pod.phase = "Pending";
  pod.ready = false;
  pod.ready_since.reset();
  pod.waiting_reason = reason;
  pod.waiting_message = message;
  return pod;
}

NodeDaemonSetState Node(const std::string& name, std::vector<ReportedPod> pods,
                        bool eligible = true) {
  NodeDaemonSetState node;
  node.node_name = name;
  node.eligible = eligible;
  node.should_continue_running = eligible;
  node.pods = std::move(pods);
  return node;
}

v1::DaemonSet DaemonSet(const std::string& strategy = "RollingUpdate") {
  v1::DaemonSet daemon_set;
  daemon_set.mutable_metadata()->set_name("fluentd");
  daemon_set.mutable_metadata()->set_namespace_("kube-system");
  daemon_set.mutable_metadata()->set_generation(7);
  daemon_set.mutable_spec()->set_min_ready_seconds(10);
  daemon_set.mutable_spec()->mutable_update_strategy()->set_type(strategy);
  return daemon_set;
}

// The DaemonSet with the status computed from `nodes`, as the coordinator
// hands it to DescribeRollout.
v1::DaemonSet WithStatus(v1::DaemonSet daemon_set, const std::vector<NodeDaemonSetState>& nodes) {
  *daemon_set.mutable_status() = ComputeDaemonSetStatus(daemon_set, kNewest, kNow, nodes);
  return daemon_set;
}

TEST(DaemonSetStatusTest, ComputesEveryNumber) {
  NodeDaemonSetState out_of_contact = Node("g", {Pod("g-new", kNewest)});
  out_of_contact.node_ready = false;
  const std::vector<NodeDaemonSetState> nodes = {
      Node("a", {Pod("a-new", kNewest)}),                           // updated, available
      Node("b", {Pod("b-old", kOld)}),                              // available, not updated
      Node("c", {Pod("c-new", kNewest, std::chrono::seconds(5))}),  // ready < minReadySeconds
      Node("d", {}),                                                // desired, no pod
      Node("e", {Pod("e-old", kOld)}, /*eligible=*/false),          // misscheduled
      Node("f", {}, /*eligible=*/false),                            // none of its business
      out_of_contact,                                               // updated, not ready
      Node("h", {Pod("h-old", kOld), Waiting("h-new", kNewest, "ContainerCreating", "")}),
  };

  v1::DaemonSetStatus status = ComputeDaemonSetStatus(DaemonSet(), kNewest, kNow, nodes);

  EXPECT_EQ(status.desired_number_scheduled(), 6);  // a b c d g h
  EXPECT_EQ(status.current_number_scheduled(), 5);  // a b c g h
  EXPECT_EQ(status.number_misscheduled(), 1);       // e
  EXPECT_EQ(status.number_ready(), 3);              // a b c (h's newest pod is not ready)
  EXPECT_EQ(status.updated_number_scheduled(), 4);  // a c g h
  EXPECT_EQ(status.number_available(), 2);          // a b
  EXPECT_EQ(status.number_unavailable(), 4);
  EXPECT_EQ(status.observed_generation(), 7);
}

TEST(DaemonSetStatusTest, MinReadySecondsZeroMakesReadyPodsAvailable) {
  v1::DaemonSet daemon_set = DaemonSet();
  daemon_set.mutable_spec()->set_min_ready_seconds(0);
  const std::vector<NodeDaemonSetState> nodes = {
      Node("a", {Pod("a-new", kNewest, std::chrono::seconds(0))})};

  v1::DaemonSetStatus status = ComputeDaemonSetStatus(daemon_set, kNewest, kNow, nodes);

  EXPECT_EQ(status.number_available(), 1);
  EXPECT_EQ(status.number_unavailable(), 0);
}

TEST(DaemonSetStatusTest, AReadyConditionWithoutATransitionTimeCountsOnlyWithoutMinReadySeconds) {
  v1::Pod reported;
  SetPodConditions(/*initialized=*/true, /*ready=*/true, reported.mutable_status());
  const ReportedPod pod = coordinator::ToReportedPod(reported);
  ASSERT_TRUE(pod.ready);
  EXPECT_FALSE(pod.ready_since.has_value()) << "an unset time is not the epoch";
  EXPECT_TRUE(coordinator::PodAvailable(pod, 0, kNow));
  EXPECT_FALSE(coordinator::PodAvailable(pod, 5, kNow));

  *reported.mutable_status()->mutable_conditions(3)->mutable_last_transition_time() =
      coordinator::ToTimestamp(kNow - std::chrono::seconds(3));
  const ReportedPod stamped = coordinator::ToReportedPod(reported);
  EXPECT_FALSE(coordinator::PodAvailable(stamped, 5, kNow));
  EXPECT_TRUE(coordinator::PodAvailable(stamped, 5, kNow + std::chrono::seconds(2)));
}

TEST(DaemonSetStatusTest, WaitsForTheSpecToBeObserved) {
  v1::DaemonSet daemon_set = WithStatus(DaemonSet(), {});
  daemon_set.mutable_status()->set_observed_generation(6);

  RolloutProgress progress = DescribeRollout(daemon_set, kNewest, {});

  EXPECT_FALSE(progress.done);
  EXPECT_EQ(progress.message, "Waiting for daemon set spec update to be observed...");
}

TEST(DaemonSetStatusTest, WaitsForPodsToBeUpdated) {
  const std::vector<NodeDaemonSetState> nodes = {Node("a", {Pod("a-new", kNewest)}),
                                                 Node("b", {Pod("b-old", kOld)}),
                                                 Node("c", {Pod("c-old", kOld)})};

  RolloutProgress progress = DescribeRollout(WithStatus(DaemonSet(), nodes), kNewest, nodes);

  EXPECT_FALSE(progress.done);
  EXPECT_EQ(progress.message,
            "Waiting for daemon set \"fluentd\" rollout to finish: 1 out of 3 new pods have been "
            "updated...");
  EXPECT_THAT(progress.failure, IsEmpty());
}

TEST(DaemonSetStatusTest, WaitsForUpdatedPodsToBeAvailable) {
  const std::vector<NodeDaemonSetState> nodes = {
      Node("a", {Pod("a-new", kNewest)}),
      Node("b", {Pod("b-new", kNewest, std::chrono::seconds(3))})};

  RolloutProgress progress = DescribeRollout(WithStatus(DaemonSet(), nodes), kNewest, nodes);

  EXPECT_FALSE(progress.done);
  EXPECT_EQ(progress.message,
            "Waiting for daemon set \"fluentd\" rollout to finish: 1 of 2 updated pods are "
            "available...");
  EXPECT_THAT(progress.failure, IsEmpty());
}

TEST(DaemonSetStatusTest, ReportsASuccessfulRollout) {
  NodeDaemonSetState leaving = Node("z", {Pod("z-old", kOld)}, /*eligible=*/false);
  leaving.node_ready = false;
  const std::vector<NodeDaemonSetState> nodes = {Node("a", {Pod("a-new", kNewest)}), leaving};

  RolloutProgress progress = DescribeRollout(WithStatus(DaemonSet(), nodes), kNewest, nodes);

  EXPECT_TRUE(progress.done);
  EXPECT_EQ(progress.message, "daemon set \"fluentd\" successfully rolled out");
  EXPECT_THAT(progress.failure, IsEmpty());
}

TEST(DaemonSetStatusTest, OnDeleteHasNoRolloutStatus) {
  const std::vector<NodeDaemonSetState> nodes = {Node("a", {Pod("a-old", kOld)})};

  RolloutProgress progress =
      DescribeRollout(WithStatus(DaemonSet("OnDelete"), nodes), kNewest, nodes);

  EXPECT_FALSE(progress.done);
  EXPECT_EQ(progress.failure, "rollout status is only available for RollingUpdate strategy type");
}

TEST(DaemonSetStatusTest, ImagePullBackOffIsAFailure) {
  const std::vector<NodeDaemonSetState> nodes = {
      Node("a", {Pod("a-new", kNewest)}),
      Node("b", {Waiting("fluentd-x7k2p", kNewest, "ImagePullBackOff",
                         "Back-off pulling image \"fluentd:nope\"")})};

  RolloutProgress progress = DescribeRollout(WithStatus(DaemonSet(), nodes), kNewest, nodes);

  EXPECT_FALSE(progress.done);
  EXPECT_EQ(progress.failure,
            "pod fluentd-x7k2p on node b: ImagePullBackOff: Back-off pulling image "
            "\"fluentd:nope\"");
}

TEST(DaemonSetStatusTest, CrashLoopBackOffIsAFailure) {
  const std::vector<NodeDaemonSetState> nodes = {
      Node("a", {Waiting("fluentd-4bq9z", kNewest, "CrashLoopBackOff", "")})};

  RolloutProgress progress = DescribeRollout(WithStatus(DaemonSet(), nodes), kNewest, nodes);

  EXPECT_EQ(progress.failure, "pod fluentd-4bq9z on node a: CrashLoopBackOff");
}

TEST(DaemonSetStatusTest, OldRevisionsAndTransientReasonsAreNoFailure) {
  const std::vector<NodeDaemonSetState> nodes = {
      Node("a", {Waiting("fluentd-old", kOld, "CrashLoopBackOff", "back-off 5m0s")}),
      Node("b", {Waiting("fluentd-new", kNewest, "ContainerCreating", "")})};

  RolloutProgress progress = DescribeRollout(WithStatus(DaemonSet(), nodes), kNewest, nodes);

  EXPECT_FALSE(progress.done);
  EXPECT_THAT(progress.failure, IsEmpty());
}

TEST(DaemonSetStatusTest, NotReadyNodeNotYetUpdatedIsAFailure) {
  NodeDaemonSetState down = Node("b", {Pod("b-old", kOld)});
  down.node_ready = false;
  const std::vector<NodeDaemonSetState> nodes = {Node("a", {Pod("a-new", kNewest)}), down};

  RolloutProgress progress = DescribeRollout(WithStatus(DaemonSet(), nodes), kNewest, nodes);

  EXPECT_FALSE(progress.done);
  EXPECT_EQ(progress.failure, "node b is not ready");
}

TEST(DaemonSetStatusTest, FirstFailureInNodeNameOrder) {
  NodeDaemonSetState down = Node("m", {});
  down.node_ready = false;
  const std::vector<NodeDaemonSetState> nodes = {
      Node("z", {Waiting("fluentd-z", kNewest, "ErrImagePull", "not found")}), down};

  RolloutProgress progress = DescribeRollout(WithStatus(DaemonSet(), nodes), kNewest, nodes);

  EXPECT_EQ(progress.failure, "node m is not ready");
}

}  // namespace
}  // namespace fleetset::testing
