// fleetsetctl's tables and describe layouts, byte for byte as kubectl
// prints them (the get tables are the seed articles' own output).
#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>
#include <sstream>

#include "ctl/describers.h"
#include "ctl/printers.h"
#include "ctl/tabwriter.h"
#include "fleetset/display.h"

namespace fleetset::ctl {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

const TimePoint kNow = TimePoint(seconds(1'700'000'000));

google::protobuf::Timestamp Ago(std::chrono::seconds age) {
  google::protobuf::Timestamp timestamp;
  timestamp.set_seconds((kNow - age).time_since_epoch() / seconds(1));
  return timestamp;
}

v1::DaemonSet MakeDaemonSet(const std::string& name, const std::string& namespace_, int count,
                            std::chrono::seconds age) {
  v1::DaemonSet daemon_set;
  daemon_set.mutable_metadata()->set_name(name);
  daemon_set.mutable_metadata()->set_namespace_(namespace_);
  *daemon_set.mutable_metadata()->mutable_creation_timestamp() = Ago(age);
  (*daemon_set.mutable_spec()->mutable_selector()->mutable_match_labels())["name"] = name;
  v1::PodTemplateSpec* pod_template = daemon_set.mutable_spec()->mutable_template_();
  (*pod_template->mutable_metadata()->mutable_labels())["name"] = name;
  v1::Container* container = pod_template->mutable_spec()->add_containers();
  container->set_name(name);
  container->set_image("registry.example/" + name + ":v1");
  v1::DaemonSetStatus* status = daemon_set.mutable_status();
  status->set_desired_number_scheduled(count);
  status->set_current_number_scheduled(count);
  status->set_number_ready(count);
  status->set_updated_number_scheduled(count);
  status->set_number_available(count);
  return daemon_set;
}

std::string Table(const Rows& rows) {
  std::ostringstream out;
  PrintTable(out, rows);
  return out.str();
}

TEST(CtlPrintersTest, DaemonSetTableMatchesKubectl) {
  auto calico = MakeDaemonSet("calico-node", "kube-system", 6, hours(24 * 25));
  (*calico.mutable_spec()
        ->mutable_template_()
        ->mutable_spec()
        ->mutable_node_selector())["beta.kubernetes.io/os"] = "linux";
  auto proxy = calico;
  proxy.mutable_metadata()->set_name("kube-proxy");
  const auto fluentd = MakeDaemonSet("fluentd-elasticsearch", "kube-system", 6, seconds(3));
  TableOptions options;
  options.now = kNow;
  EXPECT_EQ(Table(TableRows({calico, fluentd, proxy}, options)),
            "NAME                    DESIRED   CURRENT   READY   UP-TO-DATE   AVAILABLE   NODE "
            "SELECTOR                 AGE\n"
            "calico-node             6         6         6       6            6           "
            "beta.kubernetes.io/os=linux   25d\n"
            "fluentd-elasticsearch   6         6         6       6            6           <none>   "
            "                     3s\n"
            "kube-proxy              6         6         6       6            6           "
            "beta.kubernetes.io/os=linux   25d\n");
}

TEST(CtlPrintersTest, DaemonSetTableWideAndAllNamespaces) {
  auto exporter = MakeDaemonSet("node-exporter", "monitoring", 2, minutes(5) + seconds(12));
  exporter.mutable_spec()->mutable_template_()->mutable_spec()->add_containers()->set_image(
      "sidecar:v2");
  exporter.mutable_spec()->mutable_template_()->mutable_spec()->mutable_containers(1)->set_name(
      "sidecar");
  auto* expression = exporter.mutable_spec()->mutable_selector()->add_match_expressions();
  expression->set_key("tier");
  expression->set_operator_("In");
  expression->add_values("b");
  expression->add_values("a");
  TableOptions options;
  options.now = kNow;
  options.wide = true;
  options.with_namespace = true;
  const Rows rows = TableRows({exporter}, options);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"NAMESPACE", "NAME", "DESIRED", "CURRENT", "READY",
                                               "UP-TO-DATE", "AVAILABLE", "NODE SELECTOR", "AGE",
                                               "CONTAINERS", "IMAGES", "SELECTOR"}));
  EXPECT_EQ(rows[1], (std::vector<std::string>{"monitoring", "node-exporter", "2", "2", "2", "2",
                                               "2", "<none>", "5m12s", "node-exporter,sidecar",
                                               "registry.example/node-exporter:v1,sidecar:v2",
                                               "name=node-exporter,tier in (a,b)"}));
}

