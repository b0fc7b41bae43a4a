// Pod features through the real agent on a real node: init containers in
// order, probes, and the static manifest directory's life cycle (bad files
// reported, removed files removing pods, edited files replacing them).
#include <gmock/gmock.h>
#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include "support/agent_e2e.h"
#include "support/run_command.h"

namespace fleetset::testing {
namespace {

using std::chrono::milliseconds;
using ::testing::HasSubstr;

TEST_F(AgentE2ETest, InitContainersRunInOrderBeforeTheApp) {
  AgentProcess& agent = StartAgent();
  agent.WriteManifest("ordered.yaml",
                      DaemonSetManifest("ordered", R"(terminationGracePeriodSeconds: 1
initContainers:
  - name: first
    image: ${IMAGE}
    command: ['sh', '-c', 'sleep 1; echo first >> /work/order']
    volumeMounts: [{name: work, mountPath: /work}]
  - name: second
    image: ${IMAGE}
    command: ['sh', '-c', 'echo second >> /work/order']
    volumeMounts: [{name: work, mountPath: /work}]
containers:
  - name: app
    image: ${IMAGE}
    command: ['sh', '-c', 'cat /work/order; sleep 3600']
    volumeMounts: [{name: work, mountPath: /work}]
volumes:
  - name: work
    emptyDir: {}
)"));
  const std::optional<v1::Pod> pod = WaitForReadyPod("ordered");
  ASSERT_TRUE(pod.has_value()) << Report().DebugString();
  const std::string log = LogPath(*pod, "app");
  EXPECT_TRUE(WaitUntil([&] { return ReadCriLog(log) == "first\nsecond"; }, kShortTimeout))
      << log << " holds: " << ReadCriLog(log);
  ASSERT_EQ(pod->status().init_container_statuses_size(), 2);
  for (const v1::ContainerStatus& init : pod->status().init_container_statuses()) {
    EXPECT_EQ(init.state().terminated().exit_code(), 0) << init.DebugString();
    EXPECT_EQ(init.state().terminated().reason(), "Completed") << init.DebugString();
  }
  // The first init container (which slept) finished before the second began.
  const auto& first = pod->status().init_container_statuses(0).state().terminated();
  const auto& second = pod->status().init_container_statuses(1).state().terminated();
  EXPECT_LE(first.finished_at(), second.started_at());
}

TEST_F(AgentE2ETest, ReadinessProbeGatesReady) {
  AgentProcess& agent = StartAgent();
  agent.WriteManifest("probed.yaml", DaemonSetManifest("probed", R"(terminationGracePeriodSeconds: 1
containers:
  - name: main
    image: ${IMAGE}
    command: ['sh', '-c', 'sleep 3; touch /tmp/ready; sleep 3600']
    readinessProbe:
      exec:
        command: ['test', '-f', '/tmp/ready']
      periodSeconds: 1
)"));
  // Running but not ready while the file is missing.
  ASSERT_TRUE(WaitUntil(
      [&] {
        const v1::StatusReport report = Report();
        const v1::Pod* pod = FindPod(report, "probed");
        const v1::ContainerStatus* main = pod ? FindContainer(*pod, "main") : nullptr;
        return main != nullptr && main->state().has_running() && !main->ready() && !PodReady(*pod);
      },
      kPodStartTimeout))
      << Report().DebugString();
  const auto running_at = std::chrono::steady_clock::now();
  const std::optional<v1::Pod> pod = WaitForReadyPod("probed", kShortTimeout);
  ASSERT_TRUE(pod.has_value()) << Report().DebugString();
  EXPECT_GE(std::chrono::steady_clock::now() - running_at, milliseconds(1000));
  EXPECT_TRUE(FindContainer(*pod, "main")->ready());
  EXPECT_EQ(FindContainer(*pod, "main")->restart_count(), 0);
}

TEST_F(AgentE2ETest, FailingLivenessProbeRestartsContainer) {
  AgentProcess& agent = StartAgent();
  // Alive for about two seconds after each start.
  agent.WriteManifest("lively.yaml", DaemonSetManifest("lively", R"(terminationGracePeriodSeconds: 1
containers:
  - name: main
    image: ${IMAGE}
    command: ['sh', '-c', 'touch /tmp/alive; sleep 2; rm /tmp/alive; sleep 3600']
    livenessProbe:
      exec:
        command: ['test', '-f', '/tmp/alive']
      periodSeconds: 1
      failureThreshold: 1
)"));
  const std::optional<v1::Pod> pod = WaitForReadyPod("lively");
  ASSERT_TRUE(pod.has_value()) << Report().DebugString();
  EXPECT_TRUE(WaitUntil(
      [&] {
        const v1::StatusReport report = Report();
        const v1::Pod* now = FindPod(report, "lively");
        const v1::ContainerStatus* main = now ? FindContainer(*now, "main") : nullptr;
        return main != nullptr && main->restart_count() >= 1 && main->state().has_running();
      },
      kShortTimeout))
      << Report().DebugString();
  const v1::StatusReport report = Report();
  const v1::Pod* now = FindPod(report, "lively");
  ASSERT_NE(now, nullptr);
  EXPECT_EQ(now->metadata().uid(), pod->metadata().uid());
  EXPECT_THAT(agent.Output(), HasSubstr("failed liveness probe"));
}

TEST_F(AgentE2ETest, StaticManifestDirectoryLifeCycle) {
  AgentProcess& agent = StartAgent();
  agent.WriteManifest("good.yaml", DaemonSetManifest("good", BusyboxPodSpec()));
  agent.WriteManifest("bad.yaml",
                      DaemonSetManifest("bad", BusyboxPodSpec() + "restartPolicy: OnFailure\n"));
  const std::optional<v1::Pod> good = WaitForReadyPod("good");
  ASSERT_TRUE(good.has_value()) << Report().DebugString();

  v1::StatusReport report;
  ASSERT_TRUE(WaitUntil(
      [&] {
        report = Report();
        return report.manifest_problems_size() > 0;
      },
      kShortTimeout));
  ASSERT_EQ(report.manifest_problems_size(), 1) << report.DebugString();
  EXPECT_THAT(report.manifest_problems(0).source(), HasSubstr("bad.yaml"));
  ASSERT_GE(report.manifest_problems(0).errors_size(), 1);
  EXPECT_THAT(report.manifest_problems(0).errors(0), HasSubstr("spec.template.spec.restartPolicy"));
  EXPECT_EQ(FindPod(report, "bad"), nullptr);

  const CommandResult status =
      RunCommand({BuiltProgram("agent/fleetset-agent"), "status", "--root-dir", agent.root_dir()});
  EXPECT_EQ(status.exit_code, 0) << status.err;
  EXPECT_THAT(status.out, HasSubstr("bad.yaml"));
  EXPECT_THAT(status.out, HasSubstr("spec.template.spec.restartPolicy"));
  EXPECT_THAT(status.out, HasSubstr(good->metadata().name()));

  // A new image (the same one under its short name): a new revision, so a
  // new pod replaces the old one.
  std::string short_name_spec = BusyboxPodSpec();
  short_name_spec.replace(short_name_spec.find("${IMAGE}"), 8, "fleetset/busybox:test");
  agent.WriteManifest("good.yaml", DaemonSetManifest("good", short_name_spec));
  std::optional<v1::Pod> replaced;
  ASSERT_TRUE(WaitUntil(
      [&] {
        replaced = WaitForReadyPod("good", milliseconds(100));
        return replaced && replaced->metadata().uid() != good->metadata().uid();
      },
      kPodStartTimeout))
      << Report().DebugString();
  EXPECT_NE(replaced->revision_hash(), good->revision_hash());
  EXPECT_EQ(FindContainer(*replaced, "main")->image(), "fleetset/busybox:test");
  EXPECT_TRUE(WaitForPodGone(good->metadata().uid())) << Report().DebugString();

  // Removing the file removes its pod; the bad file stays reported.
  agent.RemoveManifest("good.yaml");
  EXPECT_TRUE(WaitForPodGone(replaced->metadata().uid())) << Report().DebugString();
  EXPECT_TRUE(cri_->AllSandboxes().empty());
  report = Report();
  EXPECT_EQ(report.pods_size(), 0);
  EXPECT_EQ(report.manifest_problems_size(), 1);
  EXPECT_TRUE(agent.Running());
}

}  // namespace
}  // namespace fleetset::testing
