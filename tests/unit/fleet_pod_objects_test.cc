// What a node's desired state carries of ConfigMaps, Secrets and
// PriorityClasses, through a real coordinator (in process) with simulated
// agents: only the objects of the DaemonSets the node may run, updates as
// they are edited, and the refusal of a pod whose PriorityClass is missing.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "unit/fleet_harness.h"

namespace fleetset::testing {
namespace {

using ::testing::HasSubstr;

const char kShipper[] = R"(apiVersion: apps/v1
kind: DaemonSet
metadata: {name: shipper, namespace: logging}
spec:
  selector: {matchLabels: {app: shipper}}
  template:
    metadata: {labels: {app: shipper}}
    spec:
      nodeSelector: {role: logs}
      containers:
      - name: shipper
        image: busybox:1
        env:
        - name: PASSWORD
          valueFrom: {secretKeyRef: {name: shipper-creds, key: password}}
        volumeMounts: [{name: config, mountPath: /etc/shipper}]
      volumes:
      - name: config
        configMap: {name: shipper-config}
)";

class FleetPodObjectsTest : public ::testing::Test {
 protected:
  void ApplyObject(v1::Object object) {
    v1::ApplyObjectRequest request;
    *request.mutable_object() = std::move(object);
    v1::ApplyObjectResponse response;
    grpc::Status status = harness_.fleet().ApplyObject(request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }
  void ApplyConfigMap(const std::string& name, const std::string& value) {
    v1::Object object;
    v1::ConfigMap& config_map = *object.mutable_config_map();
    config_map.mutable_metadata()->set_namespace_("logging");
    config_map.mutable_metadata()->set_name(name);
    (*config_map.mutable_data())["shipper.conf"] = value;
    ApplyObject(object);
  }
  void ApplySecret(const std::string& name, const std::string& value) {
    v1::Object object;
    v1::Secret& secret = *object.mutable_secret();
    secret.mutable_metadata()->set_namespace_("logging");
    secret.mutable_metadata()->set_name(name);
    (*secret.mutable_string_data())["password"] = value;
    ApplyObject(object);
  }
  std::vector<std::string> ObjectsOf(const std::string& node) {
    std::vector<std::string> names;
    const auto state = harness_.DesiredOf(node);
    if (!state) return names;
    for (const auto& config_map : state->config_maps()) {
      names.push_back("configmap/" + config_map.metadata().name());
    }
    for (const auto& secret : state->secrets())
      names.push_back("secret/" + secret.metadata().name());
    return names;
  }
  std::vector<v1::Event> EventsOf(const std::string& involved_object) {
    v1::ListEventsRequest request;
    request.set_involved_object(involved_object);
    v1::ListEventsResponse response;
    EXPECT_TRUE(harness_.fleet().ListEvents(request, &response).ok());
    return {response.items().begin(), response.items().end()};
  }

  FleetHarness harness_;
};

TEST_F(FleetPodObjectsTest, OnlyNodesThatRunTheDaemonSetGetItsConfigMapsAndSecrets) {
  ASSERT_TRUE(harness_.Connect("logs-1", {{"role", "logs"}}).ok());
  ASSERT_TRUE(harness_.Connect("db-1", {{"role", "db"}}).ok());
  ApplyConfigMap("shipper-config", "level=info");
  ApplySecret("shipper-creds", "s3cr3t");
  ApplyConfigMap("unrelated", "x");
  harness_.Apply(kShipper);
  harness_.Settle();
  EXPECT_EQ(ObjectsOf("logs-1"),
            (std::vector<std::string>{"configmap/shipper-config", "secret/shipper-creds"}));
  EXPECT_TRUE(ObjectsOf("db-1").empty());
  const auto state = harness_.DesiredOf("logs-1");
  ASSERT_TRUE(state);
  EXPECT_EQ(state->secrets(0).data().at("password"), "s3cr3t");

  // An edit reaches the node in its next desired state.
  ApplyConfigMap("shipper-config", "level=debug");
  harness_.Settle();
  EXPECT_EQ(harness_.DesiredOf("logs-1")->config_maps(0).data().at("shipper.conf"), "level=debug");

  // Relabelled away from the DaemonSet, the node loses them.
  v1::LabelNodeRequest label;
  label.set_name("logs-1");
  (*label.mutable_set())["role"] = "db";
  label.set_overwrite(true);
  v1::Node node;
  ASSERT_TRUE(harness_.fleet().LabelNode(label, &node).ok());
  harness_.Settle();
  EXPECT_TRUE(ObjectsOf("logs-1").empty());
}

TEST_F(FleetPodObjectsTest, AMissingPriorityClassRefusesPodsUntilItIsCreated) {
  ASSERT_TRUE(harness_.Connect("node-1").ok());
  harness_.Apply(
      DaemonSetYaml("agent", "busybox:1", "1", "      priorityClassName: fleet-critical\n"));
  harness_.Settle();
  auto state = harness_.DesiredOf("node-1");
  ASSERT_TRUE(state && state->daemon_sets_size() == 1);
  EXPECT_EQ(state->daemon_sets(0).pod_create_error(),
            "pods \"agent-\" is forbidden: no PriorityClass with name fleet-critical was found");
  const std::vector<v1::Event> events = EventsOf("daemonset/default/agent");
  const auto failed = std::count_if(events.begin(), events.end(), [](const v1::Event& event) {
    return event.reason() == "FailedCreate";
  });
  EXPECT_EQ(failed, 1) << "recorded once, however many passes";
  bool said_why = false;
  for (const v1::Event& event : events) {
    if (event.reason() == "FailedCreate") {
      said_why =
          event.message().find("no PriorityClass with name fleet-critical") != std::string::npos;
    }
  }
  EXPECT_TRUE(said_why);

  v1::Object object;
  v1::PriorityClass& priority_class = *object.mutable_priority_class();
  priority_class.mutable_metadata()->set_name("fleet-critical");
  priority_class.set_value(100000);
  ApplyObject(object);
  harness_.Settle();
  state = harness_.DesiredOf("node-1");
  EXPECT_EQ(state->daemon_sets(0).pod_create_error(), "");
  EXPECT_EQ(state->daemon_sets(0).priority(), 100000);
}

}  // namespace
}  // namespace fleetset::testing
