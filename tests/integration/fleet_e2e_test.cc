// The seed articles' DaemonSet walkthroughs, run end to end on a three-node
// fleet (real containerd per node, real agents, real coordinator) through
// fleetsetctl, checking what the articles show kubectl printing and what
// the nodes' runtimes really hold.
//
// The articles' images cannot be pulled here (no network), so each test
// applies the article's manifest with the local busybox image instead
// (AdaptSeedManifest); the scheduling parts — tolerations, nodeSelector —
// are the article's own. Commands keep the articles' spelling where
// fleetsetctl accepts kubectl's (`-n=kube-system`, `--selector`,
// `daemonset/NAME`).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "support/fleet_e2e.h"

namespace fleetset::testing {
namespace {

using std::chrono::milliseconds;
using ::testing::AllOf;
using ::testing::AnyOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::UnorderedElementsAre;

constexpr char kKubeSystem[] = "kube-system";
constexpr char kFluentdElasticsearch[] = "fluentd-elasticsearch";
// The local test image under a second name, tagged on every node: the
// "new version" a rollout moves to.
constexpr char kV2Image[] = "docker.io/fleetset/busybox:v2";
// Nothing listens there: pulling fails at once with "connection refused".
constexpr char kUnpullableImage[] = "127.0.0.1:5999/nope:1";

// NODE -> rows of `get pods -o wide` on that node.
std::map<std::string, std::vector<TableRow>> PodsByNode(const std::string& table) {
  std::map<std::string, std::vector<TableRow>> by_node;
  for (TableRow& row : ParseTable(table)) by_node[row["NODE"]].push_back(row);
  return by_node;
}

// The revision numbers `rollout history` lists, in its order.
std::vector<int> Revisions(const std::string& history) {
  const size_t header = history.find("REVISION");
  std::vector<int> revisions;
  if (header == std::string::npos) return revisions;
  for (TableRow& row : ParseTable(history.substr(header))) {
    revisions.push_back(std::atoi(row["REVISION"].c_str()));
  }
  return revisions;
}

// Seed 000 ("Daemon Sets"): "Whenever a new node is added to the cluster a
// replica of the pod is automatically added to that node and when a node
// is removed the pod is automatically removed." The article's
// daemon-set-definition.yaml (its selector fixed, its name "montoring-daemon"
// kept as published) goes through `kubectl create`, `kubectl get
// daemonsets` and `kubectl describe daemonset`.
TEST_F(FleetE2ETest, Seed000NodeAddedGetsAPodNodeRemovedTakesItsPodAway) {
  constexpr char kName[] = "montoring-daemon";
  constexpr char kWorker3Node[] = "worker-3";
  // $ kubectl create -f daemon-set-definition.yaml
  const CommandResult create =
      Ctl("create", "-f",
          WriteFile("daemon-set-definition.yaml",
                    AdaptSeedManifest("000-monitoring-daemon-fixed.yaml", kTestImage)));
  ASSERT_EQ(create.exit_code, 0) << Show(create);
  EXPECT_EQ(create.out, "daemonset.apps/montoring-daemon created\n");
  // $ kubectl get daemonsets — the two workers (the master is tainted).
  ASSERT_TRUE(WaitForDaemonSetCounts(kName, "default", 2));
  const std::vector<DaemonSetRow> listed = ParseDaemonSetTable(Ctl("get", "daemonsets").out);
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].name, kName);

  // A new node joins: it gets a pod, DESIRED 3.
  ASSERT_TRUE(AddNode(kWorker3Node));
  ASSERT_TRUE(WaitForDaemonSetCounts(kName, "default", 3));
  ExpectFleetRuns(kName, "default", {kWorker1Node, kWorker2Node, kWorker3Node}, kTestImage);
  // $ kubectl describe daemonset monitoring-daemon — the article's command
  // misses its own manifest's name, and gets what kubectl would answer.
  const CommandResult typo = Ctl("describe", "daemonset", "monitoring-daemon");
  EXPECT_NE(typo.exit_code, 0) << Show(typo);
  EXPECT_THAT(
      typo.err,
      HasSubstr("Error from server (NotFound): daemonsets.apps \"monitoring-daemon\" not found"))
      << Show(typo);
  const CommandResult describe = Ctl("describe", "daemonset", kName);
  ASSERT_EQ(describe.exit_code, 0) << Show(describe);
  EXPECT_THAT(describe.out, HasSubstr("Desired Number of Nodes Scheduled: 3")) << describe.out;
  EXPECT_THAT(describe.out, HasSubstr(std::string(" on node ") + kWorker3Node)) << describe.out;

