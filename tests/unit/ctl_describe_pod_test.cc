// `fleetsetctl describe pod`: kubectl's layout, with what the node reports
// (state, waiting reasons, restarts) beside what the pod's revision holds.
#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>
#include <sstream>

#include "ctl/pod_describer.h"

namespace fleetset::ctl {
namespace {

const TimePoint kNow = TimePoint(std::chrono::seconds(1'700'000'000));

class CtlDescribePodTest : public ::testing::Test {
 protected:
  // Describe prints times in local time, as kubectl does.
  void SetUp() override {
    setenv("TZ", "UTC", 1);
    tzset();
  }
};

v1::Pod WaitingPod() {
  v1::Pod pod;
  pod.mutable_metadata()->set_name("fluent-bit-7xk2p");
  pod.mutable_metadata()->set_namespace_("logging");
  (*pod.mutable_metadata()->mutable_labels())["app"] = "fluent-bit";
  (*pod.mutable_metadata()->mutable_labels())["controller-revision-hash"] = "6d8c9f7b5";
  pod.set_node_name("k8s-01");
  pod.set_owner("logging/fluent-bit");
  pod.set_revision_hash("6d8c9f7b5");
  pod.set_priority(2000001000);
  pod.set_priority_class_name("system-node-critical");
  v1::PodStatus* status = pod.mutable_status();
  status->set_phase("Pending");
  status->set_host_ip("10.0.0.5");
  status->mutable_start_time()->set_seconds(1'700'000'000);
  status->set_reason("FailedMount");
  status->set_message("volume \"config\": configmap \"fluent-bit-config\" not found");
  v1::PodCondition* condition = status->add_conditions();
  condition->set_type("Ready");
  condition->set_status("False");
  v1::ContainerStatus* container = status->add_container_statuses();
  container->set_name("fluent-bit");
  container->set_image("fluent/fluent-bit:2.1");
  container->mutable_state()->mutable_waiting()->set_reason("ContainerCreating");
  return pod;
}

v1::PodTemplateSpec FluentBitTemplate() {
  v1::PodTemplateSpec pod_template;
  v1::PodSpec* spec = pod_template.mutable_spec();
  v1::Container* container = spec->add_containers();
  container->set_name("fluent-bit");
  container->set_image("fluent/fluent-bit:2.1");
  v1::VolumeMount* mount = container->add_volume_mounts();
  mount->set_name("config");
  mount->set_mount_path("/fluent-bit/etc");
  mount->set_read_only(true);
  v1::Volume* volume = spec->add_volumes();
  volume->set_name("config");
  volume->mutable_config_map()->set_name("fluent-bit-config");
  v1::Toleration* toleration = spec->add_tolerations();
  toleration->set_operator_("Exists");
  return pod_template;
}

TEST_F(CtlDescribePodTest, WaitingPodShowsWhyWithItsRevisionsSpec) {
  const v1::PodTemplateSpec pod_template = FluentBitTemplate();
  std::ostringstream out;
  DescribePod(out, WaitingPod(), &pod_template, std::vector<v1::Event>{}, kNow);
  EXPECT_EQ(out.str(),
            "Name:                 fluent-bit-7xk2p\n"
            "Namespace:            logging\n"
            "Priority:             2000001000\n"
            "Priority Class Name:  system-node-critical\n"
            "Node:                 k8s-01/10.0.0.5\n"
            "Start Time:           Tue, 14 Nov 2023 22:13:20 +0000\n"
            "Labels:               app=fluent-bit\n"
            "                      controller-revision-hash=6d8c9f7b5\n"
            "Annotations:          <none>\n"
            "Status:               Pending\n"
            "Reason:               FailedMount\n"
            "Message:              volume \"config\": configmap \"fluent-bit-config\" not found\n"
            "IP:                   \n"
            "IPs:                  <none>\n"
            "Controlled By:        DaemonSet/fluent-bit\n"
            "Containers:\n"
            "  fluent-bit:\n"
            "    Container ID:   \n"
            "    Image:          fluent/fluent-bit:2.1\n"
            "    Image ID:       \n"
            "    Port:           <none>\n"
            "    Host Port:      <none>\n"
            "    State:          Waiting\n"
            "      Reason:       ContainerCreating\n"
            "    Ready:          False\n"
            "    Restart Count:  0\n"
            "    Environment:    <none>\n"
            "    Mounts:\n"
            "      /fluent-bit/etc from config (ro)\n"
            "Conditions:\n"
            "  Type    Status\n"
            "  Ready   False \n"
            "Volumes:\n"
            "  config:\n"
            "    Type:        ConfigMap (a volume populated by a ConfigMap)\n"
            "    Name:        fluent-bit-config\n"
            "    Optional:    false\n"
            "Node-Selectors:  <none>\n"
            "Tolerations:     op=Exists\n"
            "Events:          <none>\n");
}

TEST_F(CtlDescribePodTest, RestartedContainerShowsItsLastStateAndWaitingMessage) {
  v1::Pod pod = WaitingPod();
  pod.clear_priority_class_name();
  pod.set_priority(0);
  v1::PodStatus* status = pod.mutable_status();
  status->clear_reason();
  status->clear_message();
  status->set_pod_ip("10.88.0.7");
  v1::ContainerStatus* container = status->mutable_container_statuses(0);
  container->set_restart_count(3);
  container->set_container_id("containerd://abc");
  v1::ContainerStateWaiting* waiting = container->mutable_state()->mutable_waiting();
  waiting->set_reason("CreateContainerConfigError");
  waiting->set_message("secret \"es-credentials\" not found");
  v1::ContainerStateTerminated* last = container->mutable_last_state()->mutable_terminated();
  last->set_reason("Error");
  last->set_exit_code(1);
  last->mutable_started_at()->set_seconds(1'699'999'000);
  last->mutable_finished_at()->set_seconds(1'699'999'100);
  std::ostringstream out;
  DescribePod(out, pod, nullptr, std::nullopt, kNow);
  const std::string text = out.str();
  EXPECT_NE(text.find("Priority:     0\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("Priority Class Name"), std::string::npos) << text;
  // As kubectl: the pod IP's line aligns with Controlled By.
  EXPECT_NE(text.find("IP:           10.88.0.7\n"
                      "IPs:\n"
                      "  IP:           10.88.0.7\n"
                      "Controlled By:  DaemonSet/fluent-bit\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("    Container ID:   containerd://abc\n"
                      "    Image:          fluent/fluent-bit:2.1\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("    State:          Waiting\n"
                      "      Reason:       CreateContainerConfigError\n"
                      "      Message:      secret \"es-credentials\" not found\n"
                      "    Last State:     Terminated\n"
                      "      Reason:       Error\n"
                      "      Exit Code:    1\n"
                      "      Started:      Tue, 14 Nov 2023 21:56:40 +0000\n"
                      "      Finished:     Tue, 14 Nov 2023 21:58:20 +0000\n"
                      "    Ready:          False\n"
                      "    Restart Count:  3\n"),
            std::string::npos)
      << text;
  // Without the revision's template nothing is made up: no volumes, no
  // tolerations, and no events section when events could not be listed.
  EXPECT_EQ(text.find("Volumes:"), std::string::npos) << text;
  EXPECT_EQ(text.find("Events:"), std::string::npos) << text;
}

TEST_F(CtlDescribePodTest, StaticPodIsControlledByItsNode) {
  v1::Pod pod = WaitingPod();
  pod.clear_owner();
  pod.set_static_pod(true);
  std::ostringstream out;
  DescribePod(out, pod, nullptr, std::nullopt, kNow);
  EXPECT_NE(out.str().find("Controlled By:        Node/k8s-01\n"), std::string::npos) << out.str();
}

}  // namespace
}  // namespace fleetset::ctl
