// ApplyDaemonSetDefaults: Kubernetes' defaults, applied idempotently.
#include <string>

#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include "fleetset/manifest.h"

namespace fleetset {
namespace {

v1::DaemonSet Decode(const std::string& text) {
  std::vector<DecodedDocument> documents = DecodeManifests(text, "test.yaml");
  EXPECT_EQ(documents.size(), 1u);
  EXPECT_TRUE(documents.at(0).errors.empty()) << documents.at(0).errors.at(0).ToString();
  return documents.at(0).object.daemon_set();
}

v1::DaemonSet Defaulted(const std::string& text) {
  v1::DaemonSet daemon_set = Decode(text);
  ApplyDaemonSetDefaults(&daemon_set);
  return daemon_set;
}

constexpr char kFull[] = R"(apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      serviceAccount: legacy
      volumes:
      - name: scratch
      - name: logs
        hostPath: {path: /var/log}
      initContainers:
      - name: init
        image: busybox
      containers:
      - name: agent
        image: registry.local:5000/agent:v2
        ports: [{containerPort: 9100}]
        env:
        - name: NODE
          valueFrom: {fieldRef: {fieldPath: spec.nodeName}}
        livenessProbe:
          httpGet: {port: 9100}
        readinessProbe:
          tcpSocket: {port: 9100}
        startupProbe:
          exec: {command: ["true"]}
        lifecycle:
          preStop:
            httpGet: {port: 9100, path: /quit}
)";

TEST(DefaultsTest, DaemonSetDefaults) {
  const v1::DaemonSet ds = Defaulted(kFull);
  EXPECT_EQ(ds.metadata().namespace_(), "default");
  EXPECT_EQ(ds.spec().update_strategy().type(), "RollingUpdate");
  EXPECT_EQ(ds.spec().update_strategy().rolling_update().max_unavailable().int_val(), 1);
  ASSERT_EQ(ds.spec().update_strategy().rolling_update().max_surge().value_case(),
            v1::IntOrString::kIntVal);
  EXPECT_EQ(ds.spec().update_strategy().rolling_update().max_surge().int_val(), 0);
  ASSERT_TRUE(ds.spec().has_revision_history_limit());
  EXPECT_EQ(ds.spec().revision_history_limit(), 10);
}

TEST(DefaultsTest, PodSpecDefaults) {
  const v1::PodSpec spec = Defaulted(kFull).spec().template_().spec();
  EXPECT_EQ(spec.restart_policy(), "Always");
  EXPECT_EQ(spec.dns_policy(), "ClusterFirst");
  EXPECT_EQ(spec.scheduler_name(), "default-scheduler");
  ASSERT_TRUE(spec.has_termination_grace_period_seconds());
  EXPECT_EQ(spec.termination_grace_period_seconds(), 30);
  EXPECT_EQ(spec.service_account_name(), "legacy");
  EXPECT_EQ(spec.service_account(), "legacy");
  // A volume without a source is an emptyDir; hostPath type stays "".
  EXPECT_TRUE(spec.volumes(0).has_empty_dir());
  EXPECT_FALSE(spec.volumes(1).has_empty_dir());
  EXPECT_EQ(spec.volumes(1).host_path().type(), "");
}

TEST(DefaultsTest, ContainerDefaults) {
  const v1::PodSpec spec = Defaulted(kFull).spec().template_().spec();
  const v1::Container& container = spec.containers(0);
  EXPECT_EQ(container.image_pull_policy(), "IfNotPresent");
  EXPECT_EQ(container.termination_message_path(), "/dev/termination-log");
  EXPECT_EQ(container.termination_message_policy(), "File");
  EXPECT_EQ(container.ports(0).protocol(), "TCP");
  EXPECT_EQ(container.ports(0).host_port(), 0);
  EXPECT_EQ(container.env(0).value_from().field_ref().api_version(), "v1");
  // Init containers get the same defaults.
  EXPECT_EQ(spec.init_containers(0).image_pull_policy(), "Always");
  EXPECT_EQ(spec.init_containers(0).termination_message_policy(), "File");
}

TEST(DefaultsTest, ProbeDefaults) {
  const v1::Container container = Defaulted(kFull).spec().template_().spec().containers(0);
  for (const v1::Probe* probe :
       {&container.liveness_probe(), &container.readiness_probe(), &container.startup_probe()}) {
    EXPECT_EQ(probe->timeout_seconds(), 1);
    EXPECT_EQ(probe->period_seconds(), 10);
    EXPECT_EQ(probe->success_threshold(), 1);
    EXPECT_EQ(probe->failure_threshold(), 3);
  }
  // SetDefaults_HTTPGetAction fills both the path and the scheme.
  EXPECT_EQ(container.liveness_probe().http_get().path(), "/");
  EXPECT_EQ(container.liveness_probe().http_get().scheme(), "HTTP");
  EXPECT_EQ(container.lifecycle().pre_stop().http_get().path(), "/quit");
  EXPECT_EQ(container.lifecycle().pre_stop().http_get().scheme(), "HTTP");
  EXPECT_FALSE(container.lifecycle().has_post_start());
}

TEST(DefaultsTest, ExplicitValuesAreKept) {
  const v1::DaemonSet ds = Defaulted(R"(apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: infra}
spec:
  revisionHistoryLimit: 0
  updateStrategy:
    rollingUpdate: {maxUnavailable: 0, maxSurge: 25%}
  template:
    spec:
      terminationGracePeriodSeconds: 0
      restartPolicy: Never
      containers:
      - name: a
        image: busybox:latest
        imagePullPolicy: Never
        readinessProbe: {periodSeconds: 2, exec: {command: ["true"]}}
)");
  EXPECT_EQ(ds.metadata().namespace_(), "infra");
  EXPECT_EQ(ds.spec().revision_history_limit(), 0);
  const auto& rolling = ds.spec().update_strategy().rolling_update();
  EXPECT_EQ(rolling.max_unavailable().value_case(), v1::IntOrString::kIntVal);
  EXPECT_EQ(rolling.max_unavailable().int_val(), 0);
  EXPECT_EQ(rolling.max_surge().str_val(), "25%");
  const v1::PodSpec& spec = ds.spec().template_().spec();
  EXPECT_EQ(spec.termination_grace_period_seconds(), 0);
  EXPECT_EQ(spec.restart_policy(), "Never");
  EXPECT_EQ(spec.containers(0).image_pull_policy(), "Never");
  EXPECT_EQ(spec.containers(0).readiness_probe().period_seconds(), 2);
}

TEST(DefaultsTest, OnDeleteHasNoRollingParameters) {
  const v1::DaemonSet ds =
      Defaulted("apiVersion: apps/v1\nkind: DaemonSet\nspec: {updateStrategy: {type: OnDelete}}\n");
  EXPECT_EQ(ds.spec().update_strategy().type(), "OnDelete");
  EXPECT_FALSE(ds.spec().update_strategy().has_rolling_update());
}

TEST(DefaultsTest, HostNetworkPortsBecomeHostPorts) {
  const v1::DaemonSet ds = Defaulted(R"(apiVersion: apps/v1
kind: DaemonSet
spec:
  template:
    spec:
      hostNetwork: true
      containers:
      - name: a
        ports: [{containerPort: 9100}, {containerPort: 53, hostPort: 5353, protocol: UDP}]
)");
  const v1::Container& container = ds.spec().template_().spec().containers(0);
  EXPECT_EQ(container.ports(0).host_port(), 9100);
  EXPECT_EQ(container.ports(1).host_port(), 5353);
  EXPECT_EQ(container.ports(1).protocol(), "UDP");
}

struct PullPolicyCase {
  const char* image;
  const char* policy;
};

class ImagePullPolicyTest : public ::testing::TestWithParam<PullPolicyCase> {};

TEST_P(ImagePullPolicyTest, DefaultsFromTheTag) {
  v1::DaemonSet ds;
  v1::Container* container =
      ds.mutable_spec()->mutable_template_()->mutable_spec()->add_containers();
  container->set_image(GetParam().image);
  ApplyDaemonSetDefaults(&ds);
  EXPECT_EQ(container->image_pull_policy(), GetParam().policy) << GetParam().image;
}

INSTANTIATE_TEST_SUITE_P(
    Images, ImagePullPolicyTest,
    ::testing::Values(PullPolicyCase{"nginx", "Always"}, PullPolicyCase{"nginx:latest", "Always"},
                      PullPolicyCase{"nginx:1.19-alpine", "IfNotPresent"},
                      PullPolicyCase{"registry:5000/x", "Always"},
                      PullPolicyCase{"127.0.0.1:5000/x/y", "Always"},
                      PullPolicyCase{"registry:5000/x:v1", "IfNotPresent"},
                      PullPolicyCase{"registry:5000/x:latest", "Always"},
                      PullPolicyCase{
                          "x@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456"
                          "789abcdef",
                          "IfNotPresent"},
                      PullPolicyCase{"x:latest@sha256:0123456789abcdef0123456789abcdef0123456789ab"
                                     "cdef0123456789abcdef",
                                     "Always"},
                      PullPolicyCase{"", "IfNotPresent"}));

TEST(DefaultsTest, Idempotent) {
  v1::DaemonSet once = Defaulted(kFull);
  v1::DaemonSet twice = once;
  ApplyDaemonSetDefaults(&twice);
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(once, twice));
  v1::DaemonSet empty;
  ApplyDaemonSetDefaults(&empty);
  v1::DaemonSet empty_twice = empty;
  ApplyDaemonSetDefaults(&empty_twice);
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(empty, empty_twice));
}

}  // namespace
}  // namespace fleetset
