// The real agent process under a stand-in for systemd: sd_notify readiness,
// the watchdog, a clean stop on SIGTERM, and pods that outlive the agent.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include "support/agent_e2e.h"
#include "support/notify_socket_listener.h"

namespace fleetset::testing {
namespace {

using std::chrono::milliseconds;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;

TEST_F(AgentE2ETest, NotifiesSystemdAndStopsCleanlyLeavingPodsRunning) {
  NotifySocketListener listener;
  AgentOptions options;
  options.env["NOTIFY_SOCKET"] = listener.path();
  // One second: pings every half second. WATCHDOG_PID is left unset, which
  // sd_watchdog_enabled() takes as "meant for this process".
  options.env["WATCHDOG_USEC"] = "1000000";
  AgentProcess& agent = StartAgent(options);

  const std::optional<std::string> ready = listener.WaitFor("READY=1", milliseconds(10000));
  ASSERT_TRUE(ready.has_value()) << agent.Output();
  EXPECT_THAT(*ready, MatchesRegex("READY=1\nSTATUS=[^\n]*pods[^\n]*"));
  EXPECT_TRUE(listener.WaitFor("WATCHDOG=1", milliseconds(3000)).has_value());

  agent.WriteManifest("survivor.yaml", DaemonSetManifest("survivor", BusyboxPodSpec()));
  const std::optional<v1::Pod> pod = WaitForReadyPod("survivor");
  ASSERT_TRUE(pod.has_value()) << Report().DebugString();
  // STATUS= follows what runs.
  const std::optional<std::string> status = listener.WaitFor(
      "STATUS=1 pods, 1 running, 1 ready; runtime " + Report().runtime(), milliseconds(3000));
  EXPECT_TRUE(status.has_value());
  // The watchdog keeps going while the agent works.
  EXPECT_TRUE(listener.WaitFor("WATCHDOG=1", milliseconds(3000)).has_value());
  const std::vector<std::string> running = cri_->RunningContainerIds(pod->metadata().uid());
  ASSERT_EQ(running.size(), 1u);

  ASSERT_TRUE(agent.Signal(SIGTERM));
  EXPECT_TRUE(listener.WaitFor("STOPPING=1", milliseconds(5000)).has_value());
  EXPECT_EQ(agent.Wait(milliseconds(10000)), 0) << agent.Output();
  EXPECT_THAT(agent.Output(), HasSubstr("received SIGTERM"));

  // As with kubelet, stopping the agent stops none of its pods.
  EXPECT_EQ(cri_->RunningContainerIds(pod->metadata().uid()), running);
  const std::vector<cri::PodSandbox> sandboxes = cri_->SandboxesOf(pod->metadata().uid());
  ASSERT_EQ(sandboxes.size(), 1u);
  EXPECT_EQ(sandboxes[0].state(), cri::SANDBOX_READY);
}

}  // namespace
}  // namespace fleetset::testing
