// A whole fleet driven by three coordinators on a real three-member etcd,
// with real agents on real containerd: the leader is SIGKILLed in the
// middle of a rolling update, another takes over within the lease and a
// second, and the rollout completes with the DaemonSet's generation and
// revisions intact; agents of the dead coordinator move to a live one.
#include <gmock/gmock.h>
#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <map>

#include "support/fleet_e2e.h"

namespace fleetset::testing {
namespace {

using google::protobuf::util::TimeUtil;
using std::chrono::milliseconds;
using std::chrono::seconds;
using ::testing::HasSubstr;

constexpr int kLeaseSeconds = 3;
constexpr char kKubeSystem[] = "kube-system";
constexpr char kFluentdElasticsearch[] = "fluentd-elasticsearch";
constexpr char kV2Image[] = "docker.io/fleetset/busybox:v2";

class FleetHaTest : public FleetE2ETest {
 protected:
  FleetHaTest() { UseCoordinatorsOnEtcd(3, kLeaseSeconds); }

  void SetUp() override {
    REQUIRE_ETCD();
    FleetE2ETest::SetUp();
  }

  // The leader's name in `get coordinators` ("c1".."c3"), or "".
  std::string Leader() {
    for (const TableRow& row : ParseTable(Ctl("get", "coordinators").out)) {
      if (row.at("LEADER") == "true") return row.at("NAME");
    }
    return "";
  }

  CoordinatorProcess& Named(const std::string& name) {
    return *Coordinators().at(static_cast<size_t>(std::stoi(name.substr(1)) - 1));
  }

  // The coordinator `node`'s agent last logged it connected to, or "".
  std::string ConnectedTo(const std::string& node) {
    const std::string output = Agent(node).Output();
    const std::string said = "connected to coordinator ";
    const size_t at = output.rfind(said);
    if (at == std::string::npos) return "";
    const size_t start = at + said.size();
    return output.substr(start, output.find_first_of(" \n", start) - start);
  }