v1::Pod MakePod(const std::string& name, const std::string& node, const std::string& ip,
                std::chrono::seconds age) {
  v1::Pod pod;
  pod.mutable_metadata()->set_name(name);
  pod.mutable_metadata()->set_namespace_("kube-system");
  *pod.mutable_metadata()->mutable_creation_timestamp() = Ago(age);
  pod.set_node_name(node);
  pod.set_owner("kube-system/fluentd-elasticsearch");
  pod.mutable_status()->set_phase("Running");
  pod.mutable_status()->set_pod_ip(ip);
  v1::ContainerStatus* container = pod.mutable_status()->add_container_statuses();
  container->set_name("fluentd-elasticsearch");
  container->set_ready(true);
  container->mutable_state()->mutable_running();
  return pod;
}

TEST(CtlPrintersTest, PodWideTableMatchesKubectl) {
  TableOptions options;
  options.now = kNow;
  options.wide = true;
  EXPECT_EQ(
      Table(
          TableRows({MakePod("fluentd-elasticsearch-c5r58", "k8s-03", "10.10.165.235", seconds(2)),
                     MakePod("fluentd-elasticsearch-k22jg", "k8s-02", "10.10.179.42", seconds(2))},
                    options)),
      "NAME                          READY   STATUS    RESTARTS   AGE   IP              NODE     "
      "NOMINATED NODE   READINESS GATES\n"
      "fluentd-elasticsearch-c5r58   1/1     Running   0          2s    10.10.165.235   k8s-03   "
      "<none>           <none>\n"
      "fluentd-elasticsearch-k22jg   1/1     Running   0          2s    10.10.179.42    k8s-02   "
      "<none>           <none>\n");
}

TEST(CtlPrintersTest, PodRestartsShowWhenTheLastOneWas) {
  v1::Pod pod = MakePod("p", "n", "", hours(1));
  v1::ContainerStatus* container = pod.mutable_status()->mutable_container_statuses(0);
  container->set_restart_count(3);
  *container->mutable_last_state()->mutable_terminated()->mutable_finished_at() = Ago(minutes(5));
  EXPECT_EQ(PodRestartsColumn(pod, kNow), "3 (5m ago)");
  pod.mutable_metadata()->mutable_deletion_timestamp()->set_seconds(1);
  EXPECT_EQ(PodStatus(pod), "Terminating");
  TableOptions options;
  options.now = kNow;
  options.wide = true;
  pod.mutable_status()->clear_pod_ip();
  EXPECT_EQ(TableRows({pod}, options)[1][5], "<none>");
}

