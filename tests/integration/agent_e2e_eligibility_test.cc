// Eligibility on a real node: taints from the command line and the config
// file, node labels from the config file, and what a reload (SIGHUP) that
// changes them does to a running pod.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <thread>

#include "support/agent_e2e.h"

namespace fleetset::testing {
namespace {

using std::chrono::milliseconds;
using ::testing::AllOf;
using ::testing::HasSubstr;

constexpr char kMasterTaint[] = "node-role.kubernetes.io/master";

std::string TolerationsFor(const std::string& key, const std::string& effect) {
  return "tolerations:\n  - key: " + key + "\n    operator: Exists\n    effect: " + effect + "\n";
}

TEST_F(AgentE2ETest, NoScheduleTaintKeepsPodAwayUntilTolerated) {
  AgentOptions options;
  // kubectl's syntax with an empty value: "key:Effect".
  options.extra_flags = {"--register-with-taints", std::string(kMasterTaint) + ":NoSchedule"};
  AgentProcess& agent = StartAgent(options);
  agent.WriteManifest("logger.yaml", DaemonSetManifest("logger", BusyboxPodSpec()));

  std::string reason;
  ASSERT_TRUE(WaitUntil(
      [&] {
        const v1::StatusReport report = Report();
        const v1::Eligibility* eligibility = FindEligibility(report, "logger");
        if (eligibility == nullptr) return false;
        reason = eligibility->reason();
        return !eligibility->should_run();
      },
      kShortTimeout))
      << Report().DebugString();
  EXPECT_THAT(reason, AllOf(HasSubstr(std::string(kMasterTaint) + ":NoSchedule"),
                            HasSubstr("not tolerate")));
  // A few sync periods: still nothing runs.
  std::this_thread::sleep_for(milliseconds(1000));
  EXPECT_EQ(Report().pods_size(), 0) << Report().DebugString();
  EXPECT_TRUE(cri_->AllSandboxes().empty());

  agent.WriteManifest(
      "logger.yaml",
      DaemonSetManifest("logger", BusyboxPodSpec() + TolerationsFor(kMasterTaint, "NoSchedule")));
  ASSERT_TRUE(WaitForReadyPod("logger").has_value()) << Report().DebugString();
  const v1::Eligibility* eligibility = FindEligibility(Report(), "logger");
  ASSERT_NE(eligibility, nullptr);
  EXPECT_TRUE(eligibility->should_run());
}

TEST_F(AgentE2ETest, ReloadedNoExecuteTaintEvictsRunningPod) {
  AgentOptions options;
  options.config = "nodeLabels:\n  disk: ssd\nregisterWithTaints: []\n";
  AgentProcess& agent = StartAgent(options);
  // Tolerates the master taint, but not the one added below.
  agent.WriteManifest(
      "evictable.yaml",
      DaemonSetManifest("evictable",
                        BusyboxPodSpec() + TolerationsFor(kMasterTaint, "NoSchedule")));
  const std::optional<v1::Pod> pod = WaitForReadyPod("evictable");
  ASSERT_TRUE(pod.has_value()) << Report().DebugString();

  agent.WriteConfig(
      "nodeLabels:\n  disk: ssd\n"
      "registerWithTaints:\n"
      "  - key: maintenance\n    value: firmware\n    effect: NoExecute\n");
  ASSERT_TRUE(agent.Signal(SIGHUP));
  EXPECT_TRUE(WaitForPodGone(pod->metadata().uid())) << Report().DebugString();
  const v1::StatusReport report = Report();
  const v1::Eligibility* eligibility = FindEligibility(report, "evictable");
  ASSERT_NE(eligibility, nullptr);
  EXPECT_FALSE(eligibility->should_continue_running());
  EXPECT_THAT(eligibility->reason(), HasSubstr("maintenance=firmware:NoExecute"));
  EXPECT_TRUE(agent.Running());
  // And it stays away.
  std::this_thread::sleep_for(milliseconds(1000));
  EXPECT_EQ(Report().pods_size(), 0) << Report().DebugString();
  EXPECT_TRUE(cri_->AllSandboxes().empty());
}

TEST_F(AgentE2ETest, RemovedNodeLabelRemovesSelectedPod) {
  AgentOptions options;
  options.config = "nodeLabels:\n  logger: fluentd\n";
  AgentProcess& agent = StartAgent(options);
  agent.WriteManifest(
      "selected.yaml",
      DaemonSetManifest("selected", BusyboxPodSpec() + "nodeSelector:\n  logger: fluentd\n"));
  const std::optional<v1::Pod> pod = WaitForReadyPod("selected");
  ASSERT_TRUE(pod.has_value()) << Report().DebugString();

  agent.WriteConfig("nodeLabels:\n  other: label\n");
  ASSERT_TRUE(agent.Signal(SIGHUP));
  EXPECT_TRUE(WaitForPodGone(pod->metadata().uid())) << Report().DebugString();
  const v1::StatusReport report = Report();
  const v1::Eligibility* eligibility = FindEligibility(report, "selected");
  ASSERT_NE(eligibility, nullptr);
  EXPECT_FALSE(eligibility->should_run());
  EXPECT_THAT(eligibility->reason(), HasSubstr("logger"));

  // Labelled again: a new pod.
  agent.WriteConfig("nodeLabels:\n  logger: fluentd\n");
  ASSERT_TRUE(agent.Signal(SIGHUP));
  const std::optional<v1::Pod> again = WaitForReadyPod("selected");
  ASSERT_TRUE(again.has_value()) << Report().DebugString();
  EXPECT_NE(again->metadata().uid(), pod->metadata().uid());
}

}  // namespace
}  // namespace fleetset::testing
