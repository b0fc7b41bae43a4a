// A whole fleet driven by three coordinators on a real three-member etcd,
// with real agents on real containerd: the leader is SIGKILLed in the
// middle of a rolling update, another takes over within the lease and a
// second, and the rollout completes with the DaemonSet's generation and
// revisions intact; agents of the dead coordinator move to a live one.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include "support/fleet_e2e.h"

namespace fleetset::testing {
namespace {

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

}  // namespace
}  // namespace fleetset::testing