TEST(CtlPrintersTest, NodeTableShowsStatusRolesAndWideColumns) {
  v1::Node worker;
  worker.mutable_metadata()->set_name("k8s-01");
  *worker.mutable_metadata()->mutable_creation_timestamp() = Ago(hours(24 * 25));
  auto* ready = worker.mutable_status()->add_conditions();
  ready->set_type("Ready");
  ready->set_status("True");
  worker.mutable_status()->mutable_node_info()->set_agent_version("v0.1.0");
  v1::Node master = worker;
  master.mutable_metadata()->set_name("master-1");
  (*master.mutable_metadata()->mutable_labels())["node-role.kubernetes.io/control-plane"] = "";
  (*master.mutable_metadata()->mutable_labels())["node-role.kubernetes.io/master"] = "";
  master.mutable_spec()->set_unschedulable(true);
  v1::Node lost = worker;
  lost.mutable_metadata()->set_name("lost");
  lost.mutable_status()->mutable_conditions(0)->set_status("Unknown");
  (*lost.mutable_metadata()->mutable_labels())["kubernetes.io/role"] = "edge";
  TableOptions options;
  options.now = kNow;
  EXPECT_EQ(Table(TableRows({worker, lost, master}, options)),
            "NAME       STATUS                     ROLES                  AGE   VERSION\n"
            "k8s-01     Ready                      <none>                 25d   v0.1.0\n"
            "lost       NotReady                   edge                   25d   v0.1.0\n"
            "master-1   Ready,SchedulingDisabled   control-plane,master   25d   v0.1.0\n");

  auto* address = worker.mutable_status()->add_addresses();
  address->set_type("InternalIP");
  address->set_address("10.0.0.1");
  worker.mutable_status()->mutable_node_info()->set_kernel_version("6.1.0-18-amd64");
  options.wide = true;
  const Rows rows = TableRows({worker}, options);
  EXPECT_EQ(rows[0].back(), "CONTAINER-RUNTIME");
  EXPECT_EQ(rows[1],
            (std::vector<std::string>{"k8s-01", "Ready", "<none>", "25d", "v0.1.0", "10.0.0.1",
                                      "<none>", "<unknown>", "6.1.0-18-amd64", "<unknown>"}));
  v1::Node fresh;
  EXPECT_EQ(NodeStatusColumn(fresh), "Unknown");
  EXPECT_EQ(AgeColumn(fresh.metadata().creation_timestamp(), kNow), "<unknown>");
}

TEST(CtlPrintersTest, CoordinatorTableShowsTheLeaderAndWhoIsUnreachable) {
  std::vector<v1::Coordinator> coordinators(2);
  coordinators[0].mutable_metadata()->set_name("coord-1");
  *coordinators[0].mutable_metadata()->mutable_creation_timestamp() = Ago(hours(72));
  v1::CoordinatorStatus* first = coordinators[0].mutable_status();
  first->set_address("10.0.0.1:7400");
  first->set_state("alive");
  first->set_leader(true);
  first->set_version("0.1.0");
  coordinators[1].mutable_metadata()->set_name("coord-2");
  *coordinators[1].mutable_metadata()->mutable_creation_timestamp() = Ago(minutes(5));
  v1::CoordinatorStatus* second = coordinators[1].mutable_status();
  second->set_address("10.0.0.2:7400");
  second->set_state("unreachable");
  second->set_version("0.1.0");
  second->set_store_error("etcd unavailable: context deadline exceeded");
  TableOptions options;
  options.now = kNow;
  EXPECT_EQ(Table(TableRows(coordinators, options)),
            "NAME      ADDRESS         STATUS        LEADER   VERSION   STORE         AGE\n"
            "coord-1   10.0.0.1:7400   alive         true     0.1.0     ok            3d\n"
            "coord-2   10.0.0.2:7400   unreachable   false    0.1.0     unavailable   5m\n");
  EXPECT_EQ(NameLine(coordinators[0]), "coordinator/coord-1");
}

TEST(CtlPrintersTest, AgeFollowsKubectlsHumanDuration) {
  EXPECT_EQ(AgeColumn(Ago(seconds(45)), kNow), "45s");
  EXPECT_EQ(AgeColumn(Ago(minutes(3) + seconds(12)), kNow), "3m12s");
  EXPECT_EQ(AgeColumn(Ago(minutes(25)), kNow), "25m");
  EXPECT_EQ(AgeColumn(Ago(hours(5) + minutes(10)), kNow), "5h10m");
  EXPECT_EQ(AgeColumn(Ago(hours(24 * 3 + 4)), kNow), "3d4h");
}