  // The machine goes away and the node is deleted: its pod goes too.
  RemoveMachine(kWorker3Node);
  const CommandResult remove = Ctl("delete", "node", kWorker3Node);
  ASSERT_EQ(remove.exit_code, 0) << Show(remove);
  EXPECT_EQ(remove.out, "node \"worker-3\" deleted\n");
  ASSERT_TRUE(WaitForDaemonSetCounts(kName, "default", 2));
  ExpectFleetRuns(kName, "default", {kWorker1Node, kWorker2Node}, kTestImage);
  const CommandResult nodes = Ctl("get", "nodes");
  EXPECT_EQ(ParseTable(nodes.out).size(), 3u) << Show(nodes);
}

// Seed 004 ("Kubernetes, Daemonsets"), first two steps: the DaemonSet
// without tolerations runs on the workers only ("The manifest did not
// include any taint tolerations; therefore, the scheduler did not place
// pods on masters."); with spec.template.spec.tolerations for
// node-role.kubernetes.io/master the master gets its pod too.
TEST_F(FleetE2ETest, Seed004MasterGetsAPodOnlyOnceTheDaemonSetToleratesItsTaint) {
  // The cluster: three nodes Ready, the master tainted as kubeadm taints it
  // ($ kubectl describe nodes k8s-master-01 | grep Taints
  //  Taints:             node-role.kubernetes.io/master:NoSchedule).
  const CommandResult nodes = Ctl("get", "nodes");
  ASSERT_EQ(nodes.exit_code, 0) << Show(nodes);
  const std::vector<TableRow> rows = ParseTable(nodes.out);
  ASSERT_EQ(rows.size(), 3u) << nodes.out;
  std::map<std::string, TableRow> by_name;
  for (const TableRow& row : rows) by_name[row.at("NAME")] = row;
  for (const char* name : {kMasterNode, kWorker1Node, kWorker2Node}) {
    ASSERT_TRUE(by_name.contains(name)) << nodes.out;
    EXPECT_EQ(by_name[name]["STATUS"], "Ready") << nodes.out;
  }
  EXPECT_EQ(by_name[kMasterNode]["ROLES"], "master") << nodes.out;
  EXPECT_EQ(by_name[kWorker1Node]["ROLES"], "<none>") << nodes.out;

  const CommandResult describe_master = Ctl("describe", "node", kMasterNode);
  ASSERT_EQ(describe_master.exit_code, 0) << Show(describe_master);
  std::istringstream lines(describe_master.out);
  std::string line;
  std::string taints;
  while (std::getline(lines, line)) {
    if (line.starts_with("Taints:")) taints = line;
  }
  EXPECT_THAT(taints, HasSubstr("node-role.kubernetes.io/master:NoSchedule"))
      << describe_master.out;
  const CommandResult describe_worker = Ctl("describe", "node", kWorker1Node);
  EXPECT_THAT(describe_worker.out, HasSubstr("Taints:             <none>"))
      << Show(describe_worker);

  // $ kubectl apply -f daemonset.yaml
  const CommandResult apply = Ctl(
      "apply", "-f",
      WriteFile("daemonset.yaml", AdaptSeedManifest("004-fluentd-elasticsearch.yaml", kTestImage)));
  ASSERT_EQ(apply.exit_code, 0) << Show(apply);
  EXPECT_EQ(apply.out, "daemonset.apps/fluentd-elasticsearch created\n");

  // $ kc get ds -n=kube-system
  // fluentd-elasticsearch   2  2  2  2  2  <none>   (two workers here)
  ASSERT_TRUE(WaitForDaemonSetCounts(kFluentdElasticsearch, kKubeSystem, 2));
  const CommandResult get_ds = Ctl("get", "ds", "-n=kube-system");
  ASSERT_EQ(get_ds.exit_code, 0) << Show(get_ds);
  const std::vector<DaemonSetRow> daemon_sets = ParseDaemonSetTable(get_ds.out);
  ASSERT_EQ(daemon_sets.size(), 1u) << get_ds.out;
  EXPECT_EQ(daemon_sets[0].name, kFluentdElasticsearch);
  EXPECT_EQ(daemon_sets[0].desired, 2) << get_ds.out;
  EXPECT_EQ(daemon_sets[0].node_selector, "<none>") << get_ds.out;

  // $ kubectl get pods -n=kube-system --selector name=fluentd-elasticsearch -o wide
  const CommandResult pods = Ctl("get", "pods", "-n=kube-system", "--selector",
                                 "name=fluentd-elasticsearch", "-o", "wide");
  ASSERT_EQ(pods.exit_code, 0) << Show(pods);
  auto by_node = PodsByNode(pods.out);
  EXPECT_EQ(by_node.size(), 2u) << pods.out;
  for (const char* worker : {kWorker1Node, kWorker2Node}) {
    ASSERT_EQ(by_node[worker].size(), 1u) << pods.out;
    EXPECT_EQ(by_node[worker][0]["READY"], "1/1") << pods.out;
    EXPECT_EQ(by_node[worker][0]["STATUS"], "Running") << pods.out;
    EXPECT_THAT(by_node[worker][0]["NAME"], HasSubstr("fluentd-elasticsearch-")) << pods.out;
  }
  EXPECT_FALSE(by_node.contains(kMasterNode)) << pods.out;
  ExpectFleetRuns(kFluentdElasticsearch, kKubeSystem, {kWorker1Node, kWorker2Node}, kTestImage);

  // Why not on the master: its taint (fleetsetctl's own verb).
  const CommandResult why = Ctl("why", "ds/fluentd-elasticsearch", kMasterNode, "-n", kKubeSystem);
  ASSERT_EQ(why.exit_code, 0) << Show(why);
  const std::vector<TableRow> why_rows = ParseTable(why.out);
  ASSERT_EQ(why_rows.size(), 1u) << why.out;
  EXPECT_EQ(why_rows[0].at("NODE"), kMasterNode);
  EXPECT_EQ(why_rows[0].at("POD"), "<none>");
  EXPECT_EQ(why_rows[0].at("SHOULD-RUN"), "false");
  EXPECT_THAT(
      why_rows[0].at("REASON"),
      AllOf(HasSubstr("node-role.kubernetes.io/master:NoSchedule"), HasSubstr("not tolerate")))
      << why.out;

  // Seed 000: kubectl describe daemonset ... — the controller's events.
  const CommandResult describe =
      Ctl("describe", "daemonset", kFluentdElasticsearch, "-n", kKubeSystem);
  ASSERT_EQ(describe.exit_code, 0) << Show(describe);
  EXPECT_THAT(describe.out, HasSubstr("Desired Number of Nodes Scheduled: 2")) << describe.out;
  const size_t events = describe.out.find("\nEvents:");
  ASSERT_NE(events, std::string::npos) << describe.out;
  const std::string event_lines = describe.out.substr(events);
  size_t created = 0;
  for (size_t at = event_lines.find("SuccessfulCreate"); at != std::string::npos;
       at = event_lines.find("SuccessfulCreate", at + 1)) {
    ++created;
  }
  EXPECT_GE(created, 2u) << describe.out;
  for (const char* worker : {kWorker1Node, kWorker2Node}) {
    EXPECT_THAT(event_lines,
                HasSubstr("Created pod: " + by_node[worker][0]["NAME"] + " on node " + worker))
        << describe.out;
  }
  EXPECT_THAT(event_lines, Not(HasSubstr("on node master"))) << describe.out;

  // "Updating the manifest field spec.template.spec.tolerations enables
  // scheduling of pods on masters."
  const CommandResult tolerate =
      Ctl("apply", "-f",
          WriteFile("daemonset-tolerations.yaml",
                    AdaptSeedManifest("004-fluentd-elasticsearch-tolerations.yaml", kTestImage)));
  ASSERT_EQ(tolerate.exit_code, 0) << Show(tolerate);
  EXPECT_EQ(tolerate.out, "daemonset.apps/fluentd-elasticsearch configured\n");
  ExpectRolledOut(kFluentdElasticsearch, kKubeSystem);
  // DESIRED goes from 2 to 3.
  ASSERT_TRUE(WaitForDaemonSetCounts(kFluentdElasticsearch, kKubeSystem, 3));
  const CommandResult all_pods = Ctl("get", "pods", "-n=kube-system", "--selector",
                                     "name=fluentd-elasticsearch", "-o", "wide");
  by_node = PodsByNode(all_pods.out);
  EXPECT_EQ(by_node.size(), 3u) << all_pods.out;
  ASSERT_EQ(by_node[kMasterNode].size(), 1u) << all_pods.out;
  EXPECT_EQ(by_node[kMasterNode][0]["STATUS"], "Running") << all_pods.out;
  ExpectFleetRuns(kFluentdElasticsearch, kKubeSystem, {kMasterNode, kWorker1Node, kWorker2Node},
                  kTestImage);
  const CommandResult why_now =
      Ctl("why", "ds/fluentd-elasticsearch", kMasterNode, "-n", kKubeSystem);
  const std::vector<TableRow> now_rows = ParseTable(why_now.out);
  ASSERT_EQ(now_rows.size(), 1u) << Show(why_now);
  EXPECT_EQ(now_rows[0].at("SHOULD-RUN"), "true") << why_now.out;
  EXPECT_EQ(now_rows[0].at("POD"), by_node[kMasterNode][0]["NAME"]) << why_now.out;
}

