// The real fleetset-agent against a real containerd: a seed DaemonSet runs
// with kubelet's conventions, crashed containers come back with back-off,
// and an agent restart adopts its pods without restarting them.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "agent/pod_identity.h"
#include "support/agent_e2e.h"
#include "support/run_command.h"

namespace fleetset::testing {
namespace {

using std::chrono::milliseconds;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Seed 003's fluentd DaemonSet, unchanged but for the image (no download
// is possible here) and a command that shows what spec.nodeName became.
std::string FluentdSeedForLocalImage() {
  std::string manifest = ReadFile(SourcePath("tests/data/seeds/003-fluentd-elasticsearch.yaml"));
  const std::string image = "image: fluent/fluentd-kubernetes-daemonset:v1-debian-elasticsearch";
  const size_t at = manifest.find(image);
  if (at == std::string::npos) return "";
  manifest.replace(at, image.size(),
                   std::string("image: ") + kTestImage +
                       "\n          command: ['sh', '-c', 'echo node=$K8S_NODE_NAME; sleep 3600']");
  return manifest;
}

TEST_F(AgentE2ETest, SeedFluentdDaemonSetRunsWithKubeletConventions) {
  const std::string manifest = FluentdSeedForLocalImage();
  ASSERT_THAT(manifest, HasSubstr(kTestImage));
  AgentOptions options;
  options.node_name = "e2e-fluentd-node";
  AgentProcess& agent = StartAgent(options);
  agent.WriteManifest("fluentd.yaml", manifest);

  const std::optional<v1::Pod> pod = WaitForReadyPod("fluentd");
  ASSERT_TRUE(pod.has_value()) << Report().DebugString();
  EXPECT_THAT(pod->metadata().name(), MatchesRegex("fluentd-[bcdfghjklmnpqrstvwxz2456789]{5}"));
  EXPECT_EQ(pod->metadata().namespace_(), "kube-system");
  EXPECT_EQ(pod->node_name(), "e2e-fluentd-node");
  EXPECT_TRUE(pod->static_pod());
  const v1::ContainerStatus* fluentd = FindContainer(*pod, "fluentd");
  ASSERT_NE(fluentd, nullptr);
  EXPECT_TRUE(fluentd->ready());
  EXPECT_EQ(fluentd->restart_count(), 0);
  EXPECT_THAT(fluentd->container_id(), MatchesRegex("containerd://[0-9a-f]+"));
  const v1::Eligibility* eligibility = FindEligibility(Report(), "fluentd");
  ASSERT_NE(eligibility, nullptr);
  EXPECT_TRUE(eligibility->should_run()) << eligibility->reason();

  // spec.nodeName reached the environment, and the log is where kubelet
  // (and every log shipper configured for kubelet) puts it.
  const std::string log = LogPath(*pod, "fluentd");
  EXPECT_TRUE(WaitUntil([&] { return ReadCriLog(log) == "node=e2e-fluentd-node"; }, kShortTimeout))
      << log << " holds: " << ReadCriLog(log);

  const std::vector<cri::PodSandbox> sandboxes = cri_->SandboxesOf(pod->metadata().uid());
  ASSERT_EQ(sandboxes.size(), 1u);
  const auto& labels = sandboxes[0].labels();
  EXPECT_EQ(labels.at(agent::kPodNameLabel), pod->metadata().name());
  EXPECT_EQ(labels.at(agent::kPodNamespaceLabel), "kube-system");
  EXPECT_EQ(labels.at(agent::kPodUidLabel), pod->metadata().uid());
  EXPECT_EQ(sandboxes[0].metadata().name(), pod->metadata().name());
  EXPECT_EQ(sandboxes[0].metadata().namespace_(), "kube-system");
  EXPECT_EQ(sandboxes[0].metadata().uid(), pod->metadata().uid());
  const std::vector<cri::Container> containers = cri_->ContainersOf(pod->metadata().uid());
  ASSERT_EQ(containers.size(), 1u);
  EXPECT_EQ(containers[0].labels().at(agent::kContainerNameLabel), "fluentd");
  EXPECT_EQ(containers[0].state(), cri::CONTAINER_RUNNING);
  EXPECT_EQ("containerd://" + containers[0].id(), fluentd->container_id());
}

TEST_F(AgentE2ETest, KilledContainerRestartsWithCrashLoopBackOff) {
  AgentProcess& agent = StartAgent();
  agent.WriteManifest("crash.yaml", DaemonSetManifest("crash", BusyboxPodSpec()));
  const std::optional<v1::Pod> pod = WaitForReadyPod("crash");
  ASSERT_TRUE(pod.has_value()) << Report().DebugString();
  const std::string uid = pod->metadata().uid();

  // A restart count and a running container (that is not `killed`).
  const auto running_again = [&](int restarts, const std::string& killed) {
    const v1::StatusReport report = Report();
    const v1::Pod* now = FindPod(report, "crash");
    if (now == nullptr || now->metadata().uid() != uid) return false;
    const v1::ContainerStatus* main = FindContainer(*now, "main");
    return main != nullptr && main->restart_count() == restarts && main->state().has_running() &&
           main->container_id() != "containerd://" + killed;
  };

  // The first crash is retried at once (kubelet's first back-off is zero).
  std::vector<std::string> ids = cri_->RunningContainerIds(uid);
  ASSERT_EQ(ids.size(), 1u);
  ASSERT_TRUE(cri_->KillContainer(ids[0]));
  EXPECT_TRUE(WaitUntil([&] { return running_again(1, ids[0]); }, kShortTimeout))
      << Report().DebugString();

  // The second waits 10 s, shown as CrashLoopBackOff meanwhile.
  ids = cri_->RunningContainerIds(uid);
  ASSERT_EQ(ids.size(), 1u);
  const auto killed_at = std::chrono::steady_clock::now();
  ASSERT_TRUE(cri_->KillContainer(ids[0]));
  std::string waiting_message;
  EXPECT_TRUE(WaitUntil(
      [&] {
        const v1::StatusReport report = Report();
        const v1::Pod* now = FindPod(report, "crash");
        const v1::ContainerStatus* main = now ? FindContainer(*now, "main") : nullptr;
        if (main == nullptr || main->state().waiting().reason() != "CrashLoopBackOff") return false;
        waiting_message = main->state().waiting().message();
        return true;
      },
      kShortTimeout))
      << Report().DebugString();
  EXPECT_THAT(waiting_message, HasSubstr("back-off 10s restarting failed container=main"));
  {
    const v1::StatusReport report = Report();
    const v1::Pod* now = FindPod(report, "crash");
    ASSERT_NE(now, nullptr);
    EXPECT_FALSE(PodReady(*now));
    const v1::ContainerStatus* main = FindContainer(*now, "main");
    ASSERT_NE(main, nullptr);
    EXPECT_EQ(main->last_state().terminated().exit_code(), 137);
  }
  EXPECT_TRUE(WaitUntil([&] { return running_again(2, ids[0]); }, milliseconds(20000)))
      << Report().DebugString();
  const auto waited = std::chrono::steady_clock::now() - killed_at;
  EXPECT_GE(waited, milliseconds(9000)) << "restarted before the 10 s back-off was over";
  EXPECT_TRUE(WaitForReadyPod("crash", kShortTimeout).has_value());
  // Only the newest dead container is kept, as kubelet keeps one.
  EXPECT_LE(cri_->ContainersOf(uid).size(), 2u);
}

TEST_F(AgentE2ETest, AgentRestartAdoptsPodsWithoutRestartingThem) {
  AgentProcess& agent = StartAgent();
  agent.WriteManifest("steady.yaml", DaemonSetManifest("steady", BusyboxPodSpec()));
  agent.WriteManifest("other.yaml", DaemonSetManifest("other", BusyboxPodSpec(), "monitoring"));
  const std::optional<v1::Pod> before = WaitForReadyPod("steady");
  ASSERT_TRUE(before.has_value()) << Report().DebugString();
  ASSERT_TRUE(WaitForReadyPod("other").has_value()) << Report().DebugString();
  cri::ListContainersResponse containers_before;
  ASSERT_TRUE(cri_->runtime().ListContainers({}, &containers_before).ok());
  ASSERT_EQ(containers_before.containers_size(), 2);
  const std::string sandbox_before = cri_->SandboxesOf(before->metadata().uid()).at(0).id();

  ASSERT_TRUE(agent.Signal(SIGKILL));
  ASSERT_EQ(agent.Wait(milliseconds(5000)), 128 + SIGKILL);
  // So that what Status() reads next was written by the new agent.
  std::filesystem::remove(agent.root_dir() + "/status.json");
  ASSERT_TRUE(agent.Restart());

  const std::optional<v1::Pod> after = WaitForReadyPod("steady");
  ASSERT_TRUE(after.has_value()) << Report().DebugString() << agent.Output();
  ASSERT_TRUE(WaitForReadyPod("other").has_value()) << Report().DebugString();
  // Several sync periods, so that a wrong decision would have been acted on.
  std::this_thread::sleep_for(milliseconds(2000));
  EXPECT_TRUE(agent.Running());

  cri::ListContainersResponse containers_after;
  ASSERT_TRUE(cri_->runtime().ListContainers({}, &containers_after).ok());
  ASSERT_EQ(containers_after.containers_size(), containers_before.containers_size());
  for (int i = 0; i < containers_before.containers_size(); ++i) {
    const cri::Container& old = containers_before.containers(i);
    bool same = false;
    for (const cri::Container& now : containers_after.containers()) {
      if (now.id() == old.id()) {
        same = true;
        EXPECT_EQ(now.state(), cri::CONTAINER_RUNNING) << now.id();
        EXPECT_EQ(now.metadata().attempt(), 0u);
      }
    }
    EXPECT_TRUE(same) << "container " << old.id() << " was replaced";
  }
  EXPECT_EQ(cri_->SandboxesOf(before->metadata().uid()).at(0).id(), sandbox_before);

  const v1::StatusReport report = Report();
  const v1::Pod* steady = FindPod(report, "steady");
  ASSERT_NE(steady, nullptr);
  EXPECT_EQ(steady->metadata().name(), before->metadata().name());
  EXPECT_EQ(steady->metadata().uid(), before->metadata().uid());
  EXPECT_EQ(steady->revision_hash(), before->revision_hash());
  // The same age: the creation time survives the restart.
  EXPECT_EQ(steady->metadata().creation_timestamp().DebugString(),
            before->metadata().creation_timestamp().DebugString());
  const v1::ContainerStatus* main = FindContainer(*steady, "main");
  ASSERT_NE(main, nullptr);
  EXPECT_EQ(main->restart_count(), 0);
  EXPECT_EQ(main->container_id(), FindContainer(*before, "main")->container_id());
  EXPECT_EQ(report.pods_size(), 2);
  EXPECT_THAT(agent.Output(), HasSubstr("adopting pod default/" + before->metadata().name()));
}

}  // namespace
}  // namespace fleetset::testing