TEST(CtlPrintersTest, LabelSelectorFormatsAsKubectl) {
  v1::LabelSelector selector;
  EXPECT_EQ(FormatLabelSelector(selector), "<none>");
  (*selector.mutable_match_labels())["app"] = "x";
  auto* legacy = selector.add_match_expressions();
  legacy->set_key("legacy");
  legacy->set_operator_("DoesNotExist");
  auto* env = selector.add_match_expressions();
  env->set_key("env");
  env->set_operator_("NotIn");
  env->add_values("prod");
  EXPECT_EQ(FormatLabelSelector(selector), "app=x,env notin (prod),!legacy");
}

TEST(CtlTabWriterTest, AlignsEachRunOfLinesSeparately) {
  std::ostringstream out;
  {
    TabWriter w(out);
    w.Write(0, "Name:\tx\n");
    w.Write(0, "Node-Selector:\t<none>\n");
    w.Write(0, "no tabs here\n");
    w.Write(1, "a:\t1\n");
    w.Write(0, "Empty:\t\n");
  }
  EXPECT_EQ(out.str(),
            "Name:           x\n"
            "Node-Selector:  <none>\n"
            "no tabs here\n"
            "  a:    1\n"
            "Empty:  \n");
}

class CtlDescribeTest : public ::testing::Test {
 protected:
  // Describe prints times in local time, as kubectl does.
  void SetUp() override {
    setenv("TZ", "UTC", 1);
    tzset();
  }
};

TEST_F(CtlDescribeTest, DaemonSetMatchesKubectlsLayout) {
  auto daemon_set = MakeDaemonSet("fluentd-elasticsearch", "kube-system", 3, hours(1));
  (*daemon_set.mutable_metadata()->mutable_labels())["k8s-app"] = "fluentd-logging";
  v1::PodSpec* spec = daemon_set.mutable_spec()->mutable_template_()->mutable_spec();
  v1::Container* container = spec->mutable_containers(0);
  container->set_image("quay.io/fluentd_elasticsearch/fluentd:v2.5.2");
  (*container->mutable_resources()->mutable_limits())["memory"] = "200Mi";
  (*container->mutable_resources()->mutable_requests())["cpu"] = "100m";
  (*container->mutable_resources()->mutable_requests())["memory"] = "200Mi";
  auto* mount = container->add_volume_mounts();
  mount->set_name("varlog");
  mount->set_mount_path("/var/log");
  auto* volume = spec->add_volumes();
  volume->set_name("varlog");
  volume->mutable_host_path()->set_path("/var/log");
  auto* toleration = spec->add_tolerations();
  toleration->set_key("node-role.kubernetes.io/master");
  toleration->set_effect("NoSchedule");
  std::vector<v1::Pod> pods(3, MakePod("p", "n", "", seconds(48)));
  v1::Event event;
  *event.mutable_time() = Ago(seconds(48));
  event.set_type("Normal");
  event.set_reason("SuccessfulCreate");
  event.set_message("Created pod: fluentd-elasticsearch-c5r58");
  event.set_involved_object("daemonset/kube-system/fluentd-elasticsearch");

  std::ostringstream out;
  DescribeDaemonSet(out, daemon_set, pods, std::vector<v1::Event>{event}, kNow);
  EXPECT_EQ(out.str(),
            "Name:           fluentd-elasticsearch\n"
            "Selector:       name=fluentd-elasticsearch\n"
            "Node-Selector:  <none>\n"
            "Labels:         k8s-app=fluentd-logging\n"
            "Annotations:    <none>\n"
            "Desired Number of Nodes Scheduled: 3\n"
            "Current Number of Nodes Scheduled: 3\n"
            "Number of Nodes Scheduled with Up-to-date Pods: 3\n"
            "Number of Nodes Scheduled with Available Pods: 3\n"
            "Number of Nodes Misscheduled: 0\n"
            "Pods Status:  3 Running / 0 Waiting / 0 Succeeded / 0 Failed\n"
            "Pod Template:\n"
            "  Labels:  name=fluentd-elasticsearch\n"
            "  Containers:\n"
            "   fluentd-elasticsearch:\n"
            "    Image:      quay.io/fluentd_elasticsearch/fluentd:v2.5.2\n"
            "    Port:       <none>\n"
            "    Host Port:  <none>\n"
            "    Limits:\n"
            "      memory:  200Mi\n"
            "    Requests:\n"
            "      cpu:        100m\n"
            "      memory:     200Mi\n"
            "    Environment:  <none>\n"
            "    Mounts:\n"
            "      /var/log from varlog (rw)\n"
            "  Volumes:\n"
            "   varlog:\n"
            "    Type:          HostPath (bare host directory volume)\n"
            "    Path:          /var/log\n"
            "    HostPathType:  \n"
            "  Node-Selectors:  <none>\n"
            "  Tolerations:     node-role.kubernetes.io/master:NoSchedule\n"
            "Events:\n"
            "  Type    Reason            Age   From                  Message\n"
            "  ----    ------            ----  ----                  -------\n"
            "  Normal  SuccessfulCreate  48s   daemonset-controller  Created pod: "
            "fluentd-elasticsearch-c5r58\n");
}