// Seed 004, third step: with nodeSelector logger=fluentd no node qualifies
// (DESIRED 0) until `kc label node k8s-01 logger=fluentd` and the same for
// k8s-02; then `kc get ds` shows 2 2 2 2 2 logger=fluentd and the pods run
// on exactly those two nodes.
TEST_F(FleetE2ETest, Seed004NodeSelectorRunsPodsOnlyOnNodesLabelledLoggerFluentd) {
  const CommandResult apply =
      Ctl("apply", "-f",
          WriteFile("daemonset.yaml",
                    AdaptSeedManifest("004-fluentd-elasticsearch-node-selector.yaml", kTestImage)));
  ASSERT_EQ(apply.exit_code, 0) << Show(apply);

  // Every node has been considered (`why` answers for each) and none
  // qualifies.
  std::vector<TableRow> why_rows;
  ASSERT_TRUE(WaitFor([&] {
    why_rows = ParseTable(Ctl("why", "ds/fluentd-elasticsearch", "-n", kKubeSystem).out);
    return why_rows.size() == 3;
  }));
  for (const TableRow& row : why_rows) {
    EXPECT_EQ(row.at("SHOULD-RUN"), "false") << row.at("NODE");
    EXPECT_THAT(row.at("REASON"), HasSubstr("nodeSelector")) << row.at("NODE");
  }
  std::optional<DaemonSetRow> row = GetDaemonSet(kFluentdElasticsearch, kKubeSystem);
  ASSERT_TRUE(row.has_value());
  EXPECT_EQ(row->desired, 0) << ToString(*row);
  EXPECT_EQ(row->current, 0) << ToString(*row);
  EXPECT_EQ(row->node_selector, "logger=fluentd") << ToString(*row);
  // A few heartbeats later still nothing runs anywhere.
  std::this_thread::sleep_for(milliseconds(3000));
  for (const std::string& node : NodeNames()) {
    EXPECT_THAT(RuntimeSandboxes(node, kFluentdElasticsearch, kKubeSystem), IsEmpty()) << node;
  }
  row = GetDaemonSet(kFluentdElasticsearch, kKubeSystem);
  ASSERT_TRUE(row.has_value());
  EXPECT_EQ(row->desired, 0) << ToString(*row);

  // $ kc label node k8s-01 logger=fluentd
  // $ kc label node k8s-02 logger=fluentd
  for (const char* worker : {kWorker1Node, kWorker2Node}) {
    const CommandResult label = Ctl("label", "node", worker, "logger=fluentd");
    ASSERT_EQ(label.exit_code, 0) << Show(label);
    EXPECT_EQ(label.out, std::string("node/") + worker + " labeled\n");
  }

  // $ kc get ds -n=kube-system
  // fluentd-elasticsearch   2   2   2   2   2   logger=fluentd
  ASSERT_TRUE(WaitForDaemonSetCounts(kFluentdElasticsearch, kKubeSystem, 2));
  row = GetDaemonSet(kFluentdElasticsearch, kKubeSystem);
  ASSERT_TRUE(row.has_value());
  EXPECT_EQ(row->node_selector, "logger=fluentd") << ToString(*row);

  // $ kc get pods -n=kube-system --selector name=fluentd-elasticsearch -o wide
  const CommandResult pods = Ctl("get", "pods", "-n=kube-system", "--selector",
                                 "name=fluentd-elasticsearch", "-o", "wide");
  ASSERT_EQ(pods.exit_code, 0) << Show(pods);
  const auto by_node = PodsByNode(pods.out);
  std::set<std::string> nodes;
  for (const auto& [node, node_pods] : by_node) {
    nodes.insert(node);
    EXPECT_EQ(node_pods.size(), 1u) << pods.out;
    for (const TableRow& pod : node_pods) {
      EXPECT_EQ(pod.at("READY"), "1/1") << pods.out;
      EXPECT_EQ(pod.at("STATUS"), "Running") << pods.out;
    }
  }
  EXPECT_THAT(nodes, UnorderedElementsAre(kWorker1Node, kWorker2Node)) << pods.out;
  // The master tolerates the taint (the manifest kept the toleration) but
  // has no logger=fluentd label.
  ExpectFleetRuns(kFluentdElasticsearch, kKubeSystem, {kWorker1Node, kWorker2Node}, kTestImage);
}

