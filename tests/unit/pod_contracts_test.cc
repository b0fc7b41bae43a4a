// The contracts every program shares about pods and nodes: who owns a pod,
// when a pod is ready, taint effects, agent-owned node labels and the
// kinds fleetset accepts.
#include <gtest/gtest.h>

#include <map>

#include "fleetset/node_labels.h"
#include "fleetset/object_kinds.h"
#include "fleetset/pod_owner.h"
#include "fleetset/pod_readiness.h"
#include "fleetset/taint_effect.h"

namespace fleetset {
namespace {

v1::ObjectMeta Meta(const std::string& namespace_, const std::string& name) {
  v1::ObjectMeta meta;
  meta.set_namespace_(namespace_);
  meta.set_name(name);
  return meta;
}

TEST(PodOwnerTest, StaticManifestsAreDistinctFromTheCoordinatorsDaemonSets) {
  const PodOwner coordinator = PodOwner::DaemonSet(Meta("kube-system", "fluentd"));
  const PodOwner local = PodOwner::StaticManifest(Meta("kube-system", "fluentd"));
  EXPECT_NE(coordinator, local);
  EXPECT_EQ(coordinator.Key(), "kube-system/fluentd");
  EXPECT_EQ(local.Key(), "static:kube-system/fluentd");
  EXPECT_EQ(local.Reference(), "kube-system/fluentd");
  EXPECT_EQ(DaemonSetReference(Meta("a", "b")), "a/b");
  EXPECT_EQ(ParseOwnerKey(local.Key()), local);
  EXPECT_EQ(ParseOwnerKey(coordinator.Key()), coordinator);
  EXPECT_EQ(ParseOwnerKey("nonsense"), std::nullopt);
  EXPECT_EQ(ParseOwnerKey("static:/x"), std::nullopt);
}

TEST(PodOwnerTest, AReportedPodNamesItsOwner) {
  v1::Pod pod;
  pod.set_owner("kube-system/fluentd");
  EXPECT_EQ(OwnerOf(pod), PodOwner::DaemonSet(Meta("kube-system", "fluentd")));
  pod.set_static_pod(true);
  EXPECT_EQ(OwnerOf(pod), PodOwner::StaticManifest(Meta("kube-system", "fluentd")));
}

TEST(PodReadinessTest, ReadyIsTheReadyCondition) {
  v1::Pod pod;
  EXPECT_FALSE(IsPodReady(pod));
  SetPodConditions(/*initialized=*/true, /*ready=*/true, pod.mutable_status());
  EXPECT_TRUE(IsPodReady(pod));
  ASSERT_EQ(pod.status().conditions_size(), 4);
  EXPECT_EQ(pod.status().conditions(0).type(), "PodScheduled");
  EXPECT_EQ(FindPodCondition(pod, kPodContainersReady)->status(), "True");
  SetPodConditions(/*initialized=*/false, /*ready=*/false, pod.mutable_status());
  EXPECT_EQ(pod.status().conditions_size(), 4) << "conditions are replaced, not added";
  EXPECT_FALSE(IsPodReady(pod));
  EXPECT_EQ(FindPodCondition(pod, kPodInitialized)->status(), "False");
}

TEST(PodReadinessTest, AConditionKeepsItsTransitionTimeUntilItsStatusChanges) {
  google::protobuf::Timestamp first;
  first.set_seconds(100);
  google::protobuf::Timestamp later;
  later.set_seconds(200);
  v1::PodStatus before;
  v1::PodStatus status;
  SetPodConditions(/*initialized=*/true, /*ready=*/false, &status);
  StampConditionTransitions(before, first, &status);
  before = status;
  SetPodConditions(/*initialized=*/true, /*ready=*/true, &status);
  StampConditionTransitions(before, later, &status);
  v1::Pod pod;
  *pod.mutable_status() = status;
  EXPECT_EQ(FindPodCondition(pod, kPodInitialized)->last_transition_time().seconds(), 100);
  EXPECT_EQ(FindPodCondition(pod, kPodReady)->last_transition_time().seconds(), 200)
      << "Ready turned True at the later time";
}

TEST(PodReadinessTest, AllContainersReadyNeedsContainers) {
  v1::PodStatus status;
  EXPECT_FALSE(AllContainersReady(status));
  status.add_container_statuses()->set_ready(true);
  EXPECT_TRUE(AllContainersReady(status));
  status.add_container_statuses()->set_ready(false);
  EXPECT_FALSE(AllContainersReady(status));
}

TEST(TaintEffectTest, TheThreeEffectsAndNothingElse) {
  EXPECT_EQ(ParseTaintEffect("NoSchedule"), TaintEffect::kNoSchedule);
  EXPECT_EQ(ParseTaintEffect("PreferNoSchedule"), TaintEffect::kPreferNoSchedule);
  EXPECT_EQ(ParseTaintEffect("NoExecute"), TaintEffect::kNoExecute);
  EXPECT_EQ(ParseTaintEffect("noexecute"), std::nullopt);
  EXPECT_FALSE(IsTaintEffect(""));
  for (std::string_view name : kTaintEffectNames) {
    EXPECT_EQ(TaintEffectName(*ParseTaintEffect(name)), name);
  }
}

TEST(TaintEffectTest, AnUnknownEffectIsRefusedNamingTheFieldAndTheThree) {
  EXPECT_EQ(CheckTaintEffect("spec.taints[0].effect", "NoSchedule"), std::nullopt);
  const std::optional<FieldError> error = CheckTaintEffect("spec.taints[0].effect", "Sometimes");
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->path, "spec.taints[0].effect");
  EXPECT_EQ(error->message,
            "Unsupported value \"Sometimes\": must be one of \"NoExecute\", \"NoSchedule\", "
            "\"PreferNoSchedule\"");
  EXPECT_TRUE(CheckTaintEffect("spec.taints[1].effect", "").has_value());
}

TEST(NodeLabelsTest, TheAgentsOwnLabelsWin) {
  std::map<std::string, std::string> record{{"kubernetes.io/hostname", "stale"}, {"disk", "ssd"}};
  const std::map<std::string, std::string> agent{
      {"kubernetes.io/hostname", "node-a"}, {"kubernetes.io/arch", "amd64"}, {"team", "ignored"}};
  CopyAgentOwnedLabels(agent, record);
  EXPECT_EQ(record, (std::map<std::string, std::string>{{"disk", "ssd"},
                                                        {"kubernetes.io/arch", "amd64"},
                                                        {"kubernetes.io/hostname", "node-a"}}));
}

TEST(ObjectKindsTest, OnlyAppsV1DaemonSets) {
  EXPECT_EQ(CheckKind("DaemonSet"), std::nullopt);
  EXPECT_EQ(CheckKind("Deployment")->path, "kind");
  EXPECT_EQ(CheckApiVersion("apps/v1"), std::nullopt);
  EXPECT_EQ(CheckApiVersion("v1")->message,
            "Unsupported value \"v1\": supported values: \"apps/v1\"");
  EXPECT_NE(CheckApiVersion("extensions/v1beta1")->message.find("removed in Kubernetes 1.16"),
            std::string::npos);
}

}  // namespace
}  // namespace fleetset