TEST_F(CtlDescribeTest, NodeShowsTaintsConditionsAndItsPods) {
  v1::Node node;
  node.mutable_metadata()->set_name("k8s-master-01");
  node.mutable_metadata()->mutable_creation_timestamp()->set_seconds(1'700'000'000);
  (*node.mutable_metadata()->mutable_labels())["node-role.kubernetes.io/master"] = "";
  (*node.mutable_metadata()->mutable_labels())["kubernetes.io/hostname"] = "k8s-master-01";
  auto* taint = node.mutable_spec()->add_taints();
  taint->set_key("node-role.kubernetes.io/master");
  taint->set_effect("NoSchedule");
  auto* condition = node.mutable_status()->add_conditions();
  condition->set_type("Ready");
  condition->set_status("True");
  condition->mutable_last_heartbeat_time()->set_seconds(1'700'000'000);
  condition->mutable_last_transition_time()->set_seconds(1'700'000'000);
  condition->set_reason("AgentReady");
  condition->set_message("fleetset-agent is posting ready status");
  std::ostringstream out;
  DescribeNode(out, node, {MakePod("fluentd-elasticsearch-8db4n", "k8s-master-01", "", seconds(7))},
               std::vector<v1::Event>{}, kNow);
  const std::string text = out.str();
  EXPECT_NE(text.find("Name:               k8s-master-01\n"
                      "Roles:              master\n"
                      "Labels:             kubernetes.io/hostname=k8s-master-01\n"
                      "                    node-role.kubernetes.io/master=\n"
                      "Annotations:        <none>\n"
                      "CreationTimestamp:  Tue, 14 Nov 2023 22:13:20 +0000\n"
                      "Taints:             node-role.kubernetes.io/master:NoSchedule\n"
                      "Unschedulable:      false\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("  Ready   True    Tue, 14 Nov 2023 22:13:20 +0000   Tue, 14 Nov 2023 "
                      "22:13:20 +0000   AgentReady   fleetset-agent is posting ready status\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("(1 in total)"), std::string::npos) << text;
  EXPECT_NE(text.find("  Namespace                   Name                         DaemonSet    "
                      "          Ready  Status   Age\n"
                      "  ---------                   ----                         ---------    "
                      "          -----  ------   ---\n"
                      "  kube-system                 fluentd-elasticsearch-8db4n  "
                      "fluentd-elasticsearch  1/1    Running  7s\n"),
            std::string::npos)
      << text;
  // Without events the line joins the block above it, as in kubectl.
  EXPECT_TRUE(text.ends_with("\nEvents:                       <none>\n")) << text;
}

}  // namespace
}  // namespace fleetset::ctl