// Seed 003 ("DaemonSets in Kubernetes"), "Taints" and "Remove a Taint":
// `kubectl taint nodes node1 key1=value1:NoSchedule` keeps new pods away
// but, as in Kubernetes, leaves the running DaemonSet pod alone (it is
// counted as misscheduled, no longer desired); `kubectl taint nodes node1
// key1=value1:NoSchedule-` undoes it. A NoExecute taint evicts the pod,
// and `kubectl taint nodes node1 key1-` brings it back. Seed 004's
// manifest (no tolerations) runs on the two workers.
TEST_F(FleetE2ETest, Seed003TaintNoScheduleKeepsRunningPodNoExecuteEvictsRemovalRestores) {
  const CommandResult apply = Ctl(
      "apply", "-f",
      WriteFile("daemonset.yaml", AdaptSeedManifest("004-fluentd-elasticsearch.yaml", kTestImage)));
  ASSERT_EQ(apply.exit_code, 0) << Show(apply);
  ASSERT_TRUE(WaitForDaemonSetCounts(kFluentdElasticsearch, kKubeSystem, 2));
  const std::vector<cri::Container> before =
      RuntimeContainers(kWorker1Node, kFluentdElasticsearch, kKubeSystem);
  ASSERT_EQ(before.size(), 1u);

  // $ kubectl taint nodes node1 key1=value1:NoSchedule
  const CommandResult taint = Ctl("taint", "nodes", kWorker1Node, "key1=value1:NoSchedule");
  ASSERT_EQ(taint.exit_code, 0) << Show(taint);
  EXPECT_EQ(taint.out, std::string("node/") + kWorker1Node + " tainted\n");
  std::optional<DaemonSetRow> row;
  EXPECT_TRUE(WaitFor([&] {
    row = GetDaemonSet(kFluentdElasticsearch, kKubeSystem);
    return row && row->desired == 1;
  })) << (row ? ToString(*row) : "no row");
  const CommandResult describe = Ctl("describe", "ds", kFluentdElasticsearch, "-n", kKubeSystem);
  EXPECT_THAT(describe.out, HasSubstr("Number of Nodes Misscheduled: 1")) << Show(describe);
  const CommandResult why = Ctl("why", "ds/fluentd-elasticsearch", kWorker1Node, "-n", kKubeSystem);
  EXPECT_THAT(why.out, HasSubstr("key1=value1:NoSchedule")) << Show(why);
  // A few heartbeats later the pod still runs: same container, not
  // restarted.
  std::this_thread::sleep_for(milliseconds(3000));
  std::vector<cri::Container> during =
      RuntimeContainers(kWorker1Node, kFluentdElasticsearch, kKubeSystem);
  ASSERT_EQ(during.size(), 1u);
  EXPECT_EQ(during[0].id(), before[0].id());
  EXPECT_EQ(during[0].state(), cri::CONTAINER_RUNNING);

  // $ kubectl taint nodes node1 key1=value1:NoSchedule-
  const CommandResult untaint = Ctl("taint", "nodes", kWorker1Node, "key1=value1:NoSchedule-");
  ASSERT_EQ(untaint.exit_code, 0) << Show(untaint);
  EXPECT_EQ(untaint.out, std::string("node/") + kWorker1Node + " untainted\n");
  ASSERT_TRUE(WaitForDaemonSetCounts(kFluentdElasticsearch, kKubeSystem, 2));
  during = RuntimeContainers(kWorker1Node, kFluentdElasticsearch, kKubeSystem);
  ASSERT_EQ(during.size(), 1u);
  EXPECT_EQ(during[0].id(), before[0].id());

  // NoExecute: the pod goes.
  const CommandResult evict = Ctl("taint", "nodes", kWorker2Node, "key1=value1:NoExecute");
  ASSERT_EQ(evict.exit_code, 0) << Show(evict);
  EXPECT_TRUE(WaitFor([&] {
    return RuntimeSandboxes(kWorker2Node, kFluentdElasticsearch, kKubeSystem).empty();
  })) << "the pod on "
      << kWorker2Node << " survived a NoExecute taint";
  ASSERT_TRUE(WaitForDaemonSetCounts(kFluentdElasticsearch, kKubeSystem, 1));
  ExpectFleetRuns(kFluentdElasticsearch, kKubeSystem, {kWorker1Node}, kTestImage);

  // $ kubectl taint nodes node1 key1-
  const CommandResult remove = Ctl("taint", "nodes", kWorker2Node, "key1-");
  ASSERT_EQ(remove.exit_code, 0) << Show(remove);
  EXPECT_EQ(remove.out, std::string("node/") + kWorker2Node + " untainted\n");
  ASSERT_TRUE(WaitForDaemonSetCounts(kFluentdElasticsearch, kKubeSystem, 2));
  ExpectFleetRuns(kFluentdElasticsearch, kKubeSystem, {kWorker1Node, kWorker2Node}, kTestImage);
}