  // From `get nodes -o json`: each node's Ready condition's status, last
  // heartbeat and last transition.
  struct ReadyCondition {
    std::string status;
    google::protobuf::Timestamp heartbeat;
    google::protobuf::Timestamp transition;
  };
  std::map<std::string, ReadyCondition> ReadyConditions() {
    std::map<std::string, ReadyCondition> ready;
    const CommandResult json = Ctl("get", "nodes", "-o", "json");
    for (const YAML::Node& node : YAML::Load(json.out)["items"]) {
      for (const YAML::Node& condition : node["status"]["conditions"]) {
        if (condition["type"].as<std::string>("") != "Ready") continue;
        ReadyCondition& entry = ready[node["metadata"]["name"].as<std::string>("")];
        entry.status = condition["status"].as<std::string>("");
        TimeUtil::FromString(condition["lastHeartbeatTime"].as<std::string>(""), &entry.heartbeat);
        TimeUtil::FromString(condition["lastTransitionTime"].as<std::string>(""),
                             &entry.transition);
      }
    }
    return ready;
  }
};

TEST_F(FleetHaTest, TheLeaderKilledMidRolloutIsReplacedAndTheRolloutCompletes) {
  ASSERT_TRUE(TagImageOnAllNodes(kTestImage, kV2Image));
  // minReadySeconds spreads the rolling update over several seconds per
  // node, so that the leader surely dies in the middle of it.
  std::string manifest =
      AdaptSeedManifest("004-fluentd-elasticsearch-tolerations.yaml", kTestImage);
  const size_t spec = manifest.find("\nspec:\n");
  ASSERT_NE(spec, std::string::npos);
  manifest.insert(spec + 7, "  minReadySeconds: 5\n");
  const CommandResult apply = Ctl("apply", "-f", WriteFile("fluentd-elasticsearch.yaml", manifest));
  ASSERT_EQ(apply.exit_code, 0) << Show(apply);
  ASSERT_TRUE(WaitForDaemonSetCounts(kFluentdElasticsearch, kKubeSystem, 3));
  std::string leader;
  ASSERT_TRUE(WaitFor([&] { return !(leader = Leader()).empty(); }));

  const CommandResult set_image =
      Ctl("set", "image", "daemonset/fluentd-elasticsearch",
          std::string("fluentd-elasticsearch=") + kV2Image, "-n", kKubeSystem);
  ASSERT_EQ(set_image.exit_code, 0) << Show(set_image);
  // The leader dies as soon as its controller has made the new revision:
  // the rolling update has begun, one node at a time (maxUnavailable 1,
  // each new pod available only after minReadySeconds), and the next
  // leader must carry it through.
  ASSERT_TRUE(WaitFor(
      [&] {
        return Ctl("rollout", "history", "daemonset/fluentd-elasticsearch", "-n", kKubeSystem)
                   .out.find("2 ") != std::string::npos;
      },
      milliseconds(20000)));
  ASSERT_TRUE(Named(leader).Signal(SIGKILL));
  const std::optional<DaemonSetRow> at_kill = GetDaemonSet(kFluentdElasticsearch, kKubeSystem);
  ASSERT_TRUE(at_kill.has_value());
  EXPECT_LT(at_kill->up_to_date, 3)
      << "the rollout was over before the leader died: " << ToString(*at_kill);
  const auto killed = std::chrono::steady_clock::now();
  std::string next;
  ASSERT_TRUE(WaitFor([&] { return !(next = Leader()).empty() && next != leader; }));
  EXPECT_LE(std::chrono::steady_clock::now() - killed, seconds(kLeaseSeconds + 2))
      << "a new leader within the lease and a second (and a fleetsetctl call)";

  ExpectRolledOut(kFluentdElasticsearch, kKubeSystem);
  ASSERT_TRUE(WaitForDaemonSetCounts(kFluentdElasticsearch, kKubeSystem, 3));
  ExpectFleetRuns(kFluentdElasticsearch, kKubeSystem, {kMasterNode, kWorker1Node, kWorker2Node},
                  kV2Image);
  // One node at a time, each after the previous new pod had been available
  // for minReadySeconds, across the change of leader.
  ExpectRolloutPaced(kFluentdElasticsearch, kKubeSystem, seconds(5));
  // Nothing lost: two revisions, and the generation the update made, seen
  // by the new leader's controller.
  const CommandResult history =
      Ctl("rollout", "history", "daemonset/fluentd-elasticsearch", "-n", kKubeSystem);
  EXPECT_THAT(history.out, HasSubstr("1 ")) << Show(history);
  EXPECT_THAT(history.out, HasSubstr("2 ")) << Show(history);
  EXPECT_EQ(history.out.find("3 "), std::string::npos) << Show(history);
  const CommandResult yaml =
      Ctl("get", "ds", kFluentdElasticsearch, "-n", kKubeSystem, "-o", "yaml");
  EXPECT_THAT(yaml.out, HasSubstr("minReadySeconds: 5")) << Show(yaml);
  EXPECT_THAT(yaml.out, HasSubstr("generation: 2")) << Show(yaml);
  EXPECT_THAT(yaml.out, HasSubstr("observedGeneration: 2")) << Show(yaml);
  // Every node stays Ready: the agents of the dead coordinator moved on.
  const CommandResult nodes = Ctl("get", "nodes");
  for (const TableRow& row : ParseTable(nodes.out))
    EXPECT_EQ(row.at("STATUS"), "Ready") << Show(nodes);
}

TEST_F(FleetHaTest, AgentsLeaveAPausedCoordinatorForAnotherAndTheirNodesStayReady) {
  const std::vector<std::string> nodes = {kMasterNode, kWorker1Node, kWorker2Node};
  std::map<std::string, std::string> before;
  ASSERT_TRUE(WaitFor([&] {
    for (const std::string& node : nodes) before[node] = ConnectedTo(node);
    return std::none_of(before.begin(), before.end(),
                        [](const auto& entry) { return entry.second.empty(); });
  }));
  // The coordinator most agents use (the first listed, normally) stops
  // without closing a connection, as a paused VM or a hung host would.
  CoordinatorProcess* paused = nullptr;
  for (CoordinatorProcess* coordinator : Coordinators()) {
    if (coordinator->address() == before[kMasterNode]) paused = coordinator;
  }
  ASSERT_NE(paused, nullptr) << before[kMasterNode];
  // Every node Ready before the pause, since the time each one's condition
  // says: that time must not change, or the node was NotReady in between.
  std::map<std::string, ReadyCondition> ready_before;
  ASSERT_TRUE(WaitFor([&] {
    ready_before = ReadyConditions();
    return ready_before.size() == nodes.size() &&
           std::all_of(ready_before.begin(), ready_before.end(),
                       [](const auto& entry) { return entry.second.status == "True"; });
  }));
  const google::protobuf::Timestamp paused_at = TimeUtil::GetCurrentTime();
  const auto pause = std::chrono::steady_clock::now();
  ASSERT_TRUE(paused->Signal(SIGSTOP));

  // Each of its agents notices by its keepalive (10 s, 10 s to answer) and
  // moves to another coordinator.
  ASSERT_TRUE(WaitFor(
      [&] {
        for (const std::string& node : nodes) {
          if (before[node] == paused->address() && ConnectedTo(node) == paused->address())
            return false;
        }
        return true;
      },
      milliseconds(30000)));
  EXPECT_LE(std::chrono::steady_clock::now() - pause, seconds(25))
      << "the agents should leave within the keepalive's interval and timeout";
  // Heard from since the pause through the others, and never NotReady:
  // well inside the 40 s grace period.
  std::map<std::string, ReadyCondition> ready;
  ASSERT_TRUE(WaitFor(
      [&] {
        ready = ReadyConditions();
        return ready.size() == nodes.size() &&
               std::all_of(ready.begin(), ready.end(),
                           [&](const auto& entry) { return entry.second.heartbeat > paused_at; });
      },
      milliseconds(20000)));
  for (const auto& [node, condition] : ready) {
    EXPECT_EQ(condition.status, "True") << node;
    EXPECT_EQ(condition.transition, ready_before[node].transition)
        << node << " was NotReady in between";
  }
  EXPECT_TRUE(paused->Signal(SIGCONT));
}

}  // namespace
}  // namespace fleetset::testing
