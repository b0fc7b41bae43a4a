// -o json / -o yaml / -o name: Kubernetes-shaped objects and lists.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <sstream>

#include "ctl/object_output.h"
#include "ctl/printers.h"

namespace fleetset::ctl {
namespace {

v1::DaemonSet Sample() {
  v1::DaemonSet daemon_set;
  v1::ObjectMeta* metadata = daemon_set.mutable_metadata();
  metadata->set_name("fluentd");
  metadata->set_namespace_("kube-system");
  metadata->set_generation(3);
  metadata->mutable_creation_timestamp()->set_seconds(1'700'000'000);
  metadata->mutable_creation_timestamp()->set_nanos(500'000'000);
  (*metadata->mutable_labels())["version"] = "1";
  (*daemon_set.mutable_spec()->mutable_selector()->mutable_match_labels())["name"] = "fluentd";
  daemon_set.mutable_spec()->mutable_update_strategy()->set_type("RollingUpdate");
  daemon_set.mutable_spec()
      ->mutable_update_strategy()
      ->mutable_rolling_update()
      ->mutable_max_unavailable()
      ->set_int_val(1);
  daemon_set.mutable_spec()
      ->mutable_update_strategy()
      ->mutable_rolling_update()
      ->mutable_max_surge()
      ->set_str_val("10%");
  v1::PodSpec* spec = daemon_set.mutable_spec()->mutable_template_()->mutable_spec();
  v1::Container* container = spec->add_containers();
  container->set_name("fluentd");
  container->set_image("fluentd:v1");
  container->add_ports()->set_host_ip("0.0.0.0");
  spec->set_host_pid(true);
  spec->set_termination_grace_period_seconds(30);
  spec->add_volumes()->set_name("scratch");
  spec->mutable_volumes(0)->mutable_empty_dir();
  daemon_set.mutable_status()->set_desired_number_scheduled(2);
  return daemon_set;
}

TEST(CtlObjectOutputTest, DaemonSetJsonIsKubernetesShaped) {
  const std::string json = ToJson(ToKubernetesObject(Sample()));
  const YAML::Node object = YAML::Load(json);
  EXPECT_EQ(object["apiVersion"].as<std::string>(), "apps/v1");
  EXPECT_EQ(object["kind"].as<std::string>(), "DaemonSet");
  EXPECT_EQ(object["metadata"]["name"].as<std::string>(), "fluentd");
  EXPECT_EQ(object["metadata"]["creationTimestamp"].as<std::string>(), "2023-11-14T22:13:20Z");
  EXPECT_EQ(object["spec"]["template"]["spec"]["containers"][0]["image"].as<std::string>(),
            "fluentd:v1");
  EXPECT_EQ(
      object["spec"]["template"]["spec"]["containers"][0]["ports"][0]["hostIP"].as<std::string>(),
      "0.0.0.0");
  EXPECT_TRUE(object["spec"]["template"]["spec"]["hostPID"].as<bool>());
  EXPECT_EQ(object["status"]["desiredNumberScheduled"].as<int>(), 2);
  // Kubernetes always prints these counts.
  EXPECT_EQ(object["status"]["numberReady"].as<int>(), 0);
  EXPECT_EQ(object["status"]["currentNumberScheduled"].as<int>(), 0);
  // int64 and IntOrString are plain values, as in Kubernetes.
  EXPECT_NE(json.find("\"generation\": 3"), std::string::npos) << json;
  EXPECT_NE(json.find("\"terminationGracePeriodSeconds\": 30"), std::string::npos) << json;
  EXPECT_NE(json.find("\"maxUnavailable\": 1"), std::string::npos) << json;
  EXPECT_NE(json.find("\"maxSurge\": \"10%\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"emptyDir\": {}"), std::string::npos) << json;
  // kubectl's layout: four-space indentation, sorted keys.
  EXPECT_TRUE(
      json.starts_with("{\n    \"apiVersion\": \"apps/v1\",\n    \"kind\": \"DaemonSet\",\n"))
      << json;
}

TEST(CtlObjectOutputTest, YamlQuotesStringsThatWouldReadAsOtherTypes) {
  const std::string yaml = ToYaml(ToKubernetesObject(Sample()));
  EXPECT_EQ(yaml.substr(0, 35), "apiVersion: apps/v1\nkind: DaemonSet") << yaml;
  EXPECT_NE(yaml.find("version: \"1\""), std::string::npos) << yaml;
  EXPECT_NE(yaml.find("creationTimestamp: \"2023-11-14T22:13:20Z\""), std::string::npos) << yaml;
  EXPECT_NE(yaml.find("emptyDir: {}"), std::string::npos) << yaml;
  const YAML::Node object = YAML::Load(yaml);
  EXPECT_EQ(object["spec"]["updateStrategy"]["rollingUpdate"]["maxUnavailable"].as<int>(), 1);
  EXPECT_EQ(object["metadata"]["labels"]["version"].Tag(), "!");
}

TEST(CtlObjectOutputTest, SeveralObjectsPrintAsAList) {
  const v1::DaemonSet first = Sample();
  v1::Node node;
  node.mutable_metadata()->set_name("k8s-01");
  std::ostringstream out;
  PrintObjects(out, OutputFormat::kYaml, {&first, &node}, /*single=*/false);
  const YAML::Node list = YAML::Load(out.str());
  EXPECT_EQ(list["kind"].as<std::string>(), "List");
  EXPECT_EQ(list["apiVersion"].as<std::string>(), "v1");
  ASSERT_EQ(list["items"].size(), 2u);
  EXPECT_EQ(list["items"][1]["kind"].as<std::string>(), "Node");
  EXPECT_EQ(list["items"][1]["apiVersion"].as<std::string>(), "v1");

  std::ostringstream single;
  PrintObjects(single, OutputFormat::kJson, {&node}, /*single=*/true);
  EXPECT_EQ(YAML::Load(single.str())["kind"].as<std::string>(), "Node");
}

TEST(CtlObjectOutputTest, PodMovesNodeAndOwnerWhereKubernetesHasThem) {
  v1::Pod pod;
  pod.mutable_metadata()->set_name("fluentd-x7k2p");
  pod.set_node_name("k8s-01");
  pod.set_owner("kube-system/fluentd");
  pod.set_revision_hash("6d8c9f7b5");
  pod.mutable_status()->set_pod_ip("10.0.0.7");
  const YAML::Node object = YAML::Load(ToJson(ToKubernetesObject(pod)));
  EXPECT_EQ(object["kind"].as<std::string>(), "Pod");
  EXPECT_EQ(object["spec"]["nodeName"].as<std::string>(), "k8s-01");
  EXPECT_EQ(object["metadata"]["ownerReferences"][0]["kind"].as<std::string>(), "DaemonSet");
  EXPECT_EQ(object["metadata"]["ownerReferences"][0]["name"].as<std::string>(), "fluentd");
  EXPECT_EQ(object["metadata"]["labels"]["controller-revision-hash"].as<std::string>(),
            "6d8c9f7b5");
  EXPECT_EQ(object["status"]["podIP"].as<std::string>(), "10.0.0.7");
  EXPECT_FALSE(object["nodeName"]);
  EXPECT_EQ(object["spec"]["priority"].as<int>(), 0);
  EXPECT_FALSE(object["spec"]["priorityClassName"]);
}

TEST(CtlObjectOutputTest, PodPriorityIsInTheSpecAsTheAdmissionSetIt) {
  v1::Pod pod;
  pod.mutable_metadata()->set_name("node-exporter-abcde");
  pod.set_priority(2000001000);
  pod.set_priority_class_name("system-node-critical");
  const YAML::Node object = YAML::Load(ToJson(ToKubernetesObject(pod)));
  EXPECT_EQ(object["spec"]["priority"].as<int64_t>(), 2000001000);
  EXPECT_EQ(object["spec"]["priorityClassName"].as<std::string>(), "system-node-critical");
  EXPECT_FALSE(object["priority"]);
  EXPECT_FALSE(object["priorityClassName"]);
}

TEST(CtlObjectOutputTest, JsonEscapesAsGo) {
  JsonValue value = JsonValue::Object();
  value.fields["note"] = JsonValue::String("<none> & \"x\"\n");
  EXPECT_EQ(ToJson(value), "{\n    \"note\": \"\\u003cnone\\u003e \\u0026 \\\"x\\\"\\n\"\n}\n");
  EXPECT_EQ(ToJson(JsonValue::Array()), "[]\n");
}

TEST(CtlObjectOutputTest, NameOutputAndFormats) {
  v1::DaemonSet daemon_set;
  daemon_set.mutable_metadata()->set_name("fluentd");
  v1::Node node;
  node.mutable_metadata()->set_name("k8s-01");
  v1::Pod pod;
  pod.mutable_metadata()->set_name("fluentd-x7k2p");
  EXPECT_EQ(NameLine(daemon_set), "daemonset.apps/fluentd");
  EXPECT_EQ(NameLine(node), "node/k8s-01");
  EXPECT_EQ(NameLine(pod), "pod/fluentd-x7k2p");
  std::string error;
  EXPECT_EQ(ParseOutputFormat("wide", &error), OutputFormat::kWide);
  EXPECT_FALSE(ParseOutputFormat("jsonpath", &error));
  EXPECT_EQ(error,
            "unable to match a printer suitable for the output format \"jsonpath\", allowed "
            "formats are: json,name,wide,yaml");
}

}  // namespace
}  // namespace fleetset::ctl