// Seed 003 ("DaemonSets in Kubernetes"), "Update and Rollbacks": `kubectl
// set image daemonset/fluentd-elasticsearch fluentd-elasticsearch=... -n
// kube-system` rolls every node to the new image, `rollout history` lists
// both revisions, `rollout undo ... --to-revision=1` brings the first image
// back; then `kubectl delete` removes every pod. The commands name the
// DaemonSet and container of seed 004's manifest (the article's own
// fluentd manifest names them "fluentd"), with its master toleration so
// all three nodes take part.
TEST_F(FleetE2ETest, Seed003SetImageRollsOutHistoryListsRevisionsUndoRestoresDeleteRemoves) {
  ASSERT_TRUE(TagImageOnAllNodes(kTestImage, kV2Image));
  const CommandResult apply =
      Ctl("apply", "-f",
          WriteFile("fluentd-elasticsearch.yaml",
                    AdaptSeedManifest("004-fluentd-elasticsearch-tolerations.yaml", kTestImage)));
  ASSERT_EQ(apply.exit_code, 0) << Show(apply);
  ExpectRolledOut(kFluentdElasticsearch, kKubeSystem);
  ASSERT_TRUE(WaitForDaemonSetCounts(kFluentdElasticsearch, kKubeSystem, 3));
  const std::set<std::string> all_nodes = {kMasterNode, kWorker1Node, kWorker2Node};
  ExpectFleetRuns(kFluentdElasticsearch, kKubeSystem, all_nodes, kTestImage);

  // $ kubectl set image daemonset/fluentd-elasticsearch fluentd-elasticsearch=<v2> -n kube-system
  const CommandResult set_image =
      Ctl("set", "image", "daemonset/fluentd-elasticsearch",
          std::string("fluentd-elasticsearch=") + kV2Image, "-n", kKubeSystem);
  ASSERT_EQ(set_image.exit_code, 0) << Show(set_image);
  EXPECT_EQ(set_image.out, "daemonset.apps/fluentd-elasticsearch image updated\n");
  ExpectRolledOut(kFluentdElasticsearch, kKubeSystem);
  ASSERT_TRUE(WaitForDaemonSetCounts(kFluentdElasticsearch, kKubeSystem, 3));
  ExpectFleetRuns(kFluentdElasticsearch, kKubeSystem, all_nodes, kV2Image);

  // $ kubectl rollout history daemonset/fluentd-elasticsearch -n kube-system
  const CommandResult history =
      Ctl("rollout", "history", "daemonset/fluentd-elasticsearch", "-n", kKubeSystem);
  ASSERT_EQ(history.exit_code, 0) << Show(history);
  EXPECT_THAT(history.out, HasSubstr("daemonset.apps/fluentd-elasticsearch"));
  EXPECT_THAT(Revisions(history.out), ElementsAre(1, 2)) << history.out;
  const CommandResult revision_2 = Ctl("rollout", "history", "daemonset/fluentd-elasticsearch",
                                       "--revision=2", "-n", kKubeSystem);
  EXPECT_THAT(revision_2.out, HasSubstr(kV2Image)) << Show(revision_2);

  // $ kubectl rollout undo daemonset/fluentd-elasticsearch --to-revision=1 -n kube-system
  const CommandResult undo = Ctl("rollout", "undo", "daemonset/fluentd-elasticsearch",
                                 "--to-revision=1", "-n", kKubeSystem);
  ASSERT_EQ(undo.exit_code, 0) << Show(undo);
  EXPECT_EQ(undo.out, "daemonset.apps/fluentd-elasticsearch rolled back\n");
  ExpectRolledOut(kFluentdElasticsearch, kKubeSystem);
  ASSERT_TRUE(WaitForDaemonSetCounts(kFluentdElasticsearch, kKubeSystem, 3));
  ExpectFleetRuns(kFluentdElasticsearch, kKubeSystem, all_nodes, kTestImage);
  // As in Kubernetes, the restored template becomes the newest revision.
  const CommandResult after_undo =
      Ctl("rollout", "history", "daemonset/fluentd-elasticsearch", "-n", kKubeSystem);
  EXPECT_THAT(Revisions(after_undo.out), ElementsAre(2, 3)) << Show(after_undo);

  // kubectl delete daemonset: its pods go from every node.
  const CommandResult remove = Ctl("delete", "ds", kFluentdElasticsearch, "-n", kKubeSystem);
  ASSERT_EQ(remove.exit_code, 0) << Show(remove);
  EXPECT_EQ(remove.out, "daemonset.apps \"fluentd-elasticsearch\" deleted\n");
  ExpectAllPodsGone(kFluentdElasticsearch, kKubeSystem);
  const CommandResult get_ds = Ctl("get", "ds", kFluentdElasticsearch, "-n", kKubeSystem);
  EXPECT_NE(get_ds.exit_code, 0) << Show(get_ds);
  EXPECT_THAT(get_ds.err, HasSubstr("NotFound")) << Show(get_ds);
}

// Seed 003's fluentd-elasticsearch-daemonset.yml (tolerating the master and
// control-plane taints, so on all three nodes) moved to an image that
// cannot be pulled: the rolling update stops at the first node,
// `rollout status` fails with the reason instead of waiting forever, the
// other nodes keep the old pod, and the article's `kubectl rollout undo`
// recovers.
TEST_F(FleetE2ETest, Seed003RolloutToAnUnpullableImageFailsWithTheReasonAndUndoRecovers) {
  const CommandResult apply =
      Ctl("apply", "-f",
          WriteFile("fluentd-elasticsearch-daemonset.yml",
                    AdaptSeedManifest("003-fluentd-elasticsearch.yaml", kTestImage)));
  ASSERT_EQ(apply.exit_code, 0) << Show(apply);
  EXPECT_EQ(apply.out, "daemonset.apps/fluentd created\n");
  ExpectRolledOut("fluentd", kKubeSystem);
  ASSERT_TRUE(WaitForDaemonSetCounts("fluentd", kKubeSystem, 3));
  const std::set<std::string> all_nodes = {kMasterNode, kWorker1Node, kWorker2Node};
  ExpectFleetRuns("fluentd", kKubeSystem, all_nodes, kTestImage);

  const CommandResult set_image = Ctl(
      "set", "image", "ds/fluentd", std::string("fluentd=") + kUnpullableImage, "-n", kKubeSystem);
  ASSERT_EQ(set_image.exit_code, 0) << Show(set_image);
  const CommandResult status =
      Ctl("rollout", "status", "ds/fluentd", "-n", kKubeSystem, kRolloutTimeoutFlag);
  EXPECT_NE(status.exit_code, 0) << Show(status);
  EXPECT_THAT(status.err, AllOf(HasSubstr(kUnpullableImage),
                                AnyOf(HasSubstr("ErrImagePull"), HasSubstr("ImagePullBackOff")),
                                Not(HasSubstr("timed out"))))
      << Show(status);
  EXPECT_THAT(status.out, Not(HasSubstr("successfully rolled out"))) << Show(status);

  // maxUnavailable 1: one node has the broken pod, the other two still run
  // the old image, and it stays that way.
  std::this_thread::sleep_for(milliseconds(3000));
  std::set<std::string> old_image_nodes;
  for (const std::string& node : NodeNames()) {
    if (RunningImages(node, "fluentd", kKubeSystem) == std::vector<std::string>{kTestImage}) {
      old_image_nodes.insert(node);
    }
  }
  EXPECT_EQ(old_image_nodes.size(), 2u);
  const std::optional<DaemonSetRow> stuck = GetDaemonSet("fluentd", kKubeSystem);
  ASSERT_TRUE(stuck.has_value());
  EXPECT_EQ(stuck->desired, 3) << ToString(*stuck);
  EXPECT_EQ(stuck->up_to_date, 1) << ToString(*stuck);
  EXPECT_EQ(stuck->available, 2) << ToString(*stuck);
  const CommandResult pods = Ctl("get", "pods", "-n", kKubeSystem, "-o", "wide");
  EXPECT_THAT(pods.out, AnyOf(HasSubstr("ErrImagePull"), HasSubstr("ImagePullBackOff")))
      << Show(pods);

  // $ kubectl rollout undo daemonset/fluentd -n kube-system
  const CommandResult undo = Ctl("rollout", "undo", "daemonset/fluentd", "-n", kKubeSystem);
  ASSERT_EQ(undo.exit_code, 0) << Show(undo);
  ExpectRolledOut("fluentd", kKubeSystem);
  ASSERT_TRUE(WaitForDaemonSetCounts("fluentd", kKubeSystem, 3));
  ExpectFleetRuns("fluentd", kKubeSystem, all_nodes, kTestImage);
}

}  // namespace
}  // namespace fleetset::testing
